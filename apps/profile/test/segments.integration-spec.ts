import { TOPICS, type EnrichedEvent, type SegmentMembershipChange } from '@signal/contracts';
import { KafkaTap, eventually } from '@signal/testing';
import { createHash } from 'node:crypto';
import { enrichedEvent } from './enriched-event.factory';
import { startProfile, uniqueStore, type Harness } from './harness';

let h: Harness;
let memberships: KafkaTap<SegmentMembershipChange>;

beforeAll(async () => {
  h = await startProfile();
  memberships = await KafkaTap.open<SegmentMembershipChange>(h.config.KAFKA_BROKERS, TOPICS.SegmentsMembership);
}, 90_000);
afterAll(async () => {
  await memberships?.close();
  await h?.close();
});

const MIN = 60_000;
const ago = (ms: number) => new Date(Date.now() - ms).toISOString();
const changesOf = (storeId: string, segmentId?: string) => (m: { value: SegmentMembershipChange }) => m.value.storeId === storeId && (segmentId === undefined || m.value.segmentId === segmentId);

async function createSegment(storeId: string, segmentId: string, definition: unknown): Promise<void> {
  const res = await h.send('POST', `/v1/stores/${storeId}/segments`, { segmentId, name: segmentId, definition });
  expect(res.status).toBe(201);
}

describe('segments', () => {
  it('enters on the event that makes a windowed count true, and leaves when the window passes', async () => {
    const storeId = uniqueStore();
    await createSegment(storeId, 'shoe-fans', { event: { type: 'product_view', category: 'shoes' }, count: { atLeast: 3 }, within: '7d' });
    const view = (at: string) => enrichedEvent({ storeId, anonymousId: 'dev-1', type: 'product_view', occurredAt: at, properties: { productId: 'p1', category: 'Fashion > Shoes' } });
    // The oldest view leaves the 7-day window in about 4 seconds.
    const events = [view(ago(7 * 24 * 60 * MIN - 4_000)), view(ago(2 * MIN)), view(ago(MIN))];
    await h.publish(events.slice(0, 2));
    const sent = Date.now();
    await h.publish(events.slice(2));

    const [entered] = await memberships.waitFor(changesOf(storeId, 'shoe-fans'));
    expect(entered?.value).toMatchObject({ change: 'entered', trigger: 'event', eventId: events[2]?.eventId, eventType: 'product_view', segmentVersion: 1, profileId: events[0]?.profileId });
    expect(entered?.value.because).toContain('shoes');
    expect(entered?.key).toBe(`${storeId}:${events[0]?.profileId}`);
    expect(Date.parse(entered?.value.occurredAt ?? '') - sent).toBeLessThan(5_000);

    const profileId = events[0]?.profileId as string;
    await expect(h.get(`/v1/stores/${storeId}/profiles/${profileId}/segments`)).resolves.toMatchObject({ status: 200, body: { segments: [{ segmentId: 'shoe-fans', version: 1 }] } });
    await expect(h.get(`/v1/stores/${storeId}/segments/shoe-fans/members`)).resolves.toMatchObject({ status: 200, body: { members: [{ profileId }] } });

    // No new event: the sweep notices the oldest view leaving the window.
    const [, exited] = await memberships.waitFor(changesOf(storeId, 'shoe-fans'), 2, 20_000);
    expect(exited?.value).toMatchObject({ change: 'exited', trigger: 'time' });
    expect(exited?.value.eventId).toBeUndefined();
    await expect(h.get(`/v1/stores/${storeId}/segments/shoe-fans`)).resolves.toMatchObject({ status: 200, body: { members: 0 } });
  });

  it('enters a cart-abandonment segment with the passing of time, and leaves it on purchase', async () => {
    const storeId = uniqueStore();
    await createSegment(storeId, 'abandoned', { event: { type: 'add_to_cart' }, notFollowedBy: { type: 'purchase' }, after: '1m', within: '2d' });
    const cart = enrichedEvent({ storeId, anonymousId: 'dev-2', type: 'add_to_cart', occurredAt: ago(MIN - 3_000), properties: { productId: 'p9', quantity: 1 } });
    await h.publish([cart]);
    await h.profile(storeId, cart.profileId);
    const [entered] = await memberships.waitFor(changesOf(storeId, 'abandoned'), 1, 20_000);
    expect(entered?.value).toMatchObject({ change: 'entered', trigger: 'time' });
    // On time: due one minute after the add-to-cart, seen within a couple of sweeps.
    const due = Date.parse(cart.occurredAt) + MIN;
    expect(Date.parse(entered?.value.occurredAt ?? '')).toBeGreaterThanOrEqual(due);
    expect(Date.parse(entered?.value.occurredAt ?? '') - due).toBeLessThan(3_000);

    const purchase = enrichedEvent({ storeId, anonymousId: 'dev-2', type: 'purchase', properties: { orderId: 'o1', value: 20, currency: 'EUR', items: [{ productId: 'p9', quantity: 1, price: 20 }] } });
    await h.publish([purchase]);
    const [, exited] = await memberships.waitFor(changesOf(storeId, 'abandoned'), 2);
    expect(exited?.value).toMatchObject({ change: 'exited', trigger: 'event', eventId: purchase.eventId });
  });

  it('evaluates a new segment over existing profiles, previews, exports hashed e-mails, and walks members out on delete', async () => {
    const storeId = uniqueStore();
    const buyers = ['a@example.com', ' B@Example.com ', 'c@example.com'].map((email, i) => [
      enrichedEvent({ storeId, anonymousId: `d${i}`, customerId: `c${i}`, type: 'identify', properties: { email } }),
      enrichedEvent({ storeId, anonymousId: `d${i}`, customerId: `c${i}`, type: 'purchase', properties: { orderId: `o${i}`, value: 100 * (i + 1), currency: 'EUR', items: [{ productId: 'x', quantity: 1, price: 100 * (i + 1) }] } }),
    ]);
    await h.publish(buyers.flat());
    const profiles = buyers.map((b) => (b[0] as EnrichedEvent).profileId);
    for (const p of profiles) await waitForProfile(storeId, p, 2);

    const definition = { field: 'orders.revenue', op: 'gte', value: 200 };
    await expect(h.send('POST', `/v1/stores/${storeId}/segments/preview`, { definition })).resolves.toMatchObject({ status: 200, body: { count: 2, scanned: 3 } });
    await createSegment(storeId, 'big-spenders', definition);
    const entered = await memberships.waitFor(changesOf(storeId, 'big-spenders'), 2);
    expect(entered.map((m) => [m.value.profileId, m.value.change, m.value.trigger]).sort()).toEqual(
      [profiles[1], profiles[2]].sort().map((p) => [p, 'entered', 'definition']),
    );

    const csv = await h.send<string>('GET', `/v1/stores/${storeId}/segments/big-spenders/export.csv`);
    expect(csv.status).toBe(200);
    const sha = (s: string) => createHash('sha256').update(s).digest('hex');
    expect(csv.body.trim().split('\n').sort()).toEqual(['email_sha256', sha('b@example.com'), sha('c@example.com')].sort());

    await expect(h.send('DELETE', `/v1/stores/${storeId}/segments/big-spenders`)).resolves.toMatchObject({ status: 204 });
    const all = await memberships.waitFor(changesOf(storeId, 'big-spenders'), 4);
    expect(all.slice(2).map((m) => [m.value.profileId, m.value.change, m.value.trigger]).sort()).toEqual(
      [profiles[1], profiles[2]].sort().map((p) => [p, 'exited', 'segment_deleted']),
    );
    expect(all.slice(2).every((m) => m.key === `${storeId}:${m.value.profileId}`)).toBe(true);
    await expect(h.sql(`SELECT 1 FROM "profile"."segment_memberships" WHERE store_id = $1`, [storeId])).resolves.toEqual([]);
  });

  it('keeps each shopper’s changes in order on one partition', async () => {
    const storeId = uniqueStore();
    await createSegment(storeId, 'carts', { field: 'counters.add_to_cart', op: 'gte', value: 1 });
    await createSegment(storeId, 'buyers', { field: 'orders.count', op: 'gte', value: 1 });
    const base = { storeId, anonymousId: 'dev-o' };
    await h.publish([enrichedEvent({ ...base, type: 'add_to_cart', properties: { productId: 'p', quantity: 1 } })]);
    await memberships.waitFor(changesOf(storeId, 'carts'));
    await h.publish([enrichedEvent({ ...base, type: 'purchase', properties: { orderId: 'o', value: 5, currency: 'EUR', items: [{ productId: 'p', quantity: 1, price: 5 }] } })]);
    await memberships.waitFor(changesOf(storeId, 'buyers'));
    const mine = memberships.messages.filter(changesOf(storeId));
    expect(new Set(mine.map((m) => m.partition)).size).toBe(1);
    const offsets = mine.map((m) => BigInt(m.offset));
    expect(offsets).toEqual([...offsets].sort((a, b) => (a < b ? -1 : 1)));
    expect(mine.map((m) => `${m.value.segmentId}:${m.value.change}`)).toEqual(['carts:entered', 'buyers:entered']);
  });

  it('refuses bad definitions with a 400 naming the failing rule', async () => {
    const storeId = uniqueStore();
    await expect(h.send('PUT', `/v1/stores/${storeId}/settings`, { sensitiveCategories: ['Health'] })).resolves.toMatchObject({ status: 200 });
    const cases: [unknown, string][] = [
      [{ event: { type: 'purchse' } }, 'definition.event.type'],
      [{ all: [{ field: 'orders.count', op: 'gte', value: 1 }, { field: 'ordrs.count', op: 'gte', value: 1 }] }, 'definition.all[1].field'],
      [{ event: { type: 'product_view' }, within: '7 days' }, 'definition.within'],
      [{ affinity: { dimension: 'category', value: 'health' }, atLeast: 1 }, 'definition.affinity.value'],
      [{ not: { field: 'stage', op: 'eq', value: 'vip' } }, 'definition.not.value'],
    ];
    for (const [definition, field] of cases) {
      const res = await h.send<{ errors: { field: string; message: string }[] }>('POST', `/v1/stores/${storeId}/segments`, { name: 'bad', definition });
      expect(res.status).toBe(400);
      expect(res.body.errors.map((e) => e.field)).toContain(field);
    }
    // Hostile shapes: deep nesting, a huge tree, prototype keys, long strings, wrong types everywhere.
    let deep: unknown = { field: 'eventCount', op: 'gte', value: 1 };
    for (let i = 0; i < 50; i++) deep = { not: deep };
    const wide = { any: Array.from({ length: 10_000 }, () => ({ field: 'eventCount', op: 'gte', value: 1 })) };
    const hostile: unknown[] = [deep, wide, JSON.parse('{"__proto__": {"polluted": true}}'), { trait: 'x'.repeat(100_000), op: 'exists' }, 'all', [], null, 42, { all: 'nope' }];
    for (const definition of hostile) {
      const res = await h.send<{ errors: { field: string }[] }>('POST', `/v1/stores/${storeId}/segments`, { name: 'hostile', definition });
      // Too big to read at all (the 10,000-rule tree): 413 naming the body; anything else: 400 naming the rule.
      expect([400, 413]).toContain(res.status);
      expect(res.body.errors.length).toBeGreaterThan(0);
      expect(res.body.errors.length).toBeLessThanOrEqual(20);
      expect(res.body.errors.every((e) => e.field.startsWith(res.status === 413 ? '(body)' : 'definition'))).toBe(true);
    }
    expect(({} as Record<string, unknown>)['polluted']).toBeUndefined();
    await expect(h.send('POST', `/v1/stores/${storeId}/segments/preview`, { definition: deep })).resolves.toMatchObject({ status: 400 });
    await expect(h.send('POST', `/v1/stores/${storeId}/segments`, { name: 'x' })).resolves.toMatchObject({ status: 400 });
    await expect(h.send('POST', `/v1/stores/${storeId}/segments`, [])).resolves.toMatchObject({ status: 400 });
    await expect(h.send('GET', `/v1/stores/${storeId}/segments/nope`)).resolves.toMatchObject({ status: 404 });
    await expect(h.send('GET', `/v1/stores/${storeId}/segments/nope/members?limit=0`)).resolves.toMatchObject({ status: 400 });
    await createSegment(storeId, 'dup', { field: 'eventCount', op: 'gte', value: 1 });
    await expect(h.send('POST', `/v1/stores/${storeId}/segments`, { segmentId: 'dup', name: 'dup', definition: { field: 'eventCount', op: 'gte', value: 1 } })).resolves.toMatchObject({ status: 409 });
  });
});

async function waitForProfile(storeId: string, profileId: string, events: number): Promise<void> {
  await eventually(async () => {
    const p = await h.profile(storeId, profileId);
    if ((p?.eventCount ?? 0) < events) throw new Error('not yet');
    return true;
  });
}
