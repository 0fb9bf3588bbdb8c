import type { MessageChannel } from '@signal/contracts';
import type { EntityManager } from 'typeorm';
import type { EmailContent, PushContent, WebhookContent } from '../channels/channel';

/**
 * A message to send, as a journey step (or campaign) hands it to the outbox. The address is
 * resolved when it is sent (the shopper's current e-mail, their live push subscriptions), and the
 * delivery rules (consent, suppressions, quiet hours, frequency cap) are applied then too.
 */
export interface QueuedMessage {
  /** The same key never yields a second message: e.g. `${runId}:${stepId}`. */
  idempotencyKey: string;
  storeId: string;
  profileId: string;
  /** The journey (or campaign) id. */
  campaignId: string;
  kind: 'journey' | 'campaign';
  step?: string;
  channel: MessageChannel;
  content: EmailContent | PushContent | WebhookContent;
  /** Webhook URL; e-mail and push are addressed at send time. */
  to?: string;
  /** Secret the webhook body is signed with (webhook channel). */
  webhookSecret?: string;
  /** The shopper is in the holdout group: recorded as held_out, never sent. */
  holdout: boolean;
  /** What started it: an event id or a catalog change. */
  triggeredBy?: string;
  /** Not before this time (e.g. a step's send window). */
  notBefore?: Date;
}

export interface Enqueued {
  messageId: string;
  /** False when a message with this idempotency key existed already (nothing new queued). */
  created: boolean;
}

export interface OutboxWriter {
  /** Queues in the caller's transaction, so the message exists if and only if the step that sent it did. */
  enqueue(tx: EntityManager, message: QueuedMessage): Promise<Enqueued>;
}

/** Nest token of the outbox writer. */
export const OUTBOX = Symbol('OUTBOX');
