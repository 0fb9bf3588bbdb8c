import { TOPICS, shopperKey, type CampaignMessage, type MessageChannel, type MessageStatus, type TopicName } from '@signal/contracts';
import type { EntityManager } from 'typeorm';

/** The columns of campaign.messages that every status record repeats. */
export interface MessageHead {
  store_id: string;
  message_id: string;
  profile_id: string;
  campaign_id: string;
  kind: 'journey' | 'campaign';
  step: string | null;
  channel: MessageChannel;
  holdout: boolean;
  triggered_by: string | null;
}

export interface PendingEvent {
  messageId: string | null;
  topic: TopicName;
  key: string;
  value: object;
}

/**
 * One status of one message. The record id is stable (message, status, attempt), so a record
 * published twice (a relay that crashed after Kafka took it) is recognisably the same record.
 */
export function statusEvent(m: MessageHead, status: MessageStatus, o: { reason?: string; attempt?: number; at?: Date } = {}): PendingEvent {
  const value: CampaignMessage = {
    recordId: [m.message_id, status, o.attempt].filter((x) => x !== undefined).join(':'),
    messageId: m.message_id,
    storeId: m.store_id,
    profileId: m.profile_id,
    campaignId: m.campaign_id,
    kind: m.kind,
    ...(m.step ? { step: m.step } : {}),
    channel: m.channel,
    status,
    ...(o.reason ? { reason: o.reason.slice(0, 500) } : {}),
    ...(o.attempt ? { attempt: o.attempt } : {}),
    holdout: m.holdout,
    ...(m.triggered_by ? { triggeredBy: m.triggered_by } : {}),
    occurredAt: (o.at ?? new Date()).toISOString(),
  };
  return { messageId: m.message_id, topic: TOPICS.CampaignMessages, key: shopperKey(m.store_id, m.profile_id), value };
}

/** Stores events for the relay in the caller's transaction: they go out if and only if it commits. */
export async function queueEvents(tx: EntityManager, events: readonly PendingEvent[]): Promise<void> {
  if (events.length === 0) return;
  await tx.query(
    `INSERT INTO "campaign"."delivery_events" ("message_id", "topic", "key", "value")
     SELECT * FROM unnest($1::uuid[], $2::varchar[], $3::varchar[], $4::jsonb[])`,
    [events.map((e) => e.messageId), events.map((e) => e.topic), events.map((e) => e.key), events.map((e) => JSON.stringify(e.value))],
  );
}
