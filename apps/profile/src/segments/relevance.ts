import type { EventType } from '@signal/contracts';
import type { Field, ProfileField, SegmentRule } from './rules';

/** Which events can change a rule's answer: a set of event types, or `any` event at all. */
export type Triggers = ReadonlySet<EventType> | 'any';

const AFFINITY_EVENTS: readonly EventType[] = ['product_view', 'product_click', 'add_to_cart', 'favorite', 'purchase', 'quiz_answer'];
const TRAIT_EVENTS: readonly EventType[] = ['identify', 'signup', 'quiz_answer'];
const CONSENT_EVENTS: readonly EventType[] = ['subscribe', 'unsubscribe', 'push_subscribed', 'consent'];

// Fields every event moves (counts, times, surroundings, the stage) are `any`.
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

/**
 * The events after which a rule must be evaluated again. Time passing is not an event: the
 * rule's nextChangeAt and the sweep cover it. A rule that ignores an event type gives the same
 * answer before and after such an event, so the event path can skip it.
 */
export function triggersOf(rule: SegmentRule): Triggers {
  const types = new Set<EventType>();
  const visit = (r: SegmentRule): boolean => {
    if ('all' in r) return r.all.every(visit);
    if ('any' in r) return r.any.every(visit);
    if ('not' in r) return visit(r.not);
    let add: readonly EventType[] | 'any';
    if ('field' in r) add = fieldEvents(r.field);
    else if ('trait' in r) add = TRAIT_EVENTS;
    else if ('affinity' in r) add = AFFINITY_EVENTS;
    else add = [r.event, ...('notFollowedBy' in r ? [r.notFollowedBy] : [])].flatMap((m) => (typeof m.type === 'string' ? [m.type] : m.type));
    if (add === 'any') return false;
    for (const t of add) types.add(t);
    return true;
  };
  return visit(rule) ? types : 'any';
}
