import { TOPICS, profileIdFor, type DeadLetter, type EnrichedEvent, type ProfileView } from '@signal/contracts';
import { KafkaTap, eventually } from '@signal/testing';
import { enrichedEvent } from './enriched-event.factory';
import { startProfile, uniqueStore, type Harness } from './harness';

const WAIT = { timeoutMs: 60_000, intervalMs: 200 };
let h: Harness;

beforeAll(async () => {
  h = await startProfile();
});
afterAll(() => h?.close());

/** Polls until the profile has counted exactly `count` events. */
const counted = (storeId: string, profileId: string, count: number) =>
  eventually(async () => {
    const p = await h.profile(storeId, profileId);
    if (p?.eventCount !== count) throw new Error(`profile ${profileId} has ${p?.eventCount ?? 'no'} events, want ${count}`);
    return p;
  }, WAIT);

const countersOf = (events: EnrichedEvent[]) => events.reduce<Record<string, number>>((c, e) => ({ ...c, [e.type]: (c[e.type] ?? 0) + 1 }), {});

describe('recording enriched events', () => {
  it('builds the profile: counters per type, first and last seen, identities and surroundings', async () => {
    const storeId = uniqueStore();
    const base = { storeId, anonymousId: 'dev-1' };
    const events = [
      enrichedEvent({ ...base, type: 'page_view', occurredAt: '2025-03-01T10:00:00.000Z' }),
      enrichedEvent({ ...base, type: 'product_view', occurredAt: '2025-03-01T10:05:00.000Z', properties: { productId: 'p-1' } }),
      enrichedEvent({
        ...base,
        type: 'add_to_cart',
        occurredAt: '2025-03-01T10:07:00.000Z',
        properties: { productId: 'p-1', quantity: 1 },
        enrichment: { device: { type: 'mobile', os: 'iOS' }, geo: { country: 'FR', city: 'Lyon', timezone: 'Europe/Paris' }, timezone: 'Europe/Paris' },
      }),
      enrichedEvent({ ...base, type: 'product_view', occurredAt: '2025-03-01T09:00:00.000Z', properties: { productId: 'p-2' } }),
    ];
    await h.publish(events);

    const profile = await counted(storeId, events[0].profileId, 4);
    expect(profile).toMatchObject<Partial<ProfileView>>({
      profileId: events[0].profileId,
      storeId,
      identities: [{ kind: 'anonymous', value: 'dev-1' }],
      firstSeenAt: '2025-03-01T09:00:00.000Z',
      lastSeenAt: '2025-03-01T10:07:00.000Z',
      eventCount: 4,
      counters: { page_view: 1, product_view: 2, add_to_cart: 1 },
      stage: 'engaged',
      device: { type: 'mobile', os: 'iOS' },
      geo: { country: 'FR', city: 'Lyon' },
      timezone: 'Europe/Paris',
    });
    const again = await h.get<ProfileView>(`/v1/stores/${storeId}/profiles?anonymousId=dev-1`);
    expect({ ...again.body, computedAt: profile?.computedAt }).toEqual(profile);
  });

  it('counts a redelivered or replayed event once', async () => {
    const storeId = uniqueStore();
    const first = enrichedEvent({ storeId, anonymousId: 'dev-1' });
    const second = enrichedEvent({ storeId, anonymousId: 'dev-1', type: 'search', properties: { query: 'shoes' } });
    await h.publish([first, first, second]);
    await h.publish([first, second, first]);
    // Same key, same partition: once the last one counts, every copy before it was handled.
    const last = enrichedEvent({ storeId, anonymousId: 'dev-1', type: 'favorite', properties: { productId: 'p-1' } });
    await h.publish([second, last, last]);

    const profile = await counted(storeId, first.profileId, 3);
    expect(profile.counters).toEqual({ page_view: 1, search: 1, favorite: 1 });
    const [applied] = await h.sql<{ n: string }>(`SELECT count(*) AS n FROM "profile"."applied_events" WHERE store_id = $1`, [storeId]);
    expect(applied.n).toBe('3');
  });

  it('merges the anonymous profile into the customer on identify, and routes later and late events to it', async () => {
    const storeId = uniqueStore();
    const device = { storeId, anonymousId: 'dev-9' };
    const anonymousProfile = profileIdFor(storeId, { anonymousId: 'dev-9' });
    const customerProfile = profileIdFor(storeId, { customerId: 'cust-9', anonymousId: 'dev-9' });

    const browsing = [
      enrichedEvent({ ...device, type: 'page_view', occurredAt: '2025-03-01T10:00:00.000Z' }),
      enrichedEvent({ ...device, type: 'product_view', occurredAt: '2025-03-01T10:01:00.000Z', properties: { productId: 'p-1' } }),
      enrichedEvent({ ...device, type: 'product_view', occurredAt: '2025-03-01T10:02:00.000Z', properties: { productId: 'p-2' } }),
    ];
    await h.publish(browsing);
    await counted(storeId, anonymousProfile, 3);

    const changed = await KafkaTap.open<ProfileView | null>(h.config.KAFKA_BROKERS, TOPICS.ProfilesChanged);
    const login = enrichedEvent({ ...device, customerId: 'cust-9', type: 'identify', occurredAt: '2025-03-01T10:03:00.000Z' });
    await h.publish([login]);
    const merged = await counted(storeId, customerProfile, 4);
    // The merge is published: the merged-away profile's tombstone names the survivor, which carries both identities.
    try {
      const [tombstone] = await changed.waitFor((m) => m.key === `${storeId}:${anonymousProfile}`);
      expect(tombstone).toMatchObject({ value: null, headers: { 'merged-into': customerProfile } });
      const [survivor] = await changed.waitFor((m) => m.key === `${storeId}:${customerProfile}`);
      expect(survivor?.value).toMatchObject({ eventCount: 4, identities: merged.identities });
    } finally {
      await changed.close();
    }
    expect(merged.identities).toEqual([
      { kind: 'customer', value: 'cust-9' },
      { kind: 'anonymous', value: 'dev-9' },
    ]);
    // The merged-away id answers with the surviving profile.
    await expect(h.profile(storeId, anonymousProfile)).resolves.toEqual({ ...merged, computedAt: expect.any(String) });

    // Ingest routes the device's later anonymous events to the customer; one old event arrives late under the old id.
    const after = [
      enrichedEvent({ ...device, profileId: customerProfile, type: 'add_to_cart', occurredAt: '2025-03-01T10:04:00.000Z', properties: { productId: 'p-1', quantity: 1 } }),
      enrichedEvent({ ...device, profileId: customerProfile, type: 'page_view', occurredAt: '2025-03-01T10:05:00.000Z' }),
    ];
    const late = enrichedEvent({ ...device, type: 'search', occurredAt: '2025-03-01T09:59:00.000Z', properties: { query: 'boots' } });
    await h.publish([...after, late]);

    const all = [...browsing, login, ...after, late];
    const final = await counted(storeId, customerProfile, all.length);
    expect(final).toMatchObject({ counters: countersOf(all), firstSeenAt: '2025-03-01T09:59:00.000Z', lastSeenAt: '2025-03-01T10:05:00.000Z' });
    for (const query of ['anonymousId=dev-9', 'customerId=cust-9']) {
      await expect(h.get(`/v1/stores/${storeId}/profiles?${query}`)).resolves.toEqual({ status: 200, body: { ...final, computedAt: expect.any(String) } });
    }
    await expect(h.sql(`SELECT profile_id FROM "profile"."profiles" WHERE store_id = $1`, [storeId])).resolves.toEqual([{ profile_id: customerProfile }]);
    await expect(h.sql(`SELECT merged_profile_id, into_profile_id FROM "profile"."profile_merges" WHERE store_id = $1`, [storeId])).resolves.toEqual([
      { merged_profile_id: anonymousProfile, into_profile_id: customerProfile },
    ]);
  });

  it('ends with one profile per shopper however partitions interleave anonymous, identify and late events', async () => {
    const storeId = uniqueStore();
    const shoppers = Array.from({ length: 25 }, (_, i) => {
      const device = { storeId, anonymousId: `dev-${i}` };
      const customerProfile = profileIdFor(storeId, { customerId: `cust-${i}`, anonymousId: device.anonymousId });
      const events = [
        enrichedEvent(device),
        enrichedEvent({ ...device, type: 'product_view', properties: { productId: 'p-1' } }),
        enrichedEvent({ ...device, customerId: `cust-${i}`, type: 'identify' }),
        enrichedEvent({ ...device, profileId: customerProfile }),
        enrichedEvent({ ...device, type: 'search', properties: { query: 'late' } }),
      ];
      return { customerProfile, events };
    });
    // Anonymous and customer ids key different partitions, consumed concurrently and in any relative order.
    await h.publish(shoppers.flatMap((s) => s.events.slice(0, 2)));
    await h.publish(shoppers.flatMap((s) => s.events.slice(2)));
    await h.publish(shoppers.flatMap((s) => s.events));

    for (const s of shoppers) expect((await counted(storeId, s.customerProfile, 5)).counters).toEqual(countersOf(s.events));
    const [profiles] = await h.sql<{ n: string }>(`SELECT count(*) AS n FROM "profile"."profiles" WHERE store_id = $1`, [storeId]);
    expect(profiles.n).toBe(String(shoppers.length));
  });

  it('dead-letters what is not an enriched event, with the reason, and keeps consuming', async () => {
    const storeId = uniqueStore();
    const tap = await KafkaTap.open<DeadLetter>(h.config.KAFKA_BROKERS, TOPICS.EventsDeadLetter);
    try {
      const good = enrichedEvent({ storeId, anonymousId: 'dev-1' });
      const key = `${storeId}:${good.profileId}`;
      const notJson = { key, value: '{"eventId": nope' };
      const notAnEvent = { key, value: JSON.stringify({ hello: 'world' }) };
      const badProfileId = { key, value: JSON.stringify({ ...enrichedEvent({ storeId, anonymousId: 'dev-1' }), profileId: 'has spaces' }) };
      await h.publishRaw([notJson, { key, value: JSON.stringify(good) }, notAnEvent, badProfileId]);

      // Only this test's consumer group: another profile service on the same Kafka (a benchmark) dead-letters them too.
      const ours = (m: { key: string | null; value: DeadLetter }) => m.key === key && m.value.consumerGroup.startsWith('profile-test');
      const letters = await tap.waitFor(ours, 3, 60_000);
      const byPayload = new Map(letters.map((m) => [m.value.payload, m.value]));
      expect(byPayload.get(notJson.value)).toMatchObject({ reason: 'malformed_json', sourceTopic: TOPICS.EventsEnriched });
      expect(byPayload.get(notAnEvent.value)).toMatchObject({ reason: 'invalid_event', errors: expect.arrayContaining([expect.objectContaining({ field: 'eventId' })]) });
      expect(byPayload.get(badProfileId.value)).toMatchObject({ reason: 'invalid_event', errors: [expect.objectContaining({ field: 'profileId' })] });

      const after = enrichedEvent({ storeId, anonymousId: 'dev-1', type: 'favorite', properties: { productId: 'p-1' } });
      await h.publish([after]);
      expect((await counted(storeId, good.profileId, 2)).counters).toEqual({ page_view: 1, favorite: 1 });
      expect(tap.messages.filter(ours)).toHaveLength(3);
    } finally {
      await tap.close();
    }
  });
});
