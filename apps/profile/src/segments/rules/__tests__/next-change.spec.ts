import type { ProfileState } from '../../../profiles/profile-state';
import { DAY, HOUR, MINUTE, NOW, entry, evaluate, profile } from './profile.factory';

/** nextChangeAt is exact: the answer is the same 1 ms before it and different at it. */
function expectFlipAt(definition: unknown, p: ProfileState, now: number, at: number): void {
  const r = evaluate(definition, p, now);
  expect(r.nextChangeAt).toBe(at);
  expect(evaluate(definition, p, at - 1).match).toBe(r.match);
  expect(evaluate(definition, p, at).match).toBe(!r.match);
}

describe('nextChangeAt', () => {
  describe('event count within a window', () => {
    const views = profile({ history: [NOW - DAY, NOW - 2 * DAY, NOW - 6 * DAY, NOW - 20 * DAY].map((at) => entry('product_view', at)) });

    it('ends a match when the entry that keeps the count at atLeast leaves the window', () => {
      expectFlipAt({ event: { type: 'product_view' }, count: { atLeast: 3 }, within: '7d' }, views, NOW, NOW + DAY);
      expectFlipAt({ event: { type: 'product_view' }, count: { atLeast: 2 }, within: '7d' }, views, NOW, NOW + 5 * DAY);
    });

    it('starts a match when enough entries age out to get under atMost', () => {
      expectFlipAt({ event: { type: 'product_view' }, count: { atMost: 1 }, within: '7d' }, views, NOW, NOW + 5 * DAY);
    });

    it('is null when time cannot change the answer', () => {
      expect(evaluate({ event: { type: 'product_view' }, count: { atLeast: 5 }, within: '7d' }, views).nextChangeAt).toBeNull();
      expect(evaluate({ event: { type: 'product_view' }, count: { atLeast: 3 } }, views).nextChangeAt).toBeNull();
      expect(evaluate({ event: { type: 'product_view' }, count: { atLeast: 0, atMost: 9 }, within: '7d' }, views).nextChangeAt).toBeNull();
    });
  });

  describe('notFollowedBy', () => {
    const rule = { event: { type: 'add_to_cart' }, notFollowedBy: { type: 'purchase' }, after: '60m', within: '7d' };
    const cartAt = NOW - 20 * MINUTE;
    const cart = profile({ history: [entry('add_to_cart', cartAt)] });

    it('becomes true when 60 minutes have passed, then false when the cart is older than within', () => {
      expectFlipAt(rule, cart, NOW, cartAt + HOUR);
      expectFlipAt(rule, cart, cartAt + HOUR, cartAt + 7 * DAY + 1);
      expect(evaluate(rule, cart, cartAt + 7 * DAY + 1).nextChangeAt).toBeNull();
    });

    it('becomes false when a purchase arrives (a new event, so a new evaluation) and stays so', () => {
      const bought = profile({ history: [...cart.history, entry('purchase', cartAt + 70 * MINUTE)] });
      expect(evaluate(rule, cart, cartAt + 71 * MINUTE).match).toBe(true);
      const r = evaluate(rule, bought, cartAt + 71 * MINUTE);
      expect(r).toMatchObject({ match: false, nextChangeAt: null });
    });

    it('without within, stays true', () => {
      const { within: _, ...open } = rule;
      expect(evaluate(open, cart, cartAt + 2 * HOUR)).toMatchObject({ match: true, nextChangeAt: null });
    });
  });

  describe('decaying affinity', () => {
    const p = profile({ affinities: { at: NOW - DAY, scores: { brand: {}, category: { shoes: 10 }, priceBand: {}, color: {}, size: {} } } });

    it('ends a match when the score decays below atLeast, one half-life for half the score', () => {
      const r = evaluate({ affinity: { dimension: 'category', value: 'shoes' }, atLeast: 5 }, p);
      expect(r.match).toBe(true);
      expect(Math.abs((r.nextChangeAt as number) - (NOW + 29 * DAY))).toBeLessThanOrEqual(2);
      expectFlipAt({ affinity: { dimension: 'category', value: 'shoes' }, atLeast: 5 }, p, NOW, r.nextChangeAt as number);
      expectFlipAt({ affinity: { dimension: 'category', value: 'shoes' }, atLeast: 3.3 }, p, NOW, evaluate({ affinity: { dimension: 'category', value: 'shoes' }, atLeast: 3.3 }, p).nextChangeAt as number);
    });

    it('is null when below the threshold or ranked only', () => {
      expect(evaluate({ affinity: { dimension: 'category', value: 'shoes' }, atLeast: 11 }, p).nextChangeAt).toBeNull();
      expect(evaluate({ affinity: { dimension: 'category', value: 'shoes' }, top: 1 }, p)).toMatchObject({ match: true, nextChangeAt: null });
    });
  });

  describe('stage', () => {
    const lastOrder = NOW - 80 * DAY;
    const buyer = profile({ eventCount: 5, counters: { purchase: 1 }, orders: { count: 1, revenue: 50, withDiscount: 0, firstAt: lastOrder, lastAt: lastOrder } });

    it('changes when a buyer lapses', () => {
      expectFlipAt({ field: 'stage', op: 'eq', value: 'first_time_buyer' }, buyer, NOW, lastOrder + 90 * DAY);
      expectFlipAt({ field: 'stage', op: 'eq', value: 'lapsed' }, buyer, NOW, lastOrder + 90 * DAY);
      expect(evaluate({ field: 'stage', op: 'eq', value: 'first_time_buyer' }, buyer, lastOrder + 90 * DAY).nextChangeAt).toBeNull();
    });

    it('is null when lapsing does not change the answer', () => {
      expect(evaluate({ field: 'stage', op: 'neq', value: 'engaged' }, buyer).nextChangeAt).toBeNull();
      expect(evaluate({ field: 'stage', op: 'in', value: ['first_time_buyer', 'lapsed'] }, buyer).nextChangeAt).toBeNull();
    });
  });

  describe('days-since fields', () => {
    const seen = NOW - 10 * DAY - 5 * HOUR;
    const p = profile({ lastSeenAt: seen, orders: { count: 1, revenue: 10, withDiscount: 0, firstAt: seen, lastAt: seen } });

    it.each([
      ['daysSinceLastSeen', 'gte', 30, seen + 30 * DAY],
      ['daysSinceLastSeen', 'gt', 30, seen + 31 * DAY],
      ['daysSinceLastSeen', 'gt', 10.5, seen + 11 * DAY],
      ['orders.daysSinceLast', 'lt', 14, seen + 14 * DAY],
      ['orders.daysSinceLast', 'lte', 14, seen + 15 * DAY],
      ['orders.daysSinceLast', 'eq', 10, seen + 11 * DAY],
      ['orders.daysSinceLast', 'eq', 12, seen + 12 * DAY],
      ['orders.daysSinceLast', 'in', [7, 12], seen + 12 * DAY],
      ['daysSinceFirstSeen', 'lt', 31, NOW - 30 * DAY + 31 * DAY],
    ])('%s %s %j flips at the day boundary', (field, op, value, at) => {
      expectFlipAt({ field, op, value }, p, NOW, at);
    });

    it('is null when time cannot change the answer', () => {
      expect(evaluate({ field: 'daysSinceLastSeen', op: 'gt', value: 3 }, p).nextChangeAt).toBeNull();
      expect(evaluate({ field: 'orders.daysSinceLast', op: 'eq', value: 2.5 }, p).nextChangeAt).toBeNull();
      expect(evaluate({ field: 'orders.daysSinceLast', op: 'exists' }, p).nextChangeAt).toBeNull();
    });
  });

  describe('all, any, not', () => {
    const p = profile({ history: [entry('product_view', NOW - DAY), entry('add_to_cart', NOW - 2 * HOUR)] });
    const viewed = { event: { type: 'product_view' }, within: '2d' }; // ends at NOW + 1d
    const carted = { event: { type: 'add_to_cart' }, within: '3h' }; // ends at NOW + 1h

    it('takes the earliest time among the children that decide', () => {
      expectFlipAt({ all: [viewed, carted] }, p, NOW, NOW + HOUR);
      expect(evaluate({ any: [viewed, carted] }, p).nextChangeAt).toBe(NOW + DAY);
      expectFlipAt({ not: { any: [viewed, carted] } }, p, NOW, NOW + DAY);
    });

    it('may be early (a re-evaluation that changes nothing), never late', () => {
      // any stops at its first holding child, whose time bounds the whole.
      const rule = { any: [carted, viewed] };
      expect(evaluate(rule, p)).toMatchObject({ match: true, nextChangeAt: NOW + HOUR });
      expect(evaluate(rule, p, NOW + HOUR)).toMatchObject({ match: true, nextChangeAt: NOW + DAY });
    });

    it('is null when a failing child of an all can only change with an event', () => {
      expect(evaluate({ all: [{ event: { type: 'purchase' } }, viewed] }, p).nextChangeAt).toBeNull();
    });
  });
});
