import { TOPICS, type PrivacyErasure, type ProfileView, type SegmentMembershipChange } from '@signal/contracts';
import { KafkaTap, eventually } from '@signal/testing';
import { Client } from 'pg';
import { Platform, Store } from './support';

/** The issue's acceptance path: segments through the gateway, events through the gateway, membership messages out. */
describe('segments, quizzes and privacy through the gateway', () => {
  let platform: Platform;
  let store: Store;
  let tap: KafkaTap<SegmentMembershipChange>;

  beforeAll(async () => {
    platform = await Platform.start();
    store = await platform.issueKeys(Store.newId());
    tap = await KafkaTap.open<SegmentMembershipChange>(process.env.KAFKA_BROKERS as string, TOPICS.SegmentsMembership);
  }, 120_000);
  afterAll(async () => {
    await tap?.close();
    await platform?.stop();
  });

  const mine = (segmentId: string) => (m: { value: SegmentMembershipChange }) => m.value.storeId === store.storeId && m.value.segmentId === segmentId;
  const create = async (segmentId: string, definition: unknown) => expect((await store.api('POST', '/v1/segments', { segmentId, name: segmentId, definition })).status).toBe(201);

  it('announces entries on time: on the event, with the passing of time, and across a 30-day purchase window', async () => {
    await create('shoe-fans', { event: { type: 'product_view', category: 'shoes' }, count: { atLeast: 3 }, within: '7d' });
    await create('abandoned-cart', { event: { type: 'add_to_cart' }, notFollowedBy: { type: 'purchase' }, after: '1m', within: '1d' });
    const bought = (category: string) => ({ event: { type: 'purchase', category }, within: '30d' });
    await create('new-home', { all: [bought('fridges'), bought('washing machines'), bought('microwaves')] });

    const views = [1, 2, 3].map(() => store.event({ anonymousId: 'shopper-1', properties: { productId: 'boot', category: 'Fashion > Shoes' } }));
    await store.send(views.slice(0, 2));
    await eventually(async () => (await store.profile({ anonymousId: 'shopper-1' }))?.eventCount === 2);
    const sent = Date.now();
    await store.send(views.slice(2));
    const [entered] = await tap.waitFor(mine('shoe-fans'));
    const latency = Date.now() - sent;
    console.info(`membership message ${latency} ms after the gateway accepted the event`);
    expect(entered?.value).toMatchObject({ change: 'entered', trigger: 'event', eventId: views[2]?.eventId });
    expect(latency).toBeLessThan(5_000);

    // Added to cart 57 s ago and nothing since: the sweep puts them in about 3 s from now.
    const cart = store.event({ anonymousId: 'shopper-2', type: 'add_to_cart', occurredAt: new Date(Date.now() - 57_000).toISOString(), properties: { productId: 'sofa', quantity: 1 } });
    await store.send([cart]);
    const [abandoned] = await tap.waitFor(mine('abandoned-cart'), 1, 30_000);
    expect(abandoned?.value).toMatchObject({ change: 'entered', trigger: 'time' });
    expect(Date.parse(abandoned?.value.occurredAt ?? '')).toBeGreaterThanOrEqual(Date.parse(cart.occurredAt) + 60_000);

    const order = (productId: string, category: string, daysAgo: number) =>
      store.event({
        anonymousId: 'shopper-3',
        customerId: 'home-owner',
        type: 'purchase',
        occurredAt: new Date(Date.now() - daysAgo * 86_400_000).toISOString(),
        properties: { orderId: productId, value: 500, currency: 'EUR', items: [{ productId, quantity: 1, price: 500 }], category },
      });
    await store.send([order('fridge-1', 'Appliances > Fridges', 20), order('washer-1', 'Appliances > Washing Machines', 10)]);
    await eventually(async () => (await store.profile({ customerId: 'home-owner' }))?.orders.count === 2);
    expect(tap.messages.filter(mine('new-home'))).toHaveLength(0);
    await store.send([order('micro-1', 'Appliances > Microwaves', 0)]);
    const [home] = await tap.waitFor(mine('new-home'));
    expect(home?.value).toMatchObject({ change: 'entered', trigger: 'event' });

    const p = (await store.profile({ customerId: 'home-owner' })) as ProfileView;
    expect(p.segments).toContain('new-home');
    expect(p.stage).toBe('repeat_buyer');
    expect(p.purchased.map((x) => x.productId).sort()).toEqual(['fridge-1', 'micro-1', 'washer-1']);
    const bySegment = await store.api<{ members: { profileId: string }[] }>('GET', '/v1/segments/new-home/members');
    expect(bySegment.body.members.map((m) => m.profileId)).toEqual([p.profileId]);
  });

  it('rejects bad definitions with a 4xx naming the failing rule, and keeps the write key off the admin API', async () => {
    const bad = await store.api<{ errors: { field: string }[] }>('POST', '/v1/segments', { name: 'bad', definition: { any: [{ event: { type: 'purchase' }, within: 'forever' }] } });
    expect(bad.status).toBe(400);
    expect(bad.body.errors.map((e) => e.field)).toContain('definition.any[0].within');
    expect((await store.api('POST', '/v1/segments', { name: 'x', definition: { field: 'eventCount', op: 'gte', value: 1 } }, 'write')).status).toBe(403);
  });

  it('maps a quiz answer into the profile and issues a single-use code', async () => {
    const quiz = {
      quizId: 'style',
      title: 'Your style',
      questions: [{ questionId: 'look', text: 'Pick a look', options: [{ optionId: 'classic', label: 'Classic', imageUrl: 'https://cdn.example.com/classic.jpg', traits: { style: 'classic' }, affinities: [{ dimension: 'brand', value: 'Heritage' }] }, { optionId: 'street', label: 'Street' }] }],
      reward: { discountPercent: 15 },
    };
    expect((await store.api('POST', '/v1/quizzes', quiz)).status).toBe(201);
    const answer = await store.api<{ accepted: number; reward: { code: string } }>('POST', '/v1/quizzes/style/responses', { responseId: 'r-1', anonymousId: 'shopper-q', answers: [{ questionId: 'look', answerIds: ['classic'] }] }, 'write');
    expect(answer.status).toBe(202);
    expect(answer.body.accepted).toBe(1);
    const p = await eventually(async () => {
      const found = await store.profile({ anonymousId: 'shopper-q' });
      return found?.traits['style'] === 'classic' ? found : false;
    });
    expect(p.affinities.brand[0]?.value).toBe('heritage');
    const again = await store.api<{ reward: { code: string } }>('POST', '/v1/quizzes/style/responses', { responseId: 'r-2', anonymousId: 'shopper-q', answers: [{ questionId: 'look', answerIds: ['classic'] }] }, 'write');
    expect(again.body.reward.code).toBe(answer.body.reward.code);
  });

  it('erases a person: nothing of them is left, and their device is not stitched back to them', async () => {
    await store.send([store.event({ anonymousId: 'shopper-e', customerId: 'cust-e', type: 'identify', properties: { email: 'erase.me@example.com' } })]);
    const p = await eventually(async () => store.profile({ customerId: 'cust-e' }));
    const erased = await store.api<PrivacyErasure>('DELETE', `/v1/profiles/${p.profileId}`);
    expect(erased.status).toBe(200);
    expect(await store.profile({ customerId: 'cust-e' })).toBeNull();

    const db = new Client({ connectionString: process.env.DATABASE_URL });
    await db.connect();
    try {
      await eventually(async () => (await db.query(`SELECT 1 FROM "ingest"."identity_links" WHERE store_id = $1 AND customer_id = 'cust-e'`, [store.storeId])).rowCount === 0);
      for (const [table, column] of [['profiles', 'profile_id'], ['identities', 'profile_id'], ['segment_memberships', 'profile_id'], ['profile_merges', 'into_profile_id'], ['quiz_rewards', 'profile_id']]) {
        const rows = await db.query(`SELECT * FROM "profile"."${table}" WHERE store_id = $1 AND ${column} = $2`, [store.storeId, p.profileId]);
        expect({ table, rows: rows.rowCount }).toEqual({ table, rows: 0 });
      }
      const text = JSON.stringify((await db.query(`SELECT details FROM "profile"."profiles" WHERE store_id = $1`, [store.storeId])).rows);
      expect(text).not.toContain('erase.me@example.com');
    } finally {
      await db.end();
    }
    // The same browser comes back anonymously: a new, anonymous profile, not the erased customer.
    await store.send([store.event({ anonymousId: 'shopper-e', type: 'page_view', properties: {} })]);
    const back = await eventually(async () => store.profile({ anonymousId: 'shopper-e' }));
    expect(back.customerId).toBeUndefined();
    expect(back.profileId).not.toBe(p.profileId);
  });
});
