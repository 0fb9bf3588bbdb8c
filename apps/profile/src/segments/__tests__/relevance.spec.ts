import type { EventType } from '@signal/contracts';
import type { HistoryEntry } from '../../profiles/profile-state';
import { StoreSegments } from '../live-segments';
import type { LiveSegment } from '../memberships';
import { relevanceOf } from '../relevance';
import type { SegmentRule } from '../rules';

const segment = (segmentId: string, rule: SegmentRule): LiveSegment => ({
  segmentId,
  version: 1,
  relevance: relevanceOf(rule),
  rule: { evaluate: () => ({ match: false, because: '', nextChangeAt: null }) },
});

const store = new StoreSegments([
  segment('stage', { field: 'stage', op: 'eq', value: 'engaged' }),
  segment('shoe-views', { event: { type: 'product_view', category: 'shoes' }, count: { atLeast: 3 }, within: '7d' }),
  segment('bag-views', { event: { type: 'product_view', category: 'bags' }, count: { atLeast: 3 }, within: '7d' }),
  segment('cart-no-buy', { event: { type: 'add_to_cart' }, notFollowedBy: { type: 'purchase' }, after: '60m' }),
  segment('revenue', { field: 'orders.revenue', op: 'gte', value: 100 }),
  segment('acme-fan', { affinity: { dimension: 'brand', value: 'Acme' }, atLeast: 3 }),
  segment('top-brand', { affinity: { dimension: 'brand', value: 'bolt' }, top: 1 }),
  segment('skin', { trait: 'skin', op: 'eq', value: 'dry' }),
  segment('mixed', { all: [{ field: 'orders.count', op: 'gte', value: 1 }, { event: { type: 'search' } }] }),
]);

const changed = (types: EventType[], entries: HistoryEntry[]) => store.changedBy(new Set(types), entries).map((s) => s.segmentId).sort();

describe('which segments an event can change', () => {
  it('a product view: its category’s conditions, its brand’s affinities, and whatever every event moves', () => {
    const view: HistoryEntry = { type: 'product_view', at: 1, productId: 'p', categories: ['fashion', 'shoes'], brand: 'acme' };
    expect(changed(['product_view'], [view])).toEqual(['acme-fan', 'shoe-views', 'stage', 'top-brand']);
    expect(changed(['product_view'], [{ ...view, categories: ['bags'], brand: 'zen' }])).toEqual(['bag-views', 'stage', 'top-brand']);
  });

  it('a purchase: order fields and the conditions on purchases, a sequence it ends included', () => {
    expect(changed(['purchase'], [{ type: 'purchase', at: 1, productId: 'p', value: 10 }])).toEqual(['cart-no-buy', 'mixed', 'revenue', 'stage']);
  });

  it('an identify: traits; a search: the searches', () => {
    expect(changed(['identify'], [{ type: 'identify', at: 1 }])).toEqual(['skin', 'stage']);
    expect(changed(['search'], [{ type: 'search', at: 1 }])).toEqual(['mixed', 'stage']);
  });
});
