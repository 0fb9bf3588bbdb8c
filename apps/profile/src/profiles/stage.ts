import type { LifecycleStage, StoreSettings } from '../settings/store-settings';
import type { ProfileState } from './profile-state';

const DAY = 86_400_000;

/** True when the latest statement on the channel granted it. */
export const consented = (p: Pick<ProfileState, 'consent'>, channel: keyof ProfileState['consent']): boolean => p.consent[channel]?.value === true;

/** The latest statement withdrew personalization: nothing may be inferred or targeted. */
export const personalizationWithdrawn = (p: Pick<ProfileState, 'consent'>): boolean => p.consent.personalization?.value === false;

/**
 * The lifecycle stage at `now`, and when it would change with no new event (a buyer lapsing).
 * Buyers are ranked by orders; before the first order, a subscriber outranks activity.
 */
export function stageAt(p: ProfileState, now: number, t: StoreSettings['stages']): { stage: LifecycleStage; nextChangeAt: number | null } {
  const { count, lastAt } = p.orders;
  if (count > 0 && lastAt !== null) {
    const lapsesAt = lastAt + t.lapsedAfterDays * DAY;
    if (now >= lapsesAt) return { stage: 'lapsed', nextChangeAt: null };
    const stage = count >= t.loyalMinOrders ? 'loyal' : count >= t.repeatMinOrders ? 'repeat_buyer' : 'first_time_buyer';
    return { stage, nextChangeAt: lapsesAt };
  }
  if (consented(p, 'email')) return { stage: 'subscribed', nextChangeAt: null };
  const engagedByIntent = (p.counters['add_to_cart'] ?? 0) + (p.counters['favorite'] ?? 0) > 0;
  if (engagedByIntent || p.eventCount >= t.engagedMinEvents) return { stage: 'engaged', nextChangeAt: null };
  if (p.eventCount >= t.browsingMinEvents || (p.counters['product_view'] ?? 0) > 0) return { stage: 'browsing', nextChangeAt: null };
  return { stage: 'new_visitor', nextChangeAt: null };
}
