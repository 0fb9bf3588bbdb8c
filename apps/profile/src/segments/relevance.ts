import type { EventType } from '@signal/contracts';
import type { HistoryEntry } from '../profiles/profile-state';
import type { AffinityDimension } from '../settings/store-settings';
import { entryMatches, type Field, type ProfileField, type SegmentRule } from './rules';

/**
 * Which new events can change a rule's answer. Time passing is not an event: the rule's
 * nextChangeAt and the sweep cover it. An event that touches nothing the rule reads leaves its
 * answer as it was, so the event path skips the rule.
 */
export interface Relevance {
  /** Reads something every event moves (counts, times, surroundings, the stage). */
  anyEvent: boolean;
  /** Event types that move a field, trait or consent it reads. */
  types: Set<EventType>;
  /** Event conditions: a new history entry matters only if it matches one of them. */
  entries: { types: readonly EventType[]; matches: (e: HistoryEntry) => boolean }[];
  /** Affinities: a new entry matters if it carries this value of the dimension (any value, for a top-N rank). */
  affinities: { dimension: AffinityDimension; value: string | null }[];
}

const TRAIT_EVENTS: readonly EventType[] = ['identify', 'signup', 'quiz_answer'];
const CONSENT_EVENTS: readonly EventType[] = ['subscribe', 'unsubscribe', 'push_subscribed', 'consent'];
/** Events whose history entries carry affinity signals (a quiz answer re-evaluates everything anyway). */
export const AFFINITY_EVENTS: readonly EventType[] = ['product_view', 'product_click', 'add_to_cart', 'favorite', 'purchase'];

const FIELD_EVENTS: Record<ProfileField, readonly EventType[] | 'any'> = {
  stage: 'any',
  eventCount: 'any',
  'orders.count': ['purchase'],
  'orders.revenue': ['purchase'],
  'orders.aov': ['purchase'],
  'orders.daysSinceLast': ['purchase'],
  discountSensitivity: ['purchase'],
  offerResponseRate: ['campaign_open', 'campaign_click'],
  daysSinceFirstSeen: 'any',
  daysSinceLastSeen: 'any',
  country: 'any',
  region: 'any',
  city: 'any',
  timezone: 'any',
  deviceType: 'any',
  customer: 'any',
  hasEmail: ['identify', 'signup', 'subscribe'],
  'consent.email': CONSENT_EVENTS,
  'consent.push': CONSENT_EVENTS,
  'consent.sms': CONSENT_EVENTS,
  'consent.personalization': CONSENT_EVENTS,
};

function fieldEvents(field: Field): readonly EventType[] | 'any' {
  if (field.startsWith('counters.')) return [field.slice('counters.'.length) as EventType];
  return FIELD_EVENTS[field as ProfileField];
}

export function relevanceOf(rule: SegmentRule): Relevance {
  const out: Relevance = { anyEvent: false, types: new Set(), entries: [], affinities: [] };
  const visit = (r: SegmentRule): void => {
    if ('all' in r) r.all.forEach(visit);
    else if ('any' in r) r.any.forEach(visit);
    else if ('not' in r) visit(r.not);
    else if ('field' in r) {
      const events = fieldEvents(r.field);
      if (events === 'any') out.anyEvent = true;
      else for (const t of events) out.types.add(t);
    } else if ('trait' in r) for (const t of TRAIT_EVENTS) out.types.add(t);
    else if ('affinity' in r) out.affinities.push({ dimension: r.affinity.dimension, value: r.top === undefined ? r.affinity.value.toLowerCase() : null });
    else
      for (const m of [r.event, ...('notFollowedBy' in r ? [r.notFollowedBy] : [])]) {
        out.entries.push({ types: typeof m.type === 'string' ? [m.type] : m.type, matches: entryMatches(m) });
      }
  };
  visit(rule);
  return out;
}

/** The values an entry gives each affinity dimension (what applyEvent adds signals for). */
export function affinityValues(e: HistoryEntry, dimension: AffinityDimension): readonly string[] {
  if (!AFFINITY_EVENTS.includes(e.type)) return [];
  switch (dimension) {
    case 'category':
      return e.categories ?? [];
    case 'brand':
      return e.brand ? [e.brand] : [];
    case 'priceBand':
      return e.priceBand ? [e.priceBand] : [];
    case 'color':
      return e.color ? [e.color] : [];
    case 'size':
      return e.size ? [e.size] : [];
  }
}
