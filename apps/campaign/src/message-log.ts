import { Injectable } from '@nestjs/common';
import { TOPICS, shopperKey, type CampaignMessage } from '@signal/contracts';
import { BACKGROUND_LINGER_MS, KafkaPublisher } from '@signal/platform';
import { randomUUID } from 'node:crypto';

export type MessageRecord = Omit<CampaignMessage, 'recordId' | 'occurredAt'> & { recordId?: string; occurredAt?: string };

/**
 * Publishes message statuses on campaign.messages.v1 for analysts and the analytics service.
 * Callers that may repeat a status (a retried batch) pass a stable `recordId` so readers can drop
 * the repeat.
 */
@Injectable()
export class MessageLog {
  constructor(private readonly publisher: KafkaPublisher) {}

  async record(records: readonly MessageRecord[]): Promise<void> {
    if (records.length === 0) return;
    const now = new Date().toISOString();
    await this.publisher.publish(
      TOPICS.CampaignMessages,
      records.map((r) => ({ key: shopperKey(r.storeId, r.profileId), value: { ...r, recordId: r.recordId ?? randomUUID(), occurredAt: r.occurredAt ?? now } })),
      { lingerMs: BACKGROUND_LINGER_MS },
    );
  }
}
