import type { EventType } from '@signal/contracts';
import { triggersOf } from '../relevance';
import type { SegmentRule } from '../rules';
import { StoreSegments } from '../live-segments';
import type { LiveSegment } from '../memberships';

const types = (r: SegmentRule) => {
  const t = triggersOf(r);
  return t === 'any' ? 'any' : [...t].sort();
};

describe('triggersOf', () => {
  it('names the event types behind event conditions, counters, orders, traits, affinities and consent', () => {
    expect(types({ event: { type: 'product_view', category: 'shoes' }, count: { atLeast: 3 }, within: '7d' })).toEqual(['product_view']);
    expect(types({ event: { type: 'add_to_cart' }, notFollowedBy: { type: 'purchase' }, after: '60m' })).toEqual(['add_to_cart', 'purchase']);
    expect(types({ field: 'orders.revenue', op: 'gte', value: 100 })).toEqual(['purchase']);
    expect(types({ field: 'counters.search', op: 'gte', value: 1 })).toEqual(['search']);
    expect(types({ trait: 'skin', op: 'eq', value: 'dry' })).toEqual(['identify', 'quiz_answer', 'signup']);
    expect(types({ field: 'consent.email', op: 'eq', value: true })).toEqual(['consent', 'push_subscribed', 'subscribe', 'unsubscribe']);
    expect(types({ affinity: { dimension: 'brand', value: 'acme' }, atLeast: 1 })).toContain('product_view');
  });

  it('is any event for what every event moves, however deep in the rule', () => {
    expect(types({ field: 'stage', op: 'eq', value: 'engaged' })).toBe('any');
    expect(types({ all: [{ field: 'orders.count', op: 'gte', value: 1 }, { not: { field: 'country', op: 'eq', value: 'FR' } }] })).toBe('any');
    expect(types({ any: [{ field: 'orders.count', op: 'gte', value: 1 }, { event: { type: ['search', 'page_view'] } }] })).toEqual(['page_view', 'purchase', 'search']);
  });
});

describe('StoreSegments.changedBy', () => {
  const seg = (segmentId: string, triggers: ReadonlySet<EventType> | 'any'): LiveSegment => ({ segmentId, version: 1, triggers, rule: { evaluate: () => ({ match: false, because: '', nextChangeAt: null }) } });
  const store = new StoreSegments([seg('a', 'any'), seg('views', new Set(['product_view'])), seg('buys', new Set(['purchase'])), seg('both', new Set(['product_view', 'purchase']))]);
  const ids = (t: EventType[]) => store.changedBy(new Set(t)).map((s) => s.segmentId).sort();

  it('picks the segments an event type can change, plus those any event can', () => {
    expect(ids(['product_view'])).toEqual(['a', 'both', 'views']);
    expect(ids(['search'])).toEqual(['a']);
    expect(ids(['product_view', 'purchase'])).toEqual(['a', 'both', 'buys', 'views']);
  });
});
