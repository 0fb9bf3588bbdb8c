import type { MessageChannel } from '@signal/contracts';

/**
 * A message ready to go out on one channel: rendered, addressed, and carrying its id (the
 * idempotency key channels pass on where the far side supports one: a Message-ID header, a
 * webhook's id header, the push payload's id).
 */
export interface OutgoingMessage {
  messageId: string;
  storeId: string;
  profileId: string;
  channel: MessageChannel;
  /** An e-mail address, a push subscription (JSON of endpoint and keys), or a webhook URL. */
  to: string;
  content: EmailContent | PushContent | WebhookContent;
}

export interface EmailContent {
  subject: string;
  html: string;
  text: string;
  /** A working one-click unsubscribe URL (also sent as List-Unsubscribe). */
  unsubscribeUrl: string;
}

export interface PushContent {
  title: string;
  body: string;
  url?: string;
  icon?: string;
  /** Seconds the push service may keep it while the browser is offline. */
  ttlSeconds?: number;
}

export interface WebhookContent {
  /** The JSON body posted, as an object; the channel signs its serialized bytes. */
  body: Record<string, unknown>;
  /** Signs the body (X-Signal-Signature) when set; see channels/README.md. */
  secret?: string;
}

/**
 * What a delivery attempt gave. `permanent`: retrying cannot help (a bounce, a 4xx of a webhook, an
 * expired push subscription); otherwise the sender retries with backoff. `addressGone`: the address
 * itself is dead (hard bounce, push subscription 404/410), so it is not to be used again.
 */
export type DeliveryResult = { ok: true; providerId?: string } | { ok: false; permanent: boolean; addressGone?: boolean; reason: string };

export interface Channel {
  readonly name: MessageChannel;
  send(message: OutgoingMessage): Promise<DeliveryResult>;
  close?(): Promise<void>;
}

/** Nest token of the channels, a `Record<MessageChannel, Channel>`. */
export const CHANNELS = Symbol('CHANNELS');
export type Channels = Record<MessageChannel, Channel>;
