import type { EnrichedEvent, EventType } from '@signal/contracts';
import { applyContext } from '../../../test/apply-context';
import { enrichedEvent } from '../../../test/enriched-event.factory';
import { withDefaults } from '../../settings/store-settings';
import { affinityScore } from '../affinities';
import { applyEvent, emptyProfile, mergeProfiles, toView, type ProfileState } from '../profile-state';
import { stageAt } from '../stage';

const DAY = 86_400_000;
const T0 = Date.parse('2025-03-01T00:00:00Z');
const iso = (t: number) => new Date(t).toISOString();
const products = {
  phone: { brand: 'Acme', categories: ['electronics', 'phones'], price: 699, color: 'Black' },
  case: { brand: 'Shell', categories: ['electronics', 'phone cases'], price: 19 },
  test: { brand: 'Care', categories: ['health', 'pregnancy tests'], price: 12 },
};
const ctx = applyContext({ products, settings: { sensitiveCategories: ['Pregnancy Tests'] } });
const ev = (type: EventType, at: number, properties: Record<string, unknown> = {}): EnrichedEvent =>
  enrichedEvent({ storeId: 's1', anonymousId: 'a1', type, occurredAt: iso(at), properties });
const fold = (events: EnrichedEvent[], c = ctx): ProfileState => events.reduce((p, e) => applyEvent(p, e, c), emptyProfile('s1', 'p1', null));
const purchase = (at: number, items: { productId: string; price: number; quantity?: number }[], extra: Record<string, unknown> = {}) =>
  ev('purchase', at, { orderId: `o${at}`, currency: 'EUR', value: items.reduce((s, i) => s + i.price * (i.quantity ?? 1), 0), items: items.map((i) => ({ quantity: 1, ...i })), ...extra });

describe('affinities', () => {
  it('weights view < click < add-to-cart < heart < purchase, from the catalog facts', () => {
    const score = (type: EventType) => {
      const p = fold(type === 'purchase' ? [purchase(T0, [{ productId: 'phone', price: 699 }])] : [ev(type, T0, { productId: 'phone' })]);
      return affinityScore(p.affinities, 'brand', 'acme', T0, 30);
    };
    const scores = (['product_view', 'product_click', 'add_to_cart', 'favorite', 'purchase'] as const).map(score);
    expect(scores).toEqual([...scores].sort((a, b) => a - b));
    expect(new Set(scores).size).toBe(5);
    const p = fold([ev('product_view', T0, { productId: 'phone' })]);
    expect(Object.keys(p.affinities.scores.category).sort()).toEqual(['electronics', 'phones']);
    expect(p.affinities.scores.priceBand).toEqual({ luxury: 1 });
    expect(p.affinities.scores.color).toEqual({ black: 1 });
  });

  it('halves with the configured half-life', () => {
    const c = applyContext({ products, settings: { affinityHalfLifeDays: 7 } });
    const p = fold([ev('product_view', T0, { productId: 'phone' })], c);
    expect(affinityScore(p.affinities, 'brand', 'acme', T0 + 7 * DAY, 7)).toBeCloseTo(0.5);
    expect(affinityScore(p.affinities, 'brand', 'acme', T0 + 14 * DAY, 7)).toBeCloseTo(0.25);
  });

  it('comes out the same whatever order the events arrive in', () => {
    const events = [ev('product_view', T0, { productId: 'phone' }), ev('add_to_cart', T0 + 3 * DAY, { productId: 'case', quantity: 1 }), ev('favorite', T0 + DAY, { productId: 'phone' })];
    const a = fold(events);
    const b = fold([...events].reverse());
    for (const d of ['brand', 'category'] as const) {
      for (const v of Object.keys(a.affinities.scores[d])) expect(affinityScore(b.affinities, d, v, T0 + 10 * DAY, 30)).toBeCloseTo(affinityScore(a.affinities, d, v, T0 + 10 * DAY, 30));
    }
  });

  it('never learns from a sensitive category, and keeps only the product id in history', () => {
    const p = fold([ev('product_view', T0, { productId: 'test' }), purchase(T0 + 1, [{ productId: 'test', price: 12 }])]);
    expect(p.affinities.scores.brand).toEqual({});
    expect(p.affinities.scores.category).toEqual({});
    expect(p.history.every((h) => h.categories === undefined && h.brand === undefined)).toBe(true);
    expect(Object.keys(p.purchased)).toEqual(['test']);
  });

  it('uses the event category and brand when the catalog does not know the product', () => {
    const p = fold([ev('product_view', T0, { productId: 'unknown', category: 'Home > Kitchen', brand: 'Bosch', price: 300 })]);
    expect(p.history[0]).toMatchObject({ productId: 'unknown', categories: ['home', 'kitchen'], brand: 'bosch', priceBand: 'premium' });
  });
});

describe('orders, RFM and discount sensitivity', () => {
  it('counts orders, revenue, discounts, and purchased products with dates', () => {
    const p = fold([purchase(T0, [{ productId: 'phone', price: 699 }]), purchase(T0 + DAY, [{ productId: 'case', price: 19, quantity: 2 }], { discountCode: 'WELCOME' })]);
    expect(p.orders).toEqual({ count: 2, revenue: 737, withDiscount: 1, firstAt: T0, lastAt: T0 + DAY });
    const view = toView(p, [], [], T0 + 11 * DAY, withDefaults());
    expect(view.rfm).toEqual({ recencyDays: 10, frequency: 2, monetary: 737 });
    expect(view.orders.averageOrderValue).toBe(368.5);
    expect(view.discountSensitivity.orderShare).toBe(0.5);
    expect(view.purchased).toEqual([
      { productId: 'case', at: iso(T0 + DAY) },
      { productId: 'phone', at: iso(T0) },
    ]);
    expect(p.history.filter((h) => h.type === 'purchase').map((h) => [h.productId, h.value])).toEqual([
      ['case', 38],
      ['phone', 699],
    ]);
  });

  it('hearts and unhearts by time, not arrival', () => {
    const heart = ev('favorite', T0, { productId: 'phone' });
    const unheart = ev('unfavorite', T0 + 1000, { productId: 'phone' });
    for (const order of [[heart, unheart], [unheart, heart]]) expect(toView(fold(order), [], [], T0, withDefaults()).hearted).toEqual([]);
    expect(toView(fold([heart]), [], [], T0, withDefaults()).hearted).toEqual([{ productId: 'phone', at: iso(T0) }]);
  });
});

describe('consent and traits', () => {
  it('takes the latest statement per channel', () => {
    const p = fold([ev('subscribe', T0, { channel: 'email' }), ev('unsubscribe', T0 - 1000, { channel: 'email' }), ev('push_subscribed', T0, {}), ev('consent', T0 + 1, { sms: false })]);
    expect(toView(p, [], [], T0, withDefaults()).consent).toEqual({ email: true, push: true, sms: false });
  });

  it('forgets affinities and history when personalization is withdrawn, and learns nothing while it is', () => {
    const p = fold([ev('product_view', T0, { productId: 'phone' }), ev('consent', T0 + 1, { personalization: false }), ev('product_view', T0 + 2, { productId: 'case' })]);
    expect(p.affinities.scores.brand).toEqual({});
    expect(p.history).toEqual([]);
    expect(p.counters).toEqual({ product_view: 2, consent: 1 });
  });

  it('records declared traits and the e-mail address, latest wins', () => {
    const p = fold([ev('identify', T0 + 10, { email: 'new@example.com', traits: { skinType: 'dry' } }), ev('signup', T0, { email: 'old@example.com', traits: { skinType: 'oily', sizes: ['M'] } })]);
    expect(p.email?.value).toBe('new@example.com');
    expect(toView(p, [], [], T0, withDefaults()).traits).toEqual({ skinType: 'dry', sizes: ['M'] });
  });

  it('maps quiz answers to traits, affinities and assigned segments', () => {
    const c = applyContext({ quizOptions: { 'skin/type/dry': { traits: { skinType: 'dry' }, affinities: [{ dimension: 'category', value: 'Moisturisers' }], segments: ['dry-skin'] } } });
    const p = fold([ev('quiz_answer', T0, { quizId: 'skin', questionId: 'type', answerIds: ['dry'] })], c);
    expect(toView(p, [], [], T0, withDefaults()).traits).toEqual({ 'quiz.skin.type': ['dry'], skinType: 'dry' });
    expect(p.affinities.scores.category).toEqual({ moisturisers: 5 });
    expect(p.assignedSegments).toEqual({ 'dry-skin': T0 });
  });
});

describe('lifecycle stage', () => {
  const t = withDefaults().stages;
  it('walks new visitor → browsing → engaged → subscribed → buyer → repeat → loyal → lapsed', () => {
    const steps: [EnrichedEvent[], string][] = [
      [[ev('page_view', T0)], 'new_visitor'],
      [[ev('page_view', T0), ev('page_view', T0 + 1)], 'browsing'],
      [[ev('add_to_cart', T0, { productId: 'case', quantity: 1 })], 'engaged'],
      [[ev('subscribe', T0, { channel: 'email' })], 'subscribed'],
      [[purchase(T0, [{ productId: 'case', price: 19 }])], 'first_time_buyer'],
      [[purchase(T0, [{ productId: 'case', price: 19 }]), purchase(T0 + 1, [{ productId: 'case', price: 19 }])], 'repeat_buyer'],
      [[1, 2, 3, 4, 5].map((i) => purchase(T0 + i, [{ productId: 'case', price: 19 }])), 'loyal'],
    ];
    for (const [events, stage] of steps) expect(stageAt(fold(events), T0 + DAY, t).stage).toBe(stage);
  });

  it('lapses with time alone and says when', () => {
    const p = fold([purchase(T0, [{ productId: 'case', price: 19 }])]);
    expect(stageAt(p, T0 + 89 * DAY, t)).toEqual({ stage: 'first_time_buyer', nextChangeAt: T0 + 90 * DAY });
    expect(stageAt(p, T0 + 90 * DAY, t).stage).toBe('lapsed');
    expect(stageAt(p, T0 + 10 * DAY, { ...t, lapsedAfterDays: 5 }).stage).toBe('lapsed');
  });
});

describe('merging', () => {
  it('keeps counters, affinities, orders and history of both', () => {
    const anon = fold([ev('product_view', T0, { productId: 'phone' }), ev('add_to_cart', T0 + 1, { productId: 'phone', quantity: 1 })]);
    const cust = { ...fold([purchase(T0 + 2, [{ productId: 'case', price: 19 }])]), profileId: 'c', customerId: 'c1' };
    const m = mergeProfiles(cust, anon, withDefaults());
    expect(m.counters).toEqual({ product_view: 1, add_to_cart: 1, purchase: 1 });
    expect(m.history.map((h) => h.type)).toEqual(['purchase', 'add_to_cart', 'product_view']);
    expect(affinityScore(m.affinities, 'brand', 'acme', T0 + 2, 30)).toBeCloseTo(5, 3);
    expect(m.orders.count).toBe(1);
  });
});
