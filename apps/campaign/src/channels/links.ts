import { Inject, Injectable } from '@nestjs/common';
import { MESSAGE_CHANNELS, type MessageChannel } from '@signal/contracts';
import { createHash, createHmac, timingSafeEqual } from 'node:crypto';
import { CAMPAIGN_CONFIG, type CampaignConfig } from '../config';

/** Tracking links stop working after this long; unsubscribe links never do (a mail may be read years later). */
export const TRACKING_TTL_SECONDS = 90 * 86_400;

export interface UnsubscribeToken {
  k: 'unsubscribe';
  storeId: string;
  profileId: string;
  channel: MessageChannel;
}

/** What an open pixel or a tracked link carries: enough to publish the event and the message status. */
export interface TrackingToken {
  k: 'open' | 'click';
  messageId: string;
  storeId: string;
  profileId: string;
  campaignId: string;
  kind: 'journey' | 'campaign';
  channel: MessageChannel;
  /** The target of a click; inside the signature, so the link cannot be turned into an open redirect. */
  url?: string;
  /** Expiry, unix seconds. */
  exp: number;
}

export type LinkToken = UnsubscribeToken | TrackingToken;

export type TokenCheck<T> = { ok: true; token: T } | { ok: false; reason: string };
export type TokenFor<K extends LinkToken['k']> = K extends 'unsubscribe' ? UnsubscribeToken : TrackingToken;

export interface TrackingOptions {
  kind?: 'journey' | 'campaign';
  channel?: MessageChannel;
}

const sign = (secret: string, payload: string): Buffer => createHmac('sha256', secret).update(payload).digest();

/** `base64url(JSON).base64url(HMAC-SHA256)`: short enough for a URL, readable by nothing but this service's secret holders. */
export function signToken(secret: string, token: LinkToken): string {
  const payload = Buffer.from(JSON.stringify(token)).toString('base64url');
  return `${payload}.${sign(secret, payload).toString('base64url')}`;
}

const isChannel = (c: unknown): c is MessageChannel => typeof c === 'string' && (MESSAGE_CHANNELS as readonly string[]).includes(c);
const isText = (v: unknown, max = 2048): v is string => typeof v === 'string' && v.length > 0 && v.length <= max;

function wellFormed(value: unknown): value is LinkToken {
  if (typeof value !== 'object' || value === null) return false;
  const t = value as Record<string, unknown>;
  if (!isText(t.storeId, 64) || !isText(t.profileId, 64) || !isChannel(t.channel)) return false;
  if (t.k === 'unsubscribe') return true;
  if (t.k !== 'open' && t.k !== 'click') return false;
  if (!isText(t.messageId, 128) || !isText(t.campaignId, 128) || (t.kind !== 'journey' && t.kind !== 'campaign') || typeof t.exp !== 'number') return false;
  return t.k === 'open' || (isText(t.url) && /^https?:\/\//i.test(t.url));
}

/** Checks the signature (in constant time), the shape, the purpose and the expiry. */
export function verifyToken<K extends LinkToken['k']>(secret: string, raw: unknown, purpose: K, nowMs = Date.now()): TokenCheck<TokenFor<K>> {
  if (typeof raw !== 'string' || raw.length === 0) return { ok: false, reason: 'The link has no token' };
  if (raw.length > 4096) return { ok: false, reason: 'The link token is too long' };
  const [payload, signature, extra] = raw.split('.');
  if (!payload || !signature || extra !== undefined) return { ok: false, reason: 'The link token is malformed' };
  const expected = sign(secret, payload);
  const given = Buffer.from(signature, 'base64url');
  // The re-encoding check rejects variants of a signature that decode to the same bytes (Node's decoder is lenient).
  if (given.length !== expected.length || !timingSafeEqual(given, expected) || given.toString('base64url') !== signature) return { ok: false, reason: 'The link token is invalid (altered or not ours)' };
  let token: unknown;
  try {
    token = JSON.parse(Buffer.from(payload, 'base64url').toString('utf8'));
  } catch {
    return { ok: false, reason: 'The link token is malformed' };
  }
  if (!wellFormed(token)) return { ok: false, reason: 'The link token is malformed' };
  if (token.k !== purpose) return { ok: false, reason: `This is not a ${purpose} link` };
  if (token.k !== 'unsubscribe' && token.exp * 1000 < nowMs) return { ok: false, reason: 'The link has expired' };
  return { ok: true, token: token as TokenFor<K> };
}

/** A stable id for what a token asks for, so a repeated click or unsubscribe yields the same event id (and is dropped downstream). */
export const tokenDigest = (prefix: string, raw: string): string => `${prefix}-${createHash('sha256').update(raw).digest('hex').slice(0, 40)}`;

/**
 * Builds the signed links other parts put in messages. URLs are on PUBLIC_URL (the gateway), which
 * forwards these paths unchanged to this service.
 */
@Injectable()
export class Links {
  private readonly base: string;
  constructor(@Inject(CAMPAIGN_CONFIG) private readonly config: CampaignConfig) {
    this.base = config.PUBLIC_URL.replace(/\/+$/, '');
  }

  unsubscribeUrl(storeId: string, profileId: string, channel: MessageChannel): string {
    return `${this.base}/v1/unsubscribe?token=${signToken(this.config.LINK_SECRET, { k: 'unsubscribe', storeId, profileId, channel })}`;
  }

  /** A link that records the click and redirects (302) to `url`. */
  trackedUrl(messageId: string, storeId: string, profileId: string, campaignId: string, url: string, o: TrackingOptions = {}, nowMs = Date.now()): string {
    const token = signToken(this.config.LINK_SECRET, { k: 'click', ...this.tracking(messageId, storeId, profileId, campaignId, o, nowMs), url });
    return `${this.base}/v1/m/${encodeURIComponent(messageId)}/click?t=${token}`;
  }

  /** A 1×1 image that records the open. */
  openPixelUrl(messageId: string, storeId: string, profileId: string, campaignId: string, o: TrackingOptions = {}, nowMs = Date.now()): string {
    const token = signToken(this.config.LINK_SECRET, { k: 'open', ...this.tracking(messageId, storeId, profileId, campaignId, o, nowMs) });
    return `${this.base}/v1/m/${encodeURIComponent(messageId)}/open.gif?t=${token}`;
  }

  verify<K extends LinkToken['k']>(raw: unknown, purpose: K, nowMs = Date.now()): TokenCheck<TokenFor<K>> {
    return verifyToken(this.config.LINK_SECRET, raw, purpose, nowMs);
  }

  private tracking(messageId: string, storeId: string, profileId: string, campaignId: string, o: TrackingOptions, nowMs: number) {
    return { messageId, storeId, profileId, campaignId, kind: o.kind ?? 'journey', channel: o.channel ?? 'email', exp: Math.floor(nowMs / 1000) + TRACKING_TTL_SECONDS } as const;
  }
}
