import type { ProfileState } from '../../../profiles/profile-state';
import { DAY, HOUR, MINUTE, NOW, entry, evaluate, profile } from './profile.factory';

const matches = (definition: unknown, p: ProfileState, now = NOW) => evaluate(definition, p, now).match;

const buyer = profile({
  customerId: 'c1',
  email: { value: 'ann@example.com', at: NOW - DAY },
  eventCount: 40,
  counters: { purchase: 3, campaign_open: 4, campaign_click: 1, product_view: 30 },
  orders: { count: 3, revenue: 300, withDiscount: 1, firstAt: NOW - 60 * DAY, lastAt: NOW - 10 * DAY - HOUR },
  consent: { email: { value: true, at: NOW - DAY }, sms: { value: false, at: NOW - DAY } },
  device: { type: 'mobile' },
  geo: { country: 'FR', region: 'ARA', city: 'Lyon' },
  timezone: 'Europe/Paris',
});
const visitor = profile({ eventCount: 1, counters: { page_view: 1 } });

describe('field rules', () => {
  it.each([
    ['stage', 'eq', 'repeat_buyer', true, false],
    ['stage', 'in', ['first_time_buyer', 'new_visitor'], false, true],
    ['eventCount', 'gte', 40, true, false],
    ['counters.purchase', 'eq', 3, true, false],
    ['counters.signup', 'eq', 0, true, true],
    ['orders.count', 'gt', 2, true, false],
    ['orders.revenue', 'lte', 300, true, true],
    ['orders.aov', 'eq', 100, true, false],
    ['orders.daysSinceLast', 'eq', 10, true, false],
    ['discountSensitivity', 'lt', 0.34, true, false],
    ['offerResponseRate', 'eq', 0.25, true, false],
    ['daysSinceFirstSeen', 'eq', 30, true, true],
    ['daysSinceLastSeen', 'lt', 1, true, true],
    ['country', 'eq', 'FR', true, false],
    ['region', 'in', ['ARA', 'IDF'], true, false],
    ['city', 'neq', 'Paris', true, true],
    ['timezone', 'eq', 'Europe/Paris', true, false],
    ['deviceType', 'notIn', ['desktop'], true, true],
    ['customer', 'eq', true, true, false],
    ['hasEmail', 'eq', true, true, false],
    ['consent.email', 'eq', true, true, false],
    ['consent.sms', 'eq', false, true, false],
  ])('%s %s %j: buyer %s, visitor %s', (field, op, value, forBuyer, forVisitor) => {
    expect(matches({ field, op, value }, buyer)).toBe(forBuyer);
    expect(matches({ field, op, value }, visitor)).toBe(forVisitor);
  });

  it('treats a field without a value as absent: only notExists, neq and notIn hold', () => {
    for (const [field, value] of [['orders.aov', 1], ['orders.daysSinceLast', 1], ['discountSensitivity', 1], ['offerResponseRate', 1], ['country', 'FR'], ['deviceType', 'mobile'], ['consent.push', true]]) {
      expect(matches({ field, op: 'exists' }, visitor)).toBe(false);
      expect(matches({ field, op: 'notExists' }, visitor)).toBe(true);
      expect(matches({ field, op: 'neq', value }, visitor)).toBe(true);
      expect(matches({ field, op: 'eq', value }, visitor)).toBe(false);
    }
    expect(matches({ field: 'orders.aov', op: 'gt', value: 0 }, visitor)).toBe(false);
    expect(matches({ field: 'orders.aov', op: 'lt', value: 1e9 }, visitor)).toBe(false);
    expect(matches({ field: 'country', op: 'notIn', value: ['FR'] }, visitor)).toBe(true);
  });

  it('counts whole days since a time', () => {
    expect(matches({ field: 'orders.daysSinceLast', op: 'gt', value: 9 }, buyer)).toBe(true);
    expect(matches({ field: 'orders.daysSinceLast', op: 'gt', value: 10 }, buyer)).toBe(false);
    expect(evaluate({ field: 'daysSinceFirstSeen', op: 'eq', value: 29 }, buyer).because).toBe('definition: daysSinceFirstSeen is 30 (needs = 29)');
  });
});

describe('trait rules', () => {
  const p = profile({
    traits: {
      'quiz.skin.type': { value: 'dry', at: NOW },
      sizes: { value: ['S', 'M'], at: NOW },
      shoeSize: { value: 41, at: NOW },
      vip: { value: true, at: NOW },
    },
  });

  it.each([
    [{ trait: 'quiz.skin.type', op: 'eq', value: 'dry' }, true],
    [{ trait: 'quiz.skin.type', op: 'in', value: ['oily', 'dry'] }, true],
    [{ trait: 'quiz.skin.type', op: 'gt', value: 1 }, false],
    [{ trait: 'sizes', op: 'contains', value: 'M' }, true],
    [{ trait: 'sizes', op: 'contains', value: 'L' }, false],
    [{ trait: 'sizes', op: 'eq', value: 'M' }, false],
    [{ trait: 'quiz.skin.type', op: 'contains', value: 'dry' }, false],
    [{ trait: 'shoeSize', op: 'gte', value: 41 }, true],
    [{ trait: 'shoeSize', op: 'lt', value: 41 }, false],
    [{ trait: 'vip', op: 'eq', value: true }, true],
    [{ trait: 'vip', op: 'exists' }, true],
    [{ trait: 'missing', op: 'exists' }, false],
    [{ trait: 'missing', op: 'notExists' }, true],
    [{ trait: 'missing', op: 'neq', value: 'x' }, true],
    [{ trait: 'missing', op: 'eq', value: 'x' }, false],
    [{ trait: 'constructor', op: 'exists' }, false],
    [{ trait: '__proto__', op: 'exists' }, false],
  ])('%j → %s', (definition, expected) => {
    expect(matches(definition, p)).toBe(expected);
  });

  it('says what it found', () => {
    expect(evaluate({ trait: 'quiz.skin.type', op: 'in', value: ['oily', 'normal'] }, p).because).toBe("definition: trait 'quiz.skin.type' is 'dry' (needs in ['oily', 'normal'])");
  });
});

describe('affinity rules', () => {
  const p = profile({
    affinities: { at: NOW, scores: { brand: { acme: 8, zen: 3 }, category: { shoes: 12, bags: 6, hats: 1 }, priceBand: {}, color: {}, size: {} } },
  });

  it.each([
    [{ affinity: { dimension: 'category', value: 'Shoes' }, atLeast: 10 }, true],
    [{ affinity: { dimension: 'category', value: 'bags' }, atLeast: 10 }, false],
    [{ affinity: { dimension: 'category', value: 'bags' }, top: 2 }, true],
    [{ affinity: { dimension: 'category', value: 'hats' }, top: 2 }, false],
    [{ affinity: { dimension: 'category', value: 'socks' }, top: 40 }, false],
    [{ affinity: { dimension: 'brand', value: 'Acme' }, atLeast: 5, top: 1 }, true],
    [{ affinity: { dimension: 'brand', value: 'Zen' }, atLeast: 1, top: 1 }, false],
    [{ affinity: { dimension: 'brand', value: 'constructor' }, atLeast: 0.001 }, false],
  ])('%j → %s', (definition, expected) => {
    expect(matches(definition, p)).toBe(expected);
  });

  it('decays the score with the half-life', () => {
    const rule = { affinity: { dimension: 'category', value: 'shoes' }, atLeast: 6 };
    expect(matches(rule, p, NOW + 30 * DAY - MINUTE)).toBe(true);
    expect(matches(rule, p, NOW + 30 * DAY + MINUTE)).toBe(false);
  });

  it('says the score and the rank', () => {
    expect(evaluate({ affinity: { dimension: 'category', value: 'hats' }, atLeast: 0.5, top: 2 }, p).because).toBe(
      "definition: affinity category 'hats' scores 1 (needs ≥ 0.5), ranks #3 (needs top 2)",
    );
  });
});

describe('event count rules', () => {
  const p = profile({
    history: [
      entry('product_view', NOW - HOUR, { productId: 'p1', categories: ['shoes', 'sneakers'], brand: 'Acme', color: 'Red', size: '41', priceBand: 'mid', value: 80 }),
      entry('product_view', NOW - 2 * DAY, { productId: 'p2', categories: ['shoes'], brand: 'Zen' }),
      entry('product_view', NOW - 10 * DAY, { productId: 'p3', categories: ['bags'] }),
      entry('add_to_cart', NOW - 30 * MINUTE, { productId: 'p1', categories: ['shoes', 'sneakers'], value: 160 }),
    ],
  });

  it.each([
    [{ event: { type: 'product_view' } }, true],
    [{ event: { type: 'purchase' } }, false],
    [{ event: { type: 'product_view' }, count: { atLeast: 3 } }, true],
    [{ event: { type: 'product_view' }, count: { atLeast: 3 }, within: '7d' }, false],
    [{ event: { type: 'product_view', category: 'SHOES' }, count: { atLeast: 2 }, within: '7d' }, true],
    [{ event: { type: 'product_view', category: 'shoes' }, within: '30m' }, false],
    [{ event: { type: 'product_view' }, count: { atMost: 2 }, within: '7d' }, true],
    [{ event: { type: 'product_view' }, count: { atMost: 2 } }, false],
    [{ event: { type: 'purchase' }, count: { atMost: 0 } }, true],
    [{ event: { type: 'product_view', brand: 'acme', color: 'RED', size: '41' } }, true],
    [{ event: { type: 'product_view', brand: 'zen', productId: 'p1' } }, false],
    [{ event: { type: 'product_view', priceBand: 'mid', minValue: 80 } }, true],
    [{ event: { type: 'product_view', minValue: 81 } }, false],
    [{ event: { type: ['add_to_cart', 'purchase'], minValue: 100 }, within: '1h' }, true],
    [{ event: { type: ['product_view', 'add_to_cart'], category: 'sneakers' }, count: { atLeast: 2, atMost: 2 } }, true],
  ])('%j → %s', (definition, expected) => {
    expect(matches(definition, p)).toBe(expected);
  });

  it('names what it counted', () => {
    expect(evaluate({ event: { type: 'product_view', category: 'Shoes' }, count: { atLeast: 3 }, within: '7d' }, p).because).toBe(
      "definition: viewed category 'shoes' 2 times in 7d (needs ≥ 3)",
    );
    expect(evaluate({ event: { type: 'purchase' }, count: { atMost: 0 } }, p).because).toBe('definition: bought 0 times in all remembered history (needs ≤ 0)');
  });
});

describe('notFollowedBy rules', () => {
  const rule = { event: { type: 'add_to_cart' }, notFollowedBy: { type: 'purchase' }, after: '60m' };

  it('holds once the event has gone long enough without the follow-up', () => {
    const p = profile({ history: [entry('add_to_cart', NOW - 90 * MINUTE)] });
    const r = evaluate(rule, p);
    expect(r.match).toBe(true);
    expect(r.because).toBe('definition: added to cart 90m ago and not bought since (needs 60m without)');
  });

  it('does not hold while the event is too recent', () => {
    expect(matches(rule, profile({ history: [entry('add_to_cart', NOW - 20 * MINUTE)] }))).toBe(false);
  });

  it('does not hold when the follow-up came, but an event after the follow-up counts again', () => {
    const followed = profile({ history: [entry('add_to_cart', NOW - 3 * HOUR), entry('purchase', NOW - 2 * HOUR)] });
    expect(matches(rule, followed)).toBe(false);
    expect(evaluate(rule, followed).because).toBe('definition: no added to cart without bought after it (needs 60m without)');
    const again = profile({ history: [...followed.history, entry('add_to_cart', NOW - 61 * MINUTE)] });
    expect(matches(rule, again)).toBe(true);
  });

  it('ignores events older than within', () => {
    const p = profile({ history: [entry('add_to_cart', NOW - 8 * DAY)] });
    expect(matches({ ...rule, within: '7d' }, p)).toBe(false);
    expect(matches(rule, p)).toBe(true);
  });

  it('matches both sides on their own conditions', () => {
    const p = profile({ history: [entry('product_view', NOW - 2 * HOUR, { productId: 'p1' }), entry('add_to_cart', NOW - HOUR, { productId: 'p2' })] });
    expect(matches({ event: { type: 'product_view', productId: 'p1' }, notFollowedBy: { type: 'add_to_cart', productId: 'p1' }, after: '1h' }, p)).toBe(true);
    expect(matches({ event: { type: 'product_view', productId: 'p1' }, notFollowedBy: { type: 'add_to_cart' }, after: '1h' }, p)).toBe(false);
  });
});

describe('all, any, not', () => {
  const yes = { field: 'eventCount', op: 'gte', value: 1 };
  const no = { field: 'eventCount', op: 'gte', value: 2 };

  it.each([
    [{ all: [yes, yes] }, true],
    [{ all: [yes, no] }, false],
    [{ any: [no, yes] }, true],
    [{ any: [no, no] }, false],
    [{ not: no }, true],
    [{ not: { any: [yes, no] } }, false],
  ])('%j → %s', (definition, expected) => {
    expect(matches(definition, visitor)).toBe(expected);
  });

  it('explains a match by every leaf of an all, and by the first satisfied child of an any', () => {
    expect(evaluate({ all: [yes, { any: [no, yes] }] }, visitor).because).toBe(
      'definition.all[0]: eventCount is 1 (needs ≥ 1); definition.all[1].any[1]: eventCount is 1 (needs ≥ 1)',
    );
  });

  it('explains a miss by the first failing leaf', () => {
    expect(evaluate({ all: [yes, no, no] }, visitor).because).toBe('definition.all[1]: eventCount is 1 (needs ≥ 2)');
    expect(evaluate({ not: { all: [yes, yes] } }, visitor).because).toBe('definition.not.all[0]: eventCount is 1 (needs ≥ 1); definition.not.all[1]: eventCount is 1 (needs ≥ 1)');
  });

  it('keeps the reason under 500 characters and serializes it', () => {
    const r = evaluate({ all: Array.from({ length: 50 }, () => yes) }, visitor);
    expect(r.because.length).toBeLessThanOrEqual(500);
    expect(JSON.parse(JSON.stringify(r))).toEqual({ match: true, because: r.because, nextChangeAt: null });
  });
});
