import { coOccurrenceNeighbours, sequenceNeighbours, topOf, type CoOccurrenceOptions, type Neighbours, type TimedOrder } from '../co-occurrence';

const DAY = 86_400_000;
const NOW = Date.UTC(2025, 0, 1);

const list = (nb: Neighbours | null) => (nb ? { items: Array.from(nb.items), scores: Array.from(nb.scores) } : null);
/** score(a → b) = co / (n(a)^alpha · n(b)^(1 − alpha) + shrink), as stored (float32). */
const cooc = (co: number, na: number, nb: number, alpha: number, shrink = 0) => Math.fround(co / (na ** alpha * nb ** (1 - alpha) + shrink));
const opts = (o: Partial<CoOccurrenceOptions> = {}): CoOccurrenceOptions => ({ topK: 10, alpha: 0.5, shrink: 0, minCount: 1, ...o });

// n = [3, 3, 2, 1, 0]; co(0,1) = 2, co(0,2) = 2, co(1,2) = 1, co(1,3) = 1; item 4 never seen.
const BASKETS = [[0, 1], [0, 1, 2], [0, 2], [1, 3]];

describe('topOf', () => {
  it('keeps positive scores, best first, ties by lower index, cut at k', () => {
    const scores = [0, 0.5, 0.9, 0.5, -1, 0.5];
    expect(list(topOf([5, 3, 1, 2, 4, 0], (j) => scores[j], 3))).toEqual({ items: [2, 1, 3], scores: [Math.fround(0.9), 0.5, 0.5] });
    expect(list(topOf([5, 3, 1, 2, 4, 0], (j) => scores[j], 10))?.items).toEqual([2, 1, 3, 5]);
    expect(list(topOf([0, 4], (j) => scores[j], 10))).toEqual({ items: [], scores: [] });
  });
});

describe('coOccurrenceNeighbours', () => {
  it('alpha 0.5 is cosine: exact scores on a hand-computed example', () => {
    const [nb] = coOccurrenceNeighbours(BASKETS, 5, [opts()]);
    expect(list(nb[0])).toEqual({ items: [2, 1], scores: [cooc(2, 3, 2, 0.5), cooc(2, 3, 3, 0.5)] });
    expect(list(nb[1])).toEqual({ items: [0, 3, 2], scores: [cooc(2, 3, 3, 0.5), cooc(1, 3, 1, 0.5), cooc(1, 3, 2, 0.5)] });
    expect(list(nb[2])).toEqual({ items: [0, 1], scores: [cooc(2, 2, 3, 0.5), cooc(1, 2, 3, 0.5)] });
    expect(list(nb[3])).toEqual({ items: [1], scores: [cooc(1, 1, 3, 0.5)] });
    expect(nb[4]).toBeNull();
    // The same numbers by hand: 2/√6, 2/3, 1/√3, 1/√6.
    expect(nb[0]?.scores[0]).toBeCloseTo(0.816497, 6);
    expect(nb[0]?.scores[1]).toBeCloseTo(0.666667, 6);
    expect(nb[1]?.scores[1]).toBeCloseTo(0.57735, 5);
    expect(nb[1]?.scores[2]).toBeCloseTo(0.408248, 6);
    // Cosine is symmetric.
    expect(nb[0]?.scores[0]).toBe(nb[2]?.scores[0]);
  });

  it('alpha 0.7 damps popular antecedents more than popular candidates (asymmetric)', () => {
    const [nb] = coOccurrenceNeighbours(BASKETS, 5, [opts({ alpha: 0.7 })]);
    expect(list(nb[0])).toEqual({ items: [2, 1], scores: [cooc(2, 3, 2, 0.7), cooc(2, 3, 3, 0.7)] });
    expect(list(nb[1])).toEqual({ items: [0, 3, 2], scores: [cooc(2, 3, 3, 0.7), cooc(1, 3, 1, 0.7), cooc(1, 3, 2, 0.7)] });
    expect(list(nb[2])).toEqual({ items: [0, 1], scores: [cooc(2, 2, 3, 0.7), cooc(1, 2, 3, 0.7)] });
    expect(list(nb[3])).toEqual({ items: [1], scores: [cooc(1, 1, 3, 0.7)] });
    expect(nb[0]?.scores[0]).toBeCloseTo(0.752898, 5); // 2 / (3^0.7 · 2^0.3)
    expect(nb[2]?.scores[0]).toBeCloseTo(0.885467, 5); // 2 / (2^0.7 · 3^0.3)
    expect(nb[3]?.scores[0]).toBeCloseTo(0.719223, 5); // 1 / 3^0.3
    expect(nb[0]?.scores[1]).toBeCloseTo(2 / 3, 6);
  });

  it('computes several variants in one pass, each as if alone', () => {
    const variants = [opts(), opts({ alpha: 0.7, topK: 1 }), opts({ shrink: 1 })];
    const all = coOccurrenceNeighbours(BASKETS, 5, variants);
    variants.forEach((v, i) => expect(all[i].map(list)).toEqual(coOccurrenceNeighbours(BASKETS, 5, [v])[0].map(list)));
    expect(list(all[2][0])).toEqual({ items: [2, 1], scores: [cooc(2, 3, 2, 0.5, 1), cooc(2, 3, 3, 0.5, 1)] });
    expect(all[2][0]?.scores[1]).toBeCloseTo(0.5, 6);
  });

  it('topK cuts each list', () => {
    const [nb] = coOccurrenceNeighbours(BASKETS, 5, [opts({ topK: 1 })]);
    expect(nb.map((x) => (x ? Array.from(x.items) : null))).toEqual([[2], [0], [0], [1], null]);
  });

  it('minCount ignores pairs seen fewer times (an item with none left has an empty list)', () => {
    const [nb] = coOccurrenceNeighbours(BASKETS, 5, [opts({ minCount: 2 })]);
    expect(list(nb[0])).toEqual({ items: [2, 1], scores: [cooc(2, 3, 2, 0.5), cooc(2, 3, 3, 0.5)] });
    expect(list(nb[1])).toEqual({ items: [0], scores: [cooc(2, 3, 3, 0.5)] });
    expect(list(nb[3])).toEqual({ items: [], scores: [] });
  });

  it('ties go to the lower index, whatever the order of the transactions', () => {
    const [a] = coOccurrenceNeighbours([[0, 3], [0, 1], [2, 0]], 4, [opts()]);
    expect(Array.from(a[0]?.items ?? [])).toEqual([1, 2, 3]);
    const [b] = coOccurrenceNeighbours([[3, 0], [0, 2], [1, 0]], 4, [opts()]);
    expect(list(b[0])).toEqual(list(a[0]));
  });

  it('single-item transactions and empty input give no neighbours', () => {
    expect(coOccurrenceNeighbours([[0], [1], [0]], 2, [opts()])[0].map(list)).toEqual([{ items: [], scores: [] }, { items: [], scores: [] }]);
    expect(coOccurrenceNeighbours([], 3, [opts()])[0]).toEqual([null, null, null]);
  });
});

describe('sequenceNeighbours', () => {
  const seq = (shoppers: TimedOrder[][], items: number, o: { windowDays?: number; halfLifeDays?: number } = {}) =>
    sequenceNeighbours(shoppers, items, { topK: 10, windowDays: 365, halfLifeDays: 10, nowMs: NOW, ...o }).map(list);
  const order = (daysAgo: number, ...items: number[]): TimedOrder => ({ at: NOW - daysAgo * DAY, items });

  it('after(a, b) sums recency weights of b purchases; score = after / √(u(a)·u(b))', () => {
    const shoppers = [
      [order(20, 0), order(10, 1)], // b bought 10 days ago: weight 2^-1
      [order(5, 0), order(0, 1)], // b bought now: weight 1
    ];
    expect(seq(shoppers, 3)).toEqual([{ items: [1], scores: [0.75] }, null, null]);
    // A third buyer of 1 (with nothing before) only grows u(1).
    expect(seq([...shoppers, [order(1, 1)]], 3)[0]).toEqual({ items: [1], scores: [Math.fround(1.5 / Math.sqrt(2 * 3))] });
    // Half-life 20: 2^-0.5 + 1 over 2.
    expect(seq(shoppers, 3, { halfLifeDays: 20 })[0]).toEqual({ items: [1], scores: [Math.fround((2 ** -0.5 + 1) / 2)] });
  });

  it('orders may come in any order', () => {
    expect(seq([[order(10, 1), order(20, 0)]], 2)).toEqual(seq([[order(20, 0), order(10, 1)]], 2));
  });

  it('only the first purchase of b counts: re-buys never lead anywhere', () => {
    // 0, then 1, then 0 again, then 1 again: only 0 → 1, at its first purchase.
    const out = seq([[order(40, 0), order(30, 1), order(20, 0), order(10, 1)]], 2);
    expect(out).toEqual([{ items: [1], scores: [Math.fround(2 ** -3)] }, null]);
  });

  it('each shopper counts once per pair, however often they bought a before', () => {
    const out = seq([[order(30, 0), order(20, 0), order(10, 1, 1)]], 2);
    expect(out[0]).toEqual({ items: [1], scores: [0.5] });
  });

  it('the window runs from the latest purchase of a; its end is included', () => {
    expect(seq([[order(30, 0), order(20, 1)]], 2, { windowDays: 7 })).toEqual([null, null]);
    expect(seq([[order(30, 0), order(20, 1)]], 2, { windowDays: 10 })[0]?.items).toEqual([1]);
    expect(seq([[order(40, 0), order(25, 0), order(20, 1)]], 2, { windowDays: 7 })[0]?.items).toEqual([1]);
  });

  it('orders at the same instant are one order: no sequence between them', () => {
    expect(seq([[order(10, 0), order(10, 1)]], 2)).toEqual([null, null]);
    // ...but both lead to what comes later.
    const out = seq([[order(10, 0), order(10, 1), order(5, 2)]], 3);
    expect(out[0]?.items).toEqual([2]);
    expect(out[1]?.items).toEqual([2]);
    expect(out[2]).toBeNull();
  });

  it('every item of an earlier order leads to every new item of a later one; ties by index; topK', () => {
    const shoppers = [[order(3, 0, 4), order(2, 2, 1)]];
    const out = seq(shoppers, 5);
    expect(out[0]).toEqual({ items: [1, 2], scores: [Math.fround(2 ** -0.2), Math.fround(2 ** -0.2)] });
    expect(out[4]?.items).toEqual([1, 2]);
    expect(sequenceNeighbours(shoppers, 5, { topK: 1, windowDays: 365, halfLifeDays: 10, nowMs: NOW })[0]?.items).toEqual(Int32Array.from([1]));
  });

  it('is directional: a → b does not give b → a', () => {
    const out = seq([[order(10, 0), order(5, 1)], [order(10, 0), order(5, 1)], [order(10, 1), order(5, 0)]], 2);
    // 0 → 1: two shoppers (weight 2^-0.5 each) over √(3·3); 1 → 0: the third shopper, whose first 0 came after 1.
    expect(out[0]).toEqual({ items: [1], scores: [Math.fround((2 * 2 ** -0.5) / 3)] });
    expect(out[1]).toEqual({ items: [0], scores: [Math.fround(2 ** -0.5 / 3)] });
  });
});
