import type { MessageChannel } from '@signal/contracts';
import { quietHoursOf, type DeliverySettings } from './delivery-settings';
import { effectiveZone, quietUntil } from './quiet-hours';

/** What the delivery rules need to know about one message, read when it is about to go out. */
export interface RuleInput {
  channel: MessageChannel;
  /** Reason of the shopper's suppression on this channel ('unsubscribed', 'bounce'), if any. */
  suppression: string | null;
  /** The shopper as the read model has them; null when no profile arrived (yet). */
  shopper: { email: string | null; consentEmail: boolean | null; consentPush: boolean | null; timezone: string | null } | null;
  /** Push subscriptions of the shopper, each as the channel's `to` (JSON of endpoint and keys). */
  pushSubscriptions: string[];
  /** The webhook URL the message was queued with. */
  webhookUrl: string | null;
  settings: DeliverySettings;
  /** Messages this shopper was sent (or is being sent) in the last 24 hours, any channel. */
  sentLast24h: number;
  now: Date;
}

export type Decision = { action: 'suppress'; reason: string } | { action: 'defer'; until: Date; reason: string } | { action: 'send'; to: string[] };

/**
 * The delivery rules, in order. Cheapest and most final first: a suppression or missing consent
 * is a "never", so it ends the message before quiet hours could postpone it for nothing. Quiet
 * hours come before the cap, so a message waiting for the morning does not use up (or get
 * refused by) the count of the evening before.
 */
export function decide(i: RuleInput): Decision {
  if (i.suppression) return { action: 'suppress', reason: i.suppression };
  if (i.channel === 'email' && i.shopper?.consentEmail !== true) return { action: 'suppress', reason: 'no consent' };
  if (i.channel === 'push' && i.shopper?.consentPush !== true) return { action: 'suppress', reason: 'no consent' };
  const to = i.channel === 'email' ? (i.shopper?.email ? [i.shopper.email] : []) : i.channel === 'push' ? i.pushSubscriptions : i.webhookUrl ? [i.webhookUrl] : [];
  if (to.length === 0) return { action: 'suppress', reason: 'no address' };
  const quiet = quietHoursOf(i.settings);
  if (quiet) {
    const zone = effectiveZone(i.shopper?.timezone, i.settings.timezone);
    const until = quietUntil(i.now, zone, quiet);
    if (until) return { action: 'defer', until, reason: `quiet hours in ${zone}` };
  }
  if (i.sentLast24h >= i.settings.frequencyCap) return { action: 'suppress', reason: 'frequency cap' };
  return { action: 'send', to };
}

const MAX_RETRY_DELAY_MS = 24 * 3_600_000;

/** Delay before attempt `attempt + 1`: base × 2^(attempt-1), ±20 % jitter so retries of one outage spread out. */
export function retryDelayMs(attempt: number, baseMs: number, random: () => number = Math.random): number {
  const exact = baseMs * 2 ** Math.max(0, attempt - 1);
  return Math.round(Math.min(MAX_RETRY_DELAY_MS, exact * (0.8 + 0.4 * random())));
}

/** After a failed attempt (1-based): try again, or give up for good. */
export function afterFailure(attempt: number, maxAttempts: number, permanent: boolean): 'retry' | 'final' {
  return permanent || attempt >= maxAttempts ? 'final' : 'retry';
}
