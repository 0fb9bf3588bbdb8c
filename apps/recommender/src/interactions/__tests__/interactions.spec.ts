import type { EnrichedEvent, EventType } from '@signal/contracts';
import { INTEREST_WEIGHTS, INTERACTION_KINDS, consentOf, interactionsOf } from '../interactions';

const PROFILE = '0b7c2f6e-5a1d-4c3b-9e8f-1a2b3c4d5e6f';

function event(type: EventType, properties: Record<string, unknown>, extra: Partial<EnrichedEvent> = {}): EnrichedEvent {
  return {
    eventId: 'e-1',
    type,
    occurredAt: '2025-03-01T10:00:00.000Z',
    anonymousId: 'anon-1',
    sessionId: 's-1',
    properties,
    storeId: 'store-1',
    receivedAt: '2025-03-01T10:00:01.000Z',
    profileId: PROFILE,
    enrichment: { device: { type: 'desktop' }, geo: { country: 'GB' } },
    enrichedAt: '2025-03-01T10:00:02.000Z',
    ...extra,
  };
}

const base = { storeId: 'store-1', eventId: 'e-1', profileId: PROFILE, at: '2025-03-01T10:00:00.000Z', country: 'GB' };

describe('interactionsOf', () => {
  it.each<[EventType, string]>([
    ['product_view', 'view'],
    ['product_click', 'click'],
    ['search_result_click', 'click'],
    ['recommendation_click', 'click'],
    ['add_to_cart', 'cart_add'],
    ['remove_from_cart', 'cart_remove'],
    ['favorite', 'heart'],
    ['unfavorite', 'unheart'],
  ])('%s → %s, with the session as context', (type, kind) => {
    expect(interactionsOf(event(type, { productId: 'p-1', quantity: 1 }))).toEqual([{ ...base, productId: 'p-1', kind, contextId: 's-1' }]);
  });

  it.each<EventType>(['page_view', 'search', 'checkout_started', 'review', 'identify', 'consent', 'campaign_click'])('%s means no interaction', (type) => {
    expect(interactionsOf(event(type, { productId: 'p-1', items: [{ productId: 'p-1' }] }))).toEqual([]);
  });

  it('no session, no geo: null context and country', () => {
    const e = event('product_view', { productId: 'p-1' }, { sessionId: undefined, enrichment: { device: { type: 'mobile' } } });
    expect(interactionsOf(e)).toEqual([{ ...base, country: null, productId: 'p-1', kind: 'view', contextId: null }]);
  });

  it('a purchase: one row per distinct product, the order id as context', () => {
    const e = event('purchase', {
      orderId: 'o-9',
      value: 30,
      currency: 'EUR',
      items: [
        { productId: 'a', quantity: 1, price: 10 },
        { productId: 'b', quantity: 2, price: 5 },
        { productId: 'a', variantId: 'a-red', quantity: 1, price: 10 },
      ],
    });
    expect(interactionsOf(e)).toEqual([
      { ...base, productId: 'a', kind: 'purchase', contextId: 'o-9' },
      { ...base, productId: 'b', kind: 'purchase', contextId: 'o-9' },
    ]);
  });

  it('a purchase without a usable order id falls back to the event id', () => {
    expect(interactionsOf(event('purchase', { orderId: '', items: [{ productId: 'a' }] }))[0].contextId).toBe('e-1');
    expect(interactionsOf(event('purchase', { orderId: 42, items: [{ productId: 'a' }] }))[0].contextId).toBe('e-1');
  });

  it.each<[string, unknown]>([
    ['a number', 42],
    ['an empty string', ''],
    ['null', null],
    ['an object', { $ne: 'x' }],
    ['an array', ['p-1']],
    ['missing', undefined],
  ])('a product id that is %s gives no row', (_, productId) => {
    expect(interactionsOf(event('product_view', { productId }))).toEqual([]);
    expect(interactionsOf(event('add_to_cart', { productId }))).toEqual([]);
    expect(interactionsOf(event('purchase', { orderId: 'o', items: [{ productId }, null, 'x', 7] }))).toEqual([]);
  });

  it('a purchase keeps its good line items and drops the malformed ones; items that are not a list give nothing', () => {
    const rows = interactionsOf(event('purchase', { orderId: 'o', items: [{ productId: 5 }, null, { productId: 'ok' }, { productId: '' }] }));
    expect(rows.map((r) => r.productId)).toEqual(['ok']);
    expect(interactionsOf(event('purchase', { orderId: 'o', items: { productId: 'a' } }))).toEqual([]);
    expect(interactionsOf(event('purchase', { orderId: 'o' }))).toEqual([]);
  });

  it('heat weights: removals and un-hearts add nothing, purchases most', () => {
    expect(INTERACTION_KINDS.filter((k) => INTEREST_WEIGHTS[k] === 0).sort()).toEqual(['cart_remove', 'unheart']);
    expect(Math.max(...INTERACTION_KINDS.map((k) => INTEREST_WEIGHTS[k]))).toBe(INTEREST_WEIGHTS.purchase);
  });
});

describe('consentOf', () => {
  it('reads personalization consent, either way', () => {
    expect(consentOf(event('consent', { personalization: false, email: true }))).toEqual({ storeId: 'store-1', profileId: PROFILE, personalization: false, at: '2025-03-01T10:00:00.000Z' });
    expect(consentOf(event('consent', { personalization: true }))?.personalization).toBe(true);
  });

  it('ignores consent events about other things, non-boolean values and other event types', () => {
    expect(consentOf(event('consent', { email: false }))).toBeNull();
    expect(consentOf(event('consent', { personalization: 'false' }))).toBeNull();
    expect(consentOf(event('consent', { personalization: 0 }))).toBeNull();
    expect(consentOf(event('identify', { personalization: false }))).toBeNull();
  });
});
