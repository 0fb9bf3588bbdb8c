import { HEAT_HALF_LIFE_HOURS } from '../../indices/documents';
import { aggregate, learnedRewriteId, rewriteCandidateId } from '../effects';
import { heatOf, logAdd2 } from '../heat';
import type { Effect } from '../session';
import { min } from './fixtures';

describe('aggregate', () => {
  it('sums effects per query, product and reformulation', () => {
    const effects: Effect[] = [
      { kind: 'search', storeId: 's', query: 'lamp', at: min(0), resultsCount: 0 },
      { kind: 'search', storeId: 's', query: 'lamp', at: min(5), resultsCount: 7 },
      { kind: 'search', storeId: 's', query: 'lamp', at: min(2) },
      { kind: 'engage', storeId: 's', query: 'lamp', action: 'click', products: { p1: 1 } },
      { kind: 'engage', storeId: 's', query: 'lamp', action: 'purchase', products: { p1: 5, p2: 5 } },
      { kind: 'exit', storeId: 's', query: 'lamp', delta: 1 },
      { kind: 'exit', storeId: 's', query: 'rug', delta: -1 },
      { kind: 'teach', storeId: 's', from: 'lmap', to: 'lamp' },
      { kind: 'teach', storeId: 's', from: 'lmap', to: 'lamp' },
      { kind: 'product', storeId: 's', productId: 'p1', weight: 1, sold: 0, at: min(0) },
      { kind: 'product', storeId: 's', productId: 'p1', weight: 5, sold: 2, at: min(1) },
    ];
    const d = aggregate(effects);
    const lamp = d.queries.find((q) => q.query === 'lamp');
    expect(lamp).toMatchObject({
      counts: { searches: 3, zeroResults: 1, clicks: 1, carts: 0, purchases: 1, exits: 1 },
      lastSearchedAt: new Date(min(5)).toISOString(),
      lastResultsCount: 7,
      products: { p1: 6, p2: 5 },
    });
    const short = [0, 5, 2].reduce<number | null>((h, m) => logAdd2(h, heatOf(1, min(m), HEAT_HALF_LIFE_HOURS.queryShort)), null);
    expect(lamp?.heatShort).toBeCloseTo(short as number, 9);
    expect(d.queries.find((q) => q.query === 'rug')).toMatchObject({ counts: { searches: 0, exits: -1 }, heatShort: null, lastSearchedAt: null });
    expect(d.teaches).toEqual([{ storeId: 's', from: 'lmap', to: 'lamp', support: 2 }]);
    expect(d.products).toEqual([{ storeId: 's', productId: 'p1', sold: 2, heat: logAdd2(heatOf(1, min(0), HEAT_HALF_LIFE_HOURS.product), heatOf(5, min(1), HEAT_HALF_LIFE_HOURS.product)) }]);
  });

  it('names documents within the id budget', () => {
    const long = 'x'.repeat(400);
    expect(Buffer.byteLength(learnedRewriteId('a'.repeat(64), long))).toBeLessThanOrEqual(512);
    expect(rewriteCandidateId('s', long, long + 'y')).toMatch(/^s\|candidate\|[0-9a-f]{40}$/);
    expect(rewriteCandidateId('s', 'a', 'b')).not.toBe(rewriteCandidateId('s', 'b', 'a'));
  });
});
