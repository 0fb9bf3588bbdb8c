import { profileIdFor, type EnrichedEvent } from '@signal/contracts';
import { eventually } from '@signal/testing';
import { enrichedEvent } from './enriched-event.factory';
import { startProfile, uniqueStore, type Harness } from './harness';

let h: Harness;
beforeAll(async () => {
  h = await startProfile({ KAFKA_PARTITIONS_CONCURRENCY: '3' });
}, 90_000);
afterAll(() => h?.close());

describe('profiles under concurrency', () => {
  it('loses no update and counts nothing twice while two profiles receiving events are merged, with replays', async () => {
    const storeId = uniqueStore();
    const devices = ['dev-a', 'dev-b', 'dev-c'];
    const customer = profileIdFor(storeId, { customerId: 'cust', anonymousId: 'dev-a' });
    const events: EnrichedEvent[] = [];
    let revenue = 0;
    for (let i = 0; i < 120; i++) {
      const anonymousId = devices[i % devices.length] as string;
      // The customer's own events (keyed by the customer profile) interleave with each device's anonymous ones
      // (keyed by the device's profile, other partitions); identify on each device merges its profile in.
      const customerId = i % 4 === 0 || i >= 60 ? 'cust' : undefined;
      const type = i === 30 || i === 31 || i === 32 ? 'identify' : i % 10 === 0 ? 'purchase' : 'product_view';
      const properties =
        type === 'purchase' ? { orderId: `o${i}`, value: i, currency: 'EUR', items: [{ productId: `p${i}`, quantity: 1, price: i }] } : type === 'product_view' ? { productId: `p${i % 7}`, brand: `b${i % 3}` } : {};
      if (type === 'purchase') revenue += i;
      events.push(enrichedEvent({ storeId, anonymousId, ...(type === 'identify' ? { customerId: 'cust' } : customerId ? { customerId } : {}), type, properties }));
    }
    // Every event twice, the second copy in another order: a redelivery and a replay.
    const copies = [...events].reverse();
    await Promise.all([h.publish(events.slice(0, 60)), h.publish(copies.slice(0, 60)), h.publish(events.slice(60)), h.publish(copies.slice(60))]);

    const p = await eventually(
      async () => {
        const found = await h.profile(storeId, customer);
        return found && found.eventCount >= events.length ? found : undefined;
      },
      { timeoutMs: 60_000 },
    );
    expect(p.eventCount).toBe(events.length);
    expect(p.orders).toMatchObject({ count: events.filter((e) => e.type === 'purchase').length, revenue });
    expect(Object.values(p.counters).reduce((a, b) => a + b, 0)).toBe(events.length);
    expect(p.identities.map((i) => i.value).sort()).toEqual(['cust', ...devices].sort());
    // One profile is left; every device resolves to it.
    await expect(h.sql(`SELECT profile_id FROM "profile"."profiles" WHERE store_id = $1`, [storeId])).resolves.toEqual([{ profile_id: customer }]);
    for (const d of devices) await expect(h.get(`/v1/stores/${storeId}/profiles?anonymousId=${d}`)).resolves.toMatchObject({ status: 200, body: { profileId: customer } });
    // Affinities add up over both halves of every merge: 108 views, weight 1 each, decayed by seconds at most.
    const brandTotal = p.affinities.brand.reduce((s, b) => s + b.score, 0);
    expect(brandTotal).toBeCloseTo(events.filter((e) => e.type === 'product_view').length, 0);
  });
});
