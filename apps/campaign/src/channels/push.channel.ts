import { Inject, Injectable } from '@nestjs/common';
import { generateRequestDetails, type PushSubscription } from 'web-push';
import { CAMPAIGN_CONFIG, type CampaignConfig } from '../config';
import type { Channel, DeliveryResult, OutgoingMessage, PushContent } from './channel';

/** How long one call to a push service may take. */
export const PUSH_TIMEOUT_MS = 10_000;
/** What a push service keeps a message for when the content sets no TTL: 4 weeks, the usual maximum. */
const DEFAULT_TTL_SECONDS = 28 * 86_400;

/** A push service's answer → retry or not. 404/410: the subscription expired or was revoked. */
export function classifyPushStatus(status: number): DeliveryResult {
  if (status >= 200 && status < 300) return { ok: true };
  if (status === 404 || status === 410) return { ok: false, permanent: true, addressGone: true, reason: `push subscription gone (${status})` };
  if (status === 400 || status === 403 || status === 413) return { ok: false, permanent: true, reason: `push service refused the message (${status})` };
  if (status === 429 || status >= 500) return { ok: false, permanent: false, reason: `push service answered ${status}` };
  return { ok: false, permanent: true, reason: `push service answered ${status}` };
}

/** The `to` of a push message: a browser's PushSubscription as JSON. Null when it cannot be one. */
export function parseSubscription(to: string): PushSubscription | null {
  let s: unknown;
  try {
    s = JSON.parse(to);
  } catch {
    return null;
  }
  const sub = s as { endpoint?: unknown; keys?: { p256dh?: unknown; auth?: unknown } } | null;
  if (typeof sub?.endpoint !== 'string' || !/^https?:\/\//i.test(sub.endpoint)) return null;
  if (typeof sub.keys?.p256dh !== 'string' || typeof sub.keys.auth !== 'string') return null;
  return { endpoint: sub.endpoint, keys: { p256dh: sub.keys.p256dh, auth: sub.keys.auth } };
}

/**
 * Web push (RFC 8030) with VAPID (RFC 8292) and aes128gcm payload encryption (RFC 8291). The
 * web-push package encrypts and signs; the request itself goes through fetch, for one timeout and
 * one error shape (and plain http endpoints in tests).
 */
@Injectable()
export class PushChannel implements Channel {
  readonly name = 'push' as const;

  constructor(@Inject(CAMPAIGN_CONFIG) private readonly config: CampaignConfig) {}

  get publicKey(): string | null {
    return this.config.VAPID_PUBLIC_KEY && this.config.VAPID_PRIVATE_KEY ? this.config.VAPID_PUBLIC_KEY : null;
  }

  async send(message: OutgoingMessage): Promise<DeliveryResult> {
    const { VAPID_PUBLIC_KEY: publicKey, VAPID_PRIVATE_KEY: privateKey, VAPID_SUBJECT: subject } = this.config;
    if (!publicKey || !privateKey) return { ok: false, permanent: true, reason: 'push not configured' };
    const subscription = parseSubscription(message.to);
    if (!subscription) return { ok: false, permanent: true, addressGone: true, reason: 'push subscription is malformed' };
    const content = message.content as PushContent;
    const payload = JSON.stringify({ messageId: message.messageId, title: content.title, body: content.body, url: content.url, icon: content.icon });
    let request: ReturnType<typeof generateRequestDetails>;
    try {
      request = generateRequestDetails(subscription, payload, {
        vapidDetails: { subject, publicKey, privateKey },
        TTL: content.ttlSeconds ?? DEFAULT_TTL_SECONDS,
        contentEncoding: 'aes128gcm',
      });
    } catch (e) {
      // Bad subscription keys (wrong length, not base64url) or a payload too large to encrypt.
      return { ok: false, permanent: true, reason: `push message cannot be prepared: ${(e as Error).message}` };
    }
    try {
      const res = await fetch(request.endpoint, {
        method: 'POST',
        headers: Object.fromEntries(Object.entries(request.headers).map(([k, v]) => [k, String(v)])),
        body: request.body ?? undefined,
        redirect: 'manual',
        signal: AbortSignal.timeout(PUSH_TIMEOUT_MS),
      });
      await res.arrayBuffer().catch(() => undefined);
      const result = classifyPushStatus(res.status);
      return result.ok ? { ok: true, ...(res.headers.get('location') ? { providerId: res.headers.get('location') as string } : {}) } : result;
    } catch (e) {
      const err = e as Error & { cause?: { code?: string } };
      const why = err.name === 'TimeoutError' ? `timed out after ${PUSH_TIMEOUT_MS} ms` : (err.cause?.code ?? err.message);
      return { ok: false, permanent: false, reason: `push call failed: ${why}` };
    }
  }
}
