import { BasketRecommender, HistoryRecommender, ItemTables, TrendingRecommender, decay } from '../candidates';
import type { Invoice } from '../types';

const DAY = 86_400_000;
const NOW = 100 * DAY;
let seq = 0;
const inv = (customerId: number | null, day: number, ...items: string[]): Invoice => ({
  invoiceNo: String(++seq),
  customerId,
  at: day * DAY,
  country: 'UK',
  items,
});
const COSINE = { alpha: 0.5, beta: 0.5, shrink: 0, topN: 10 };
const plain = { afterWindowDays: 365, afterHalfLifeDays: Infinity, coHalfLifeDays: Infinity };

describe('recs-eval candidates', () => {
  it('decay halves per half-life and is 1 without one', () => {
    expect(decay(7 * DAY, 7)).toBeCloseTo(0.5, 12);
    expect(decay(0, 7)).toBe(1);
    expect(decay(30 * DAY, Infinity)).toBe(1);
  });

  it('counts co-purchases per order and "bought after" per customer, first purchases only, within the window', () => {
    const t = new ItemTables(
      [
        inv(1, 1, 'a', 'b'),
        inv(1, 5, 'c', 'a'), // c first bought after a and b; a is a re-buy, not "after" anything
        inv(1, 5, 'd'), // same instant as the order above: d is not after c
        inv(2, 1, 'a'),
        inv(2, 50, 'c'), // 49 days after a: outside a 30-day window
        inv(null, 2, 'a', 'b'),
      ],
      NOW,
      { ...plain, afterWindowDays: 30 },
    );
    const n = t.codes.length;
    const id = (c: string): number => t.index.get(c) ?? -1;
    expect(t.codes[0]).toBe('a'); // popularity order
    expect(t.co[id('a') * n + id('b')]).toBe(2);
    expect(t.co[id('b') * n + id('a')]).toBe(2);
    expect(t.after[id('a') * n + id('c')]).toBe(1); // customer 2's pair is outside the window
    expect(t.after[id('b') * n + id('c')]).toBe(1);
    expect(t.after[id('c') * n + id('d')]).toBe(0);
    expect(t.after[id('a') * n + id('d')]).toBe(1);
    expect(t.after[id('c') * n + id('a')]).toBe(0);
    expect(['a', 'b', 'c', 'd'].map((c) => t.buyers[id(c)])).toEqual([2, 1, 2, 1]); // identified customers only
  });

  it('trending ranks what sold recently above what sold long ago', () => {
    const t = new ItemTables([inv(null, 1, 'old'), inv(null, 2, 'old'), inv(null, 3, 'old'), inv(null, 99, 'new')], NOW, plain);
    expect(new TrendingRecommender(t, 7).recommend({ items: [] }, 10, new Set())).toEqual(['new', 'old']);
    expect(new TrendingRecommender(t, Infinity).recommend({ items: [] }, 10, new Set())).toEqual(['old', 'new']);
  });

  it('max aggregation follows the strongest pair where sum follows the hub item', () => {
    const ys = ['y1', 'y2', 'y3', 'y4', 'y5'];
    const train = [
      // "hub" co-occurs moderately with every y (cosine 0.43 each); "mate" strongly with x (0.82).
      ...ys.flatMap((y, i) => [inv(null, i, y, 'hub'), inv(null, i, y, 'hub')]),
      inv(null, 1, 'x', 'hub'),
      inv(null, 3, 'x', 'mate'),
      inv(null, 4, 'x', 'mate'),
    ];
    const t = new ItemTables(train, NOW, plain);
    const basket = { items: ['x', ...ys] };
    const exclude = new Set(basket.items);
    const opts = { co: COSINE, trendWeight: 0, trendHalfLifeDays: 7 };
    expect(new BasketRecommender(t, { ...opts, aggregation: 'sum' }).recommend(basket, 1, exclude)).toEqual(['hub']);
    expect(new BasketRecommender(t, { ...opts, aggregation: 'max' }).recommend(basket, 1, exclude)).toEqual(['mate']);
  });

  it('history recommender scores "bought after" neighbours of recent items, never excluded ones, and falls back to trending', () => {
    const train = [inv(1, 1, 'a'), inv(1, 2, 'b'), inv(2, 3, 'a'), inv(2, 4, 'b'), inv(3, 5, 'p'), inv(3, 6, 'q'), inv(4, 90, 'z')];
    const t = new ItemTables(train, NOW, plain);
    const rec = new HistoryRecommender(t, {
      after: COSINE,
      co: COSINE,
      coWeight: 0,
      aggregation: 'max',
      historyHalfLifeDays: 30,
      trendWeight: 0.01,
      trendHalfLifeDays: 7,
    });
    const history = [
      { item: 'p', at: 0 },
      { item: 'a', at: 80 * DAY },
    ];
    const exclude = new Set(['a', 'p']);
    const out = rec.recommend({ items: ['a', 'p'], history }, 3, exclude);
    expect(out.slice(0, 2)).toEqual(['b', 'q']); // b follows the recent a; q follows p, bought long ago
    expect(out).not.toContain('a');
    expect(rec.recommend({ items: [] }, 1, new Set())).toEqual(['z']); // no history: trending
  });
});
