import { randomBytes, randomUUID } from 'node:crypto';
import { profileIdFor, type EnrichedEvent, type Product } from '@signal/contracts';

/** A store id no other test run uses. */
export const uniqueStore = (): string => `t-${randomBytes(6).toString('hex')}`;

/** A catalog product as the gateway would publish it. */
export const product = (storeId: string, productId: string, o: Partial<Product> = {}): Product => ({
  storeId,
  productId,
  title: productId,
  categories: [],
  price: 10,
  currency: 'EUR',
  inStock: true,
  createdAt: '2025-01-01T00:00:00.000Z',
  updatedAt: new Date().toISOString(),
  ...o,
});

/** An enriched event as ingest would publish it. */
export function enrichedEvent(o: Partial<EnrichedEvent> & Pick<EnrichedEvent, 'storeId' | 'anonymousId'>): EnrichedEvent {
  const now = new Date().toISOString();
  return {
    eventId: randomUUID(),
    type: 'page_view',
    occurredAt: now,
    receivedAt: now,
    enrichedAt: now,
    properties: {},
    profileId: profileIdFor(o.storeId, { customerId: o.customerId, anonymousId: o.anonymousId }),
    enrichment: { device: { type: 'desktop' } },
    ...o,
  };
}

export const purchase = (storeId: string, who: { anonymousId: string; customerId?: string }, items: string[], o: Partial<EnrichedEvent> = {}): EnrichedEvent =>
  enrichedEvent({
    storeId,
    ...who,
    type: 'purchase',
    properties: { orderId: `o-${randomUUID()}`, value: 10 * items.length, currency: 'EUR', items: items.map((productId) => ({ productId, quantity: 1, price: 10 })) },
    ...o,
  });

export const view = (storeId: string, anonymousId: string, productId: string, o: Partial<EnrichedEvent> = {}): EnrichedEvent =>
  enrichedEvent({ storeId, anonymousId, type: 'product_view', sessionId: `s-${anonymousId}`, properties: { productId }, ...o });
