import { Injectable } from '@nestjs/common';
import { MESSAGE_CHANNELS } from '@signal/contracts';
import { randomUUID } from 'node:crypto';
import type { EntityManager } from 'typeorm';
import type { Enqueued, OutboxWriter, QueuedMessage } from './outbox.types';
import { queueEvents, statusEvent, type MessageHead } from './records';

/**
 * Queues messages in the caller's transaction. The idempotency key is unique per store, so a
 * step that runs twice (a redelivered event, a restarted replica) finds its message already there
 * and nothing new is queued.
 */
@Injectable()
export class Outbox implements OutboxWriter {
  async enqueue(tx: EntityManager, m: QueuedMessage): Promise<Enqueued> {
    if (!m.idempotencyKey || m.idempotencyKey.length > 256) throw new Error('idempotencyKey must be 1 to 256 characters');
    if (!MESSAGE_CHANNELS.includes(m.channel)) throw new Error(`Unknown channel ${String(m.channel)}`);
    const messageId = randomUUID();
    const state = m.holdout ? 'held_out' : 'queued';
    const inserted: { message_id: string }[] = await tx.query(
      `INSERT INTO "campaign"."messages" ("store_id", "message_id", "idempotency_key", "profile_id", "campaign_id", "kind", "step", "channel", "content", "to",
         "webhook_secret", "holdout", "triggered_by", "state", "reason", "next_attempt_at")
       VALUES ($1, $2, $3, $4, $5, $6, $7, $8, $9, $10, $11, $12, $13, $14, $15, GREATEST(now(), COALESCE($16::timestamptz, now())))
       ON CONFLICT ("store_id", "idempotency_key") DO NOTHING
       RETURNING "message_id"`,
      [
        m.storeId,
        messageId,
        m.idempotencyKey,
        m.profileId,
        m.campaignId,
        m.kind,
        m.step ?? null,
        m.channel,
        JSON.stringify(m.content),
        m.to ?? null,
        m.webhookSecret ?? null,
        m.holdout,
        m.triggeredBy ?? null,
        state,
        m.holdout ? 'holdout' : null,
        m.notBefore?.toISOString() ?? null,
      ],
    );
    if (inserted.length === 0) {
      // The key exists (committed, or committed while this insert waited on it): that message stands.
      const [existing]: { message_id: string }[] = await tx.query(`SELECT "message_id" FROM "campaign"."messages" WHERE "store_id" = $1 AND "idempotency_key" = $2`, [
        m.storeId,
        m.idempotencyKey,
      ]);
      return { messageId: existing.message_id, created: false };
    }
    const head: MessageHead = {
      store_id: m.storeId,
      message_id: messageId,
      profile_id: m.profileId,
      campaign_id: m.campaignId,
      kind: m.kind,
      step: m.step ?? null,
      channel: m.channel,
      holdout: m.holdout,
      triggered_by: m.triggeredBy ?? null,
    };
    await queueEvents(tx, [statusEvent(head, state, m.holdout ? { reason: 'holdout' } : {})]);
    return { messageId, created: true };
  }
}
