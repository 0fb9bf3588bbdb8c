import { Inject, Injectable } from '@nestjs/common';
import { createHmac, timingSafeEqual } from 'node:crypto';
import { CAMPAIGN_CONFIG, type CampaignConfig } from '../config';
import type { Channel, DeliveryResult, OutgoingMessage, WebhookContent } from './channel';

/** `v1=<hex HMAC-SHA256 of "<timestamp>.<raw body>">`. */
export function webhookSignature(secret: string, timestamp: number | string, body: string | Buffer): string {
  return `v1=${createHmac('sha256', secret).update(`${timestamp}.`).update(body).digest('hex')}`;
}

/**
 * For receivers (copy it): true when `header` (X-Signal-Signature) signs `timestamp`
 * (X-Signal-Timestamp) and the raw request body with `secret`, and the timestamp is within
 * `toleranceSeconds` of now (a captured request cannot be replayed later). Verify the raw bytes,
 * before any JSON parsing. Several `v1=` values (comma separated) are accepted, for secret rotation.
 */
export function verifyWebhookSignature(secret: string, timestamp: string | number, body: string | Buffer, header: string | undefined, toleranceSeconds = 300, nowMs = Date.now()): boolean {
  const ts = Number(timestamp);
  if (!header || !Number.isInteger(ts) || Math.abs(nowMs / 1000 - ts) > toleranceSeconds) return false;
  const expected = Buffer.from(webhookSignature(secret, ts, body));
  return header.split(',').some((candidate) => {
    const given = Buffer.from(candidate.trim());
    return given.length === expected.length && timingSafeEqual(given, expected);
  });
}

/** What an HTTP status of the receiver means for retrying. */
export function classifyWebhookStatus(status: number): DeliveryResult {
  if (status >= 200 && status < 300) return { ok: true };
  if (status === 410) return { ok: false, permanent: true, addressGone: true, reason: 'webhook gone (410)' };
  if (status === 408 || status === 429 || status >= 500) return { ok: false, permanent: false, reason: `webhook answered ${status}` };
  // 3xx are not followed: a signed call should not wander to another host.
  return { ok: false, permanent: true, reason: `webhook answered ${status}` };
}

/** POSTs the content's body as JSON to the message's URL, signed when the content carries a secret. */
@Injectable()
export class WebhookChannel implements Channel {
  readonly name = 'webhook' as const;

  constructor(@Inject(CAMPAIGN_CONFIG) private readonly config: CampaignConfig) {}

  async send(message: OutgoingMessage, nowMs = Date.now()): Promise<DeliveryResult> {
    let url: URL;
    try {
      url = new URL(message.to);
    } catch {
      return { ok: false, permanent: true, reason: 'webhook URL is not a URL' };
    }
    if (url.protocol !== 'http:' && url.protocol !== 'https:') return { ok: false, permanent: true, reason: `webhook URL must be http or https, not ${url.protocol}` };
    const content = message.content as WebhookContent;
    let body: string;
    try {
      body = JSON.stringify(content.body ?? {});
    } catch (e) {
      return { ok: false, permanent: true, reason: `webhook body cannot be serialized: ${(e as Error).message}` };
    }
    const timestamp = Math.floor(nowMs / 1000);
    const headers: Record<string, string> = {
      'content-type': 'application/json',
      'user-agent': 'signal-campaign-webhook/1',
      'x-signal-message-id': message.messageId,
      'x-signal-timestamp': String(timestamp),
    };
    if (content.secret) headers['x-signal-signature'] = webhookSignature(content.secret, timestamp, body);
    try {
      const res = await fetch(url, { method: 'POST', headers, body, redirect: 'manual', signal: AbortSignal.timeout(this.config.WEBHOOK_TIMEOUT_MS) });
      // Drain the body so the connection can be reused; its content does not matter.
      await res.arrayBuffer().catch(() => undefined);
      return classifyWebhookStatus(res.status);
    } catch (e) {
      const err = e as Error & { cause?: { code?: string } };
      const why = err.name === 'TimeoutError' ? `timed out after ${this.config.WEBHOOK_TIMEOUT_MS} ms` : (err.cause?.code ?? err.message);
      return { ok: false, permanent: false, reason: `webhook call failed: ${why}` };
    }
  }
}
