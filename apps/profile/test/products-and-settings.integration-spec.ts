import { TOPICS, type DeadLetter, type Product, type ProfileView } from '@signal/contracts';
import { KafkaTap, eventually } from '@signal/testing';
import { enrichedEvent } from './enriched-event.factory';
import { startProfile, uniqueStore, type Harness } from './harness';

let h: Harness;
beforeAll(async () => {
  h = await startProfile();
}, 90_000);
afterAll(() => h?.close());

const product = (storeId: string, productId: string, o: Partial<Product> = {}): Product => ({
  storeId,
  productId,
  title: productId,
  brand: 'Frost',
  categories: ['Home > Appliances > Fridges'],
  price: 700,
  currency: 'EUR',
  inStock: true,
  attributes: { Colour: 'Silver', size: 'XL' },
  createdAt: '2025-01-01T00:00:00.000Z',
  updatedAt: new Date().toISOString(),
  ...o,
});

async function publishProducts(messages: { key: string; value: string | null }[]): Promise<void> {
  const { Kafka, logLevel } = await import('kafkajs');
  const producer = new Kafka({ brokers: h.config.KAFKA_BROKERS.split(','), logLevel: logLevel.NOTHING }).producer();
  await producer.connect();
  try {
    await producer.send({ topic: TOPICS.CatalogProducts, acks: -1, messages });
  } finally {
    await producer.disconnect();
  }
}

describe('catalog facts and store settings', () => {
  it('learns affinities from catalog facts the event does not carry, and dead-letters a malformed product', async () => {
    const storeId = uniqueStore();
    const dlq = await KafkaTap.open<DeadLetter>(h.config.KAFKA_BROKERS, TOPICS.EventsDeadLetter);
    try {
      const bad = JSON.stringify({ ...product(storeId, 'broken'), price: 'free' });
      await publishProducts([
        { key: `${storeId}:fridge`, value: JSON.stringify(product(storeId, 'fridge')) },
        { key: `${storeId}:broken`, value: bad },
      ]);
      const [letter] = await dlq.waitFor((m) => m.value.payload === bad, 1, 30_000);
      expect(letter?.value).toMatchObject({ reason: 'invalid_product', sourceTopic: TOPICS.CatalogProducts, errors: [expect.objectContaining({ field: 'price' })] });
      await eventually(async () => (await h.sql(`SELECT 1 FROM "profile"."products" WHERE store_id = $1`, [storeId])).length === 1);

      const view = enrichedEvent({ storeId, anonymousId: 'dev-1', type: 'product_view', properties: { productId: 'fridge' } });
      await h.publish([view]);
      const p = await eventually(async () => h.profile(storeId, view.profileId));
      expect(p.affinities).toMatchObject({
        brand: [{ value: 'frost' }],
        category: expect.arrayContaining([expect.objectContaining({ value: 'fridges' })]),
        priceBand: [{ value: 'luxury' }],
        color: [{ value: 'silver' }],
        size: [{ value: 'xl' }],
      });

      // A tombstone removes the facts.
      await publishProducts([{ key: `${storeId}:fridge`, value: null }]);
      await eventually(async () => (await h.sql(`SELECT 1 FROM "profile"."products" WHERE store_id = $1`, [storeId])).length === 0);
    } finally {
      await dlq.close();
    }
  });

  it('validates settings, and applies the half-life, price bands and sensitive categories', async () => {
    const storeId = uniqueStore();
    const bad = await h.send<{ errors: { field: string }[] }>('PUT', `/v1/stores/${storeId}/settings`, { affinityHalfLifeDays: -1, priceBands: [{ name: 'all', below: 10 }], colour: 'x' });
    expect(bad.status).toBe(400);
    expect(bad.body.errors.map((e) => e.field)).toEqual(expect.arrayContaining(['settings.affinityHalfLifeDays', 'settings.colour']));
    const bands = await h.send<{ errors: { field: string }[] }>('PUT', `/v1/stores/${storeId}/settings`, { priceBands: [{ name: 'cheap', below: 10 }] });
    expect(bands.body.errors).toEqual([{ field: 'settings.priceBands.0.below', message: 'the last band must have below: null' }]);
    await expect(h.send('PUT', `/v1/stores/${storeId}/settings`, 'nope')).resolves.toMatchObject({ status: 400 });

    const ok = await h.send('PUT', `/v1/stores/${storeId}/settings`, {
      affinityHalfLifeDays: 1,
      priceBands: [
        { name: 'cheap', below: 50 },
        { name: 'dear', below: null },
      ],
      sensitiveCategories: ['Pregnancy'],
    });
    expect(ok).toMatchObject({ status: 200, body: { affinityHalfLifeDays: 1, stages: { lapsedAfterDays: 90 } } });
    await expect(h.get(`/v1/stores/${storeId}/settings`)).resolves.toEqual({ status: 200, body: ok.body });

    const dayAgo = new Date(Date.now() - 86_400_000).toISOString();
    const events = [
      enrichedEvent({ storeId, anonymousId: 'dev-s', type: 'product_view', occurredAt: dayAgo, properties: { productId: 'a', brand: 'Acme', price: 20 } }),
      enrichedEvent({ storeId, anonymousId: 'dev-s', type: 'product_view', properties: { productId: 'b', brand: 'Care', category: 'Health > Pregnancy', price: 15 } }),
    ];
    await h.publish(events);
    const p = await eventually(async () => {
      const found = await h.profile(storeId, events[0]?.profileId as string);
      return found?.eventCount === 2 ? found : undefined;
    });
    // A day at a one-day half-life: half the weight. The sensitive product taught nothing.
    expect(p.affinities.brand).toEqual([{ value: 'acme', score: expect.closeTo(0.5, 2) }]);
    expect(p.affinities.priceBand).toEqual([{ value: 'cheap', score: expect.closeTo(0.5, 2) }]);
    expect(p.affinities.category).toEqual([]);
    const rejected = await h.send<{ errors: { field: string }[] }>('POST', `/v1/stores/${storeId}/segments`, { name: 'x', definition: { event: { type: 'product_view', category: 'pregnancy' } } });
    expect(rejected.status).toBe(400);
    expect((p as ProfileView).segments).toEqual([]);
  });
});
