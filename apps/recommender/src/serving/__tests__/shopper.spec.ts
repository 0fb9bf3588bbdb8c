import type { InteractionKind } from '../../interactions/interactions';
import { INTEREST_WEIGHTS as SIGNAL_WEIGHTS } from '../../interactions/interactions';
import { EMPTY_SHOPPER, shopperFrom, type InteractionRow } from '../shopper';

const DAY = 86_400_000;
const NOW = Date.UTC(2025, 5, 1);
const row = (product_id: string, kind: InteractionKind, minutesAgo: number, context_id: string | null = null): InteractionRow => ({
  product_id,
  kind,
  context_id,
  at: new Date(NOW - minutesAgo * 60_000),
});

/** Every permutation of a short list. */
function permutations<T>(xs: readonly T[]): T[][] {
  if (xs.length <= 1) return [[...xs]];
  return xs.flatMap((x, i) => permutations([...xs.slice(0, i), ...xs.slice(i + 1)]).map((p) => [x, ...p]));
}

const shopper = (rows: InteractionRow[], halfLifeDays = 30) => shopperFrom(rows, NOW, halfLifeDays);

describe('shopperFrom', () => {
  it('no rows: the unknown shopper', () => {
    expect(shopper([])).toBe(EMPTY_SHOPPER);
    expect(EMPTY_SHOPPER.known).toBe(false);
  });

  it('cart follows the latest add or remove per product, whatever order the rows arrive in', () => {
    const rows = [row('a', 'cart_add', 50), row('a', 'cart_remove', 40), row('b', 'cart_add', 30), row('a', 'cart_add', 20), row('c', 'cart_add', 10), row('c', 'cart_remove', 5)];
    for (const p of permutations(rows)) expect([...shopper(p).cart].sort()).toEqual(['a', 'b']);
  });

  it('a purchase empties the cart of everything added before it, whatever was bought', () => {
    const rows = [row('a', 'cart_add', 50), row('b', 'cart_add', 40), row('a', 'purchase', 30, 'o1'), row('c', 'cart_add', 20)];
    for (const p of permutations(rows)) expect([...shopper(p).cart]).toEqual(['c']);
  });

  it('hearts follow the latest heart or unheart by time, newest first', () => {
    const rows = [row('a', 'heart', 60), row('b', 'heart', 50), row('a', 'unheart', 40), row('c', 'heart', 30), row('a', 'heart', 20), row('d', 'heart', 10), row('d', 'unheart', 5)];
    for (const p of permutations(rows.slice(0, 6))) expect(shopper(p).hearted).toEqual(['d', 'a', 'c', 'b']);
    for (const p of permutations(rows)) expect(shopper(p).hearted).toEqual(['a', 'c', 'b']);
    // A late-arriving old unheart does not undo a newer heart.
    expect(shopper([row('x', 'heart', 1), row('x', 'unheart', 100)]).hearted).toEqual(['x']);
  });

  it('purchased: every product with the time of its latest purchase; lastOrder: the items of the newest order', () => {
    const rows = [row('a', 'purchase', 300, 'o1'), row('b', 'purchase', 300, 'o1'), row('c', 'purchase', 100, 'o2'), row('a', 'purchase', 100, 'o2'), row('z', 'view', 1)];
    for (const p of permutations(rows)) {
      const s = shopper(p);
      expect(Object.fromEntries(s.purchased)).toEqual({ a: NOW - 100 * 60_000, b: NOW - 300 * 60_000, c: NOW - 100 * 60_000 });
      expect([...s.lastOrder].sort()).toEqual(['a', 'c']);
    }
  });

  it('purchases without an order id are grouped by their instant', () => {
    const s = shopper([row('a', 'purchase', 10), row('b', 'purchase', 10), row('c', 'purchase', 20)]);
    expect([...s.lastOrder].sort()).toEqual(['a', 'b']);
  });

  it('signals: decayed weights summed per product, strongest kind, sorted by weight then recency', () => {
    const s = shopper(
      [row('v', 'view', 0), row('v', 'view', 30 * 24 * 60), row('h', 'heart', 0), row('h', 'unheart', 0), row('p', 'view', 0), row('p', 'purchase', 60 * 24 * 60, 'o'), row('r', 'cart_remove', 0), row('u', 'unheart', 0)],
      30,
    );
    expect(s.known).toBe(true);
    expect(s.signals).toEqual([
      { productId: 'h', kind: 'heart', weight: 6, lastAtMs: NOW },
      { productId: 'p', kind: 'purchase', weight: 1 + 10 / 4, lastAtMs: NOW },
      { productId: 'v', kind: 'view', weight: 1.5, lastAtMs: NOW },
    ]);
  });

  it('kind is the strongest seen, not the latest; equal weights order by recency', () => {
    const s = shopper([row('a', 'cart_add', 10), row('a', 'click', 5), row('a', 'view', 1), row('b', 'click', 100), row('c', 'click', 50)], 1e9);
    expect(s.signals.map((x) => [x.productId, x.kind])).toEqual([
      ['a', 'cart_add'],
      ['c', 'click'],
      ['b', 'click'],
    ]);
    expect(s.signals[0].weight).toBeCloseTo(SIGNAL_WEIGHTS.cart_add + SIGNAL_WEIGHTS.click + SIGNAL_WEIGHTS.view, 6);
    expect(s.signals[0].lastAtMs).toBe(NOW - 60_000);
  });

  it('a weight halves every halfLifeDays', () => {
    const [s] = shopper([row('a', 'purchase', (7 * DAY) / 60_000, 'o')], 7).signals;
    expect(s.weight).toBeCloseTo(5, 12);
  });

  it('only removals: known, but with nothing to go on', () => {
    const s = shopper([row('a', 'cart_remove', 1), row('b', 'unheart', 1)]);
    expect(s).toMatchObject({ known: true, signals: [], hearted: [], lastOrder: [] });
    expect(s.cart.size).toBe(0);
  });
});
