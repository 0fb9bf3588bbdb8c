import { profileIdFor, type EnrichedEvent } from '@signal/contracts';
import type { ConsumedMessage } from '@signal/platform';
import { parseBehaviourMessage } from '../behaviour-event';

const at = '2026-03-01T12:00:00.000Z';
const event = (o: Partial<EnrichedEvent>): EnrichedEvent => ({
  eventId: 'e1',
  storeId: 'shop',
  type: 'page_view',
  occurredAt: at,
  receivedAt: at,
  enrichedAt: at,
  anonymousId: 'a1',
  profileId: profileIdFor('shop', { anonymousId: 'a1' }),
  enrichment: { device: { type: 'desktop' } },
  properties: {},
  ...o,
});
const message = (value: unknown): ConsumedMessage => ({ topic: 'events.enriched.v1', partition: 2, offset: '41', key: 'k', value, raw: JSON.stringify(value), headers: {}, timestamp: '0' });
const parse = (o: Partial<EnrichedEvent> | unknown) => parseBehaviourMessage(message(typeof o === 'object' && o !== null && !Array.isArray(o) ? event(o as Partial<EnrichedEvent>) : o));

describe('parseBehaviourMessage', () => {
  it('reads a search: the query key, search id and results count', () => {
    const r = parse({ type: 'search', properties: { query: '  Crème BRÛLÉE ', searchId: 's-1', resultsCount: 0 } });
    expect(r).toMatchObject({ ok: true, event: { type: 'search', partition: 2, offset: '41', at: Date.parse(at), search: { query: 'creme brulee', searchId: 's-1', resultsCount: 0 }, products: [] } });
  });

  it('reads clicks, carts and purchases as engagement and popularity', () => {
    expect(parse({ type: 'search_result_click', properties: { productId: 'p1', position: 0, searchId: 's-1', query: 'Lamp' } })).toMatchObject({
      ok: true,
      event: { engage: { action: 'click', productIds: ['p1'], searchId: 's-1', query: 'lamp' }, products: [{ productId: 'p1', weight: 1, sold: 0 }] },
    });
    const items = [
      { productId: 'p1', quantity: 2, price: 5 },
      { productId: 'p2', quantity: 1, price: 5 },
      { productId: 'p1', variantId: 'v', quantity: 1, price: 5 },
    ];
    expect(parse({ type: 'purchase', properties: { orderId: 'o1', value: 20, currency: 'EUR', items } })).toMatchObject({
      ok: true,
      event: {
        engage: { action: 'purchase', productIds: ['p1', 'p2'] },
        products: [
          { productId: 'p1', weight: 5, sold: 3 },
          { productId: 'p2', weight: 5, sold: 1 },
        ],
      },
    });
    expect(parse({ type: 'add_to_cart', properties: { productId: 'p3', quantity: 4, searchId: 'x y' } })).toMatchObject({ ok: true, event: { engage: { action: 'cart', productIds: ['p3'], searchId: undefined }, products: [{ weight: 3 }] } });
    expect(parse({ type: 'product_view', properties: { productId: 'p4' } })).toMatchObject({ ok: true, event: { products: [{ productId: 'p4', weight: 1 }] } });
  });

  it('never trusts a time far past receivedAt', () => {
    const r = parse({ type: 'page_view', occurredAt: '2999-01-01T00:00:00.000Z' });
    expect(r.ok && r.event.at).toBe(Date.parse(at) + 15 * 60_000);
  });

  it('refuses malformed and hostile events, naming the field', () => {
    const fields = (o: unknown) => {
      const r = parse(o);
      return r.ok ? [] : r.errors.map((e) => e.field);
    };
    expect(fields(null)).toContain('(root)');
    expect(fields([1, 2])).toContain('(root)');
    expect(fields({ profileId: 'not-a-uuid' })).toContain('profileId');
    expect(fields({ storeId: 'a|b' })).toContain('storeId');
    expect(fields({ type: 'search', properties: { query: 'x'.repeat(300) } })).toContain('properties.query');
    expect(fields({ type: 'search', properties: { query: 42 } })).toContain('properties.query');
    expect(fields({ type: 'purchase', properties: { orderId: 'o', value: 1, currency: 'EUR', items: 'p1' } })).toContain('properties.items');
    expect(fields({ type: 'search_result_click', properties: { productId: 'p1', position: -1 } })).toContain('properties.position');
    expect(fields({ type: 'nope' })).toContain('type');
  });
});
