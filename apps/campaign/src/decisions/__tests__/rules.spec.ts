import type { Condition, Variant } from '../definitions';
import {
  UNKNOWN_SHOPPER,
  allowedVariants,
  bucket,
  chooseVariant,
  inHoldout,
  isDiscountSensitive,
  matches,
  offerAllowed,
  restingReason,
  running,
  type OfferState,
  type RuleContext,
  type Shopper,
} from '../rules';

const shopper = (o: Partial<Shopper> = {}): Shopper => ({ ...UNKNOWN_SHOPPER, known: true, stage: 'browsing', ...o });
const ctx = (s: Partial<Shopper> = {}, page: Partial<RuleContext> = {}): RuleContext => ({ shopper: shopper(s), ...page });
const variant = (variantId: string, kind: Variant['kind'], o: Partial<Variant> = {}): Variant => ({ variantId, kind, weight: 1, content: { title: variantId }, ...o });
const ids = (vs: Variant[]) => vs.map((v) => v.variantId);
const noOffers = new Map<string, OfferState>();

describe('matches (the condition language)', () => {
  it('stage, segment, trait, orders, consent, country', () => {
    const c = ctx({ stage: 'loyal', segments: ['vip'], traits: { style: 'boho', sizes: ['m', 'l'] }, ordersCount: 5, consentEmail: true, country: 'DE' });
    expect(matches({ stage: { in: ['loyal', 'repeat_buyer'] } }, c)).toBe(true);
    expect(matches({ stage: { in: ['new_visitor'] } }, c)).toBe(false);
    expect(matches({ segment: { in: ['x', 'vip'] } }, c)).toBe(true);
    expect(matches({ segment: { in: ['x'] } }, c)).toBe(false);
    expect(matches({ trait: { key: 'style', equals: 'boho' } }, c)).toBe(true);
    expect(matches({ trait: { key: 'sizes', equals: 'l' } }, c)).toBe(true);
    expect(matches({ trait: { key: 'style', equals: 'punk' } }, c)).toBe(false);
    expect(matches({ orders: { gte: 5 } }, c)).toBe(true);
    expect(matches({ orders: { gte: 6 } }, c)).toBe(false);
    expect(matches({ orders: { lte: 0 } }, c)).toBe(false);
    expect(matches({ consent: { email: true } }, c)).toBe(true);
    expect(matches({ consent: { push: true } }, c)).toBe(false);
    expect(matches({ country: { in: ['de'] } }, c)).toBe(true);
    expect(matches({ country: { in: ['FR'] } }, ctx())).toBe(false);
  });

  it('all, any and not combine', () => {
    const c = ctx({ stage: 'engaged', segments: ['a'] });
    const yes: Condition = { stage: { in: ['engaged'] } };
    const no: Condition = { segment: { in: ['b'] } };
    expect(matches({ all: [yes, no] }, c)).toBe(false);
    expect(matches({ any: [yes, no] }, c)).toBe(true);
    expect(matches({ not: no }, c)).toBe(true);
    expect(matches({ all: [yes, { not: { any: [no] } }] }, c)).toBe(true);
  });

  it('page matches with * as a wildcard, whole value, any case; a decision without page fails it', () => {
    expect(matches({ page: { matches: '/products/*' } }, ctx({}, { page: '/Products/rug-1' }))).toBe(true);
    expect(matches({ page: { matches: 'product' } }, ctx({}, { page: 'product-list' }))).toBe(false);
    expect(matches({ page: { matches: '/a.b' } }, ctx({}, { page: '/aXb' }))).toBe(false);
    expect(matches({ page: { matches: '*' } }, ctx())).toBe(false);
  });

  it('productPurchased and discountSensitive', () => {
    expect(matches({ productPurchased: true }, ctx({ purchased: ['p1'] }, { productId: 'p1' }))).toBe(true);
    expect(matches({ productPurchased: true }, ctx({ purchased: ['p1'] }, { productId: 'p2' }))).toBe(false);
    expect(matches({ productPurchased: false }, ctx({ purchased: ['p1'] }))).toBe(true);
    expect(matches({ discountSensitive: true }, ctx({ discountOrderShare: 0.5 }))).toBe(true);
    expect(matches({ discountSensitive: true }, ctx({ offerResponseRate: 0.3 }))).toBe(true);
    expect(matches({ discountSensitive: false }, ctx({ discountOrderShare: 0.49, offerResponseRate: 0.29 }))).toBe(true);
  });
});

describe('built-in guards', () => {
  it('no sign-up variant for a subscriber by stage, nor for one who gave e-mail consent', () => {
    const vs = [variant('join', 'signup'), variant('hello', 'info')];
    expect(ids(allowedVariants(vs, ctx({ stage: 'subscribed' }), noOffers))).toEqual(['hello']);
    expect(ids(allowedVariants(vs, ctx({ stage: 'loyal', consentEmail: true }), noOffers))).toEqual(['hello']);
    expect(ids(allowedVariants(vs, { shopper: UNKNOWN_SHOPPER }, noOffers))).toEqual(['join', 'hello']);
  });

  it('buy gives way to review on a product the shopper bought, and review only shows there', () => {
    const vs = [variant('buy-now', 'buy'), variant('write-review', 'review')];
    expect(ids(allowedVariants(vs, ctx({ purchased: ['p1'] }, { productId: 'p1' }), noOffers))).toEqual(['write-review']);
    expect(ids(allowedVariants(vs, ctx({ purchased: ['p1'] }, { productId: 'p2' }), noOffers))).toEqual(['buy-now']);
    expect(ids(allowedVariants([variant('buy-now', 'buy')], ctx({ purchased: ['p1'] }, { productId: 'p1' }), noOffers))).toEqual([]);
  });

  it('a first-purchase offer never goes to anyone with orders', () => {
    const offers = new Map<string, OfferState>([['welcome', { kind: 'first_purchase', active: true }]]);
    const vs = [variant('w', 'offer', { offerId: 'welcome' })];
    expect(ids(allowedVariants(vs, ctx({ ordersCount: 0 }), offers))).toEqual(['w']);
    expect(ids(allowedVariants(vs, ctx({ ordersCount: 1, stage: 'loyal' }), offers))).toEqual([]);
    expect(offerAllowed('first_purchase', shopper({ ordersCount: 3 })).ok).toBe(false);
  });

  it('a loyalty reward needs an order', () => {
    expect(offerAllowed('loyalty', shopper({ ordersCount: 0 })).ok).toBe(false);
    expect(offerAllowed('loyalty', shopper({ ordersCount: 4 })).ok).toBe(true);
  });

  it('incentives only for discount-sensitive shoppers, and not for the discount-dependent', () => {
    expect(isDiscountSensitive(shopper())).toBe(false);
    expect(offerAllowed('incentive', shopper({ discountOrderShare: 0.2, offerResponseRate: 0.1 })).ok).toBe(false);
    expect(offerAllowed('incentive', shopper({ discountOrderShare: 0.6, ordersCount: 2 })).ok).toBe(true);
    expect(offerAllowed('incentive', shopper({ offerResponseRate: 0.4 })).ok).toBe(true);
    expect(offerAllowed('incentive', shopper({ discountOrderShare: 1, ordersCount: 3 })).ok).toBe(false);
    expect(offerAllowed('incentive', shopper({ discountOrderShare: 1, ordersCount: 2 })).ok).toBe(true);
  });

  it('variants of paused or unknown offers are left out', () => {
    const offers = new Map<string, OfferState>([['off', { kind: 'loyalty', active: false }]]);
    const vs = [variant('a', 'offer', { offerId: 'off' }), variant('b', 'offer', { offerId: 'gone' }), variant('c', 'info')];
    expect(ids(allowedVariants(vs, ctx({ ordersCount: 3 }), offers))).toEqual(['c']);
  });
});

describe('deterministic choice', () => {
  it('the same shopper gets the same variant every time; shoppers spread by weight', () => {
    const vs = [variant('a', 'info', { weight: 3 }), variant('b', 'info', { weight: 1 })];
    expect(chooseVariant(vs, 'c1', 'p-1')).toBe(chooseVariant(vs, 'c1', 'p-1'));
    const counts = { a: 0, b: 0 };
    for (let i = 0; i < 4000; i++) counts[(chooseVariant(vs, 'c1', `p-${i}`) as Variant).variantId as 'a' | 'b']++;
    expect(counts.a / 4000).toBeGreaterThan(0.7);
    expect(counts.a / 4000).toBeLessThan(0.8);
  });

  it('holdout takes the given share of shoppers, the same ones every time, and none at share 0', () => {
    let held = 0;
    for (let i = 0; i < 4000; i++) if (inHoldout('c1', `p-${i}`, 0.2)) held++;
    expect(held / 4000).toBeGreaterThan(0.17);
    expect(held / 4000).toBeLessThan(0.23);
    expect(inHoldout('c1', 'p-7', 0.2)).toBe(inHoldout('c1', 'p-7', 0.2));
    expect(Array.from({ length: 500 }, (_, i) => inHoldout('c1', `p-${i}`, 0)).some(Boolean)).toBe(false);
    // Per campaign: a shopper held out of one is not held out of every other.
    expect(bucket('holdout', 'c1', 'p-1')).not.toBe(bucket('holdout', 'c2', 'p-1'));
  });
});

describe('caps, cool-downs and dates', () => {
  const now = new Date('2026-01-10T12:00:00Z');
  const hoursAgo = (h: number) => new Date(now.getTime() - h * 3_600_000);

  it('caps impressions within the window', () => {
    const c = { cap: { impressions: 2, windowHours: 24 }, cooldownHours: 0 };
    expect(restingReason(c, [{ type: 'impression', at: hoursAgo(1) }], now)).toBeNull();
    expect(restingReason(c, [{ type: 'impression', at: hoursAgo(1) }, { type: 'impression', at: hoursAgo(2) }], now)).toBe('capped');
    expect(restingReason(c, [{ type: 'impression', at: hoursAgo(1) }, { type: 'impression', at: hoursAgo(30) }], now)).toBeNull();
  });

  it('cools down after a click or dismiss, not after an impression', () => {
    const c = { cooldownHours: 48 };
    expect(restingReason(c, [{ type: 'dismiss', at: hoursAgo(47) }], now)).toBe('cooling down');
    expect(restingReason(c, [{ type: 'click', at: hoursAgo(1) }], now)).toBe('cooling down');
    expect(restingReason(c, [{ type: 'dismiss', at: hoursAgo(49) }], now)).toBeNull();
    expect(restingReason(c, [{ type: 'impression', at: hoursAgo(1) }], now)).toBeNull();
  });

  it('runs only while active and between its dates', () => {
    expect(running({ status: 'active' }, now)).toBe(true);
    expect(running({ status: 'paused' }, now)).toBe(false);
    expect(running({ status: 'active', startsAt: '2026-01-11T00:00:00Z' }, now)).toBe(false);
    expect(running({ status: 'active', endsAt: '2026-01-10T00:00:00Z' }, now)).toBe(false);
  });
});
