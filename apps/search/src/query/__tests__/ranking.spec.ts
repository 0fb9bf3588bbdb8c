import type { ProductDoc } from '../../indices/documents';
import { RANKING, rankedQuery, scoreParts, type RankingContext } from '../ranking';

const doc = (o: Partial<ProductDoc> = {}): ProductDoc => ({
  storeId: 's',
  productId: 'p1',
  title: 'Mug',
  categories: ['home', 'home > kitchen'],
  price: 5,
  effectivePrice: 5,
  currency: 'EUR',
  inStock: true,
  hidden: false,
  createdAt: '',
  updatedAt: '',
  ...o,
});
const ctx = (o: Partial<RankingContext> = {}): RankingContext => ({ sellsForQuery: {}, affinities: null, nowHours: 500_000, ...o });

describe('scoreParts', () => {
  it('is neutral for a plain product', () => {
    expect(scoreParts(doc(), ctx())).toEqual({ sellsForQuery: 1, popularity: 1, stock: 1, affinity: 1 });
  });

  it('scales what sells for the query to the best seller', () => {
    const c = ctx({ sellsForQuery: { p1: 10, p2: 5 } });
    expect(scoreParts(doc(), c).sellsForQuery).toBe(1 + RANKING.sellsForQuery);
    expect(scoreParts(doc({ productId: 'p2' }), c).sellsForQuery).toBe(1 + RANKING.sellsForQuery / 2);
  });

  it('puts out-of-stock products down', () => {
    expect(scoreParts(doc({ inStock: false }), ctx()).stock).toBe(RANKING.outOfStock);
  });

  it('decays popularity: interest a half-life ago counts half', () => {
    const now = 500_000;
    const fresh = scoreParts(doc({ heat: Math.log2(8) + now / 168 }), ctx({ nowHours: now })).popularity;
    const old = scoreParts(doc({ heat: Math.log2(8) + (now - 168) / 168 }), ctx({ nowHours: now })).popularity;
    expect(fresh).toBeCloseTo(1 + RANKING.popularity * Math.log1p(8), 6);
    expect(old).toBeCloseTo(1 + RANKING.popularity * Math.log1p(4), 6);
  });

  it('multiplies brand and category affinities, matching brands case-blind and categories by path', () => {
    const c = ctx({ affinities: { brands: [{ value: 'ACME', score: 2 }, { value: 'Zed', score: 1 }], categories: [{ value: 'Home > Kitchen', score: 4 }] } });
    expect(scoreParts(doc({ brand: 'Acme' }), c).affinity).toBeCloseTo((1 + RANKING.brand) * (1 + RANKING.category), 6);
    expect(scoreParts(doc({ brand: 'Zed', categories: [] }), c).affinity).toBeCloseTo(1 + RANKING.brand / 2, 6);
  });
});

describe('rankedQuery', () => {
  it('carries one function per factor that applies, multiplied', () => {
    const q = rankedQuery({ match_all: {} }, ctx({ sellsForQuery: { p1: 1 } })) as { function_score: { functions: object[]; score_mode: string; boost_mode: string } };
    expect(q.function_score.functions).toEqual([
      { filter: { term: { productId: 'p1' } }, weight: 1 + RANKING.sellsForQuery },
      { filter: { term: { inStock: false } }, weight: RANKING.outOfStock },
      expect.objectContaining({ script_score: expect.any(Object) }),
    ]);
    expect(q.function_score).toMatchObject({ score_mode: 'multiply', boost_mode: 'multiply' });
  });
});
