import { randomBytes, randomUUID } from 'node:crypto';
import { Injectable, Module, type DynamicModule, type OnModuleInit } from '@nestjs/common';
import type { Client } from '@opensearch-project/opensearch';
import { Type } from '@sinclair/typebox';
import { TOPICS, shopperKey, type DeadLetter, type EnrichedEvent, type ProfileView } from '@signal/contracts';
import { CommonConfig, OPENSEARCH, OpenSearchConfig, PlatformModule, loadConfig } from '@signal/platform';
import { KafkaTap, enrichedEvent, eventually, groupAtTopicEnd, httpClient, startTestService, testEnv, testProducer, uniqueStore, type RunningService } from '@signal/testing';
import { BEHAVIOUR_CONFIG, BehaviourConfig } from '../src/behaviour/behaviour-config';
import { BehaviourEventsController } from '../src/behaviour/behaviour.events.controller';
import { BehaviourService } from '../src/behaviour/behaviour.service';
import { learnedRewriteId, rewriteCandidateId } from '../src/behaviour/effects';
import { ExitSweeper } from '../src/behaviour/exit-sweeper';
import { heatOf, logAdd2 } from '../src/behaviour/heat';
import type { SessionDoc } from '../src/behaviour/session';
import { HEAT_HALF_LIFE_HOURS, type LearnedRewriteDoc, type ProductDoc, type QueryDoc, type ShopperDoc } from '../src/indices/documents';
import { IndexAdmin } from '../src/indices/index-admin';
import { SEARCH_INDICES, docId, indexNames } from '../src/indices/index-names';
import { ReportHttpController } from '../src/report/report.http.controller';
import type { SearchReport } from '../src/report/report-shape';
import { ReportService } from '../src/report/report.service';
import { ShopperAffinities } from '../src/shoppers/shopper-affinities';
import { ShoppersEventsController } from '../src/shoppers/shoppers.events.controller';
import { ShoppersService } from '../src/shoppers/shoppers.service';
import { SynonymsHttpController } from '../src/synonyms/synonyms.http.controller';
import { SynonymsService } from '../src/synonyms/synonyms.service';

const Schema = Type.Object({ ...CommonConfig, ...OpenSearchConfig, ...BehaviourConfig });
const prefix = `test-beh-${randomBytes(4).toString('hex')}-`;
const names = indexNames(prefix);

@Injectable()
class EnsureIndices implements OnModuleInit {
  constructor(private readonly admin: IndexAdmin) {}
  onModuleInit(): Promise<void> {
    return this.admin.ensure();
  }
}

@Module({})
class BehaviourTestModule {}

let service: RunningService;
let os: Client;
let groupId: string;
let producer: Awaited<ReturnType<typeof testProducer>>;
let http: ReturnType<typeof httpClient>;
let brokers: string;

beforeAll(async () => {
  const config = loadConfig(Schema, testEnv({ LOG_LEVEL: 'error', SEARCH_EXIT_SWEEP_INTERVAL_S: '0', SEARCH_REPORT_MIN_SEARCHES: '2' }));
  brokers = config.KAFKA_BROKERS;
  groupId = await groupAtTopicEnd('search-behaviour', [TOPICS.EventsEnriched, TOPICS.ProfilesChanged, TOPICS.PrivacyErasures], brokers);
  const module: DynamicModule = {
    module: BehaviourTestModule,
    imports: [
      PlatformModule.forRoot({
        service: 'search',
        settings: config,
        groupId,
        topics: [TOPICS.EventsEnriched, TOPICS.ProfilesChanged, TOPICS.PrivacyErasures, TOPICS.EventsDeadLetter],
        opensearchUrl: config.OPENSEARCH_URL,
      }),
    ],
    controllers: [BehaviourEventsController, ShoppersEventsController, SynonymsHttpController, ReportHttpController],
    providers: [
      { provide: SEARCH_INDICES, useValue: names },
      { provide: BEHAVIOUR_CONFIG, useValue: config },
      IndexAdmin,
      EnsureIndices,
      BehaviourService,
      ExitSweeper,
      ShoppersService,
      ShopperAffinities,
      SynonymsService,
      ReportService,
    ],
  };
  service = await startTestService(module);
  os = service.app.get<Client>(OPENSEARCH);
  producer = await testProducer(brokers, 'search-behaviour-test');
  http = httpClient(service.url);
}, 90_000);

afterAll(async () => {
  await producer?.close();
  await service?.close();
  const client = os;
  if (!client) return;
  const { body } = await client.cat.indices({ index: `${prefix}*`, format: 'json' });
  const indices = (body as { index: string }[]).map((i) => i.index);
  if (indices.length) await client.indices.delete({ index: indices });
  await client.indices.deleteIndexTemplate({ name: `${names.products}-template` }, { ignore: [404] });
});

const T = Date.now();
const ago = (minutes: number): string => new Date(T - minutes * 60_000).toISOString();

const get = async <D>(index: string, id: string): Promise<D | null> => {
  const res = await os.get({ index, id }, { ignore: [404] });
  const body = res.body as { found?: boolean; _source?: D };
  return body.found ? (body._source as D) : null;
};
const query = (storeId: string, q: string) => get<QueryDoc>(names.queries, docId(storeId, q));
const productDoc = (storeId: string, productId: string) => get<ProductDoc>(names.products, docId(storeId, productId));

async function indexProducts(storeId: string, ids: string[]): Promise<void> {
  const now = new Date().toISOString();
  for (const productId of ids) {
    const doc: ProductDoc = { storeId, productId, title: productId, categories: [], price: 10, effectivePrice: 10, currency: 'EUR', inStock: true, hidden: false, createdAt: now, updatedAt: now };
    await os.index({ index: names.products, id: docId(storeId, productId), body: doc as never, refresh: true });
  }
}

type Who = { anonymousId: string; customerId?: string };
const ev = (storeId: string, who: Who, type: EnrichedEvent['type'], occurredAt: string, properties: Record<string, unknown> = {}): EnrichedEvent =>
  enrichedEvent({ storeId, ...who, type, occurredAt, properties });

/** A shopper who searches a typo (nothing found), corrects it, clicks, carts and buys. */
const reformulation = (storeId: string, who: Who, typo = 'Lmap'): EnrichedEvent[] => {
  const id = randomUUID().slice(0, 8);
  return [
    ev(storeId, who, 'search', ago(5), { query: typo, searchId: `${id}-1`, resultsCount: 0 }),
    ev(storeId, who, 'search', ago(4), { query: 'Lamp', searchId: `${id}-2`, resultsCount: 12 }),
    ev(storeId, who, 'search_result_click', ago(3.5), { productId: 'p1', position: 0, searchId: `${id}-2`, query: 'Lamp' }),
    ev(storeId, who, 'add_to_cart', ago(3), { productId: 'p1', quantity: 1 }),
    ev(storeId, who, 'purchase', ago(2), { orderId: `o-${id}`, value: 30, currency: 'EUR', items: [{ productId: 'p1', quantity: 2, price: 10 }, { productId: 'p.dot', quantity: 1, price: 10 }] }),
  ];
};

describe('learning from behaviour', () => {
  const store = uniqueStore();
  const a = { anonymousId: 'shopper-a' };
  const b = { anonymousId: 'shopper-b' };
  let first: EnrichedEvent[];

  beforeAll(() => indexProducts(store, ['p1', 'p.dot']));

  it('counts searches, what sells for the query, product popularity, exits, and learns a rewrite', async () => {
    first = reformulation(store, a);
    await producer.publish(first);
    const one = await eventually(async () => {
      const r = await get<LearnedRewriteDoc>(names.rewrites, learnedRewriteId(store, 'lmap'));
      return r && (await query(store, 'lamp'))?.purchases === 1 ? r : null;
    });
    // One shopper is not enough.
    expect(one).toMatchObject({ kind: 'learned', from: 'lmap', to: 'lamp', support: 1, active: false });

    await producer.publish(reformulation(store, b));
    const lamp = await eventually(async () => {
      const q = await query(store, 'lamp');
      return q?.purchases === 2 ? q : null;
    });
    expect(lamp).toMatchObject({ storeId: store, query: 'lamp', searches: 2, clicks: 2, carts: 2, purchases: 2, lastResultsCount: 12, lastSearchedAt: ago(4), products: { p1: 18, 'p.dot': 10 } });
    expect(lamp.exits ?? 0).toBe(0);
    expect(lamp.heatShort).toBeCloseTo(logAdd2(heatOf(1, T - 4 * 60_000, HEAT_HALF_LIFE_HOURS.queryShort), heatOf(1, T - 4 * 60_000, HEAT_HALF_LIFE_HOURS.queryShort)), 6);
    expect(lamp.heatLong).toBeCloseTo(1 + heatOf(1, T - 4 * 60_000, HEAT_HALF_LIFE_HOURS.queryLong), 6);

    expect(await query(store, 'lmap')).toMatchObject({ searches: 2, zeroResults: 2, exits: 2, lastResultsCount: 0 });

    const learned = await eventually(async () => {
      const r = await get<LearnedRewriteDoc>(names.rewrites, learnedRewriteId(store, 'lmap'));
      return r?.support === 2 ? r : null;
    });
    expect(learned).toMatchObject({ from: 'lmap', to: 'lamp', support: 2, active: true });

    // Popularity: click 1, cart 3, purchase 5 per shopper; units sold from the purchases.
    const w = (weight: number, minutes: number) => heatOf(weight, T - minutes * 60_000, HEAT_HALF_LIFE_HOURS.product);
    const perShopper = [w(1, 3.5), w(3, 3), w(5, 2)];
    const expected = [...perShopper, ...perShopper].reduce<number | null>((h, x) => logAdd2(h, x), null) as number;
    const p1 = await productDoc(store, 'p1');
    expect(p1).toMatchObject({ sold: 4, title: 'p1' });
    expect(p1?.heat).toBeCloseTo(expected, 6);
    expect(await productDoc(store, 'p.dot')).toMatchObject({ sold: 2 });

    const session = await get<SessionDoc>(names.sessions, docId(store, first[0].profileId));
    expect(session?.searches.map((s) => [s.query, s.engaged, s.exited])).toEqual([
      ['lmap', false, true],
      ['lamp', true, false],
    ]);
  });

  it('replaces a learned rewrite when another reformulation gains more support', async () => {
    const s = uniqueStore();
    const reform = (who: string, to: string): EnrichedEvent[] => {
      const id = randomUUID().slice(0, 8);
      return [
        ev(s, { anonymousId: who }, 'search', ago(3), { query: 'sofaa', resultsCount: 0 }),
        ev(s, { anonymousId: who }, 'search', ago(2), { query: to, searchId: id, resultsCount: 4 }),
        ev(s, { anonymousId: who }, 'search_result_click', ago(1), { productId: 'x', position: 1, searchId: id }),
      ];
    };
    const learned = (check: (r: LearnedRewriteDoc) => boolean) =>
      eventually(async () => {
        const r = await get<LearnedRewriteDoc>(names.rewrites, learnedRewriteId(s, 'sofaa'));
        return r && check(r) ? r : null;
      });
    await producer.publish(reform('s1', 'sofa'));
    expect(await learned((r) => r.to === 'sofa')).toMatchObject({ support: 1, active: false });
    await producer.publish(reform('s2', 'couch'));
    await eventually(async () => (await query(s, 'couch'))?.clicks === 1);
    // A tie keeps the rewrite there is.
    expect(await get(names.rewrites, learnedRewriteId(s, 'sofaa'))).toMatchObject({ to: 'sofa', support: 1 });
    await producer.publish(reform('s3', 'couch'));
    expect(await learned((r) => r.to === 'couch')).toMatchObject({ from: 'sofaa', to: 'couch', support: 2, active: true });
  });

  it('counts redelivered events once, and attributes out-of-order events by time', async () => {
    // The same events again (a producer retry), then one new event of the same shopper.
    await producer.publish([...first, ev(store, a, 'search', ago(1), { query: 'sentinel' })]);
    await eventually(async () => (await query(store, 'sentinel'))?.searches === 1);
    expect(await query(store, 'lamp')).toMatchObject({ searches: 2, clicks: 2, carts: 2, purchases: 2, products: { p1: 18, 'p.dot': 10 } });
    expect(await productDoc(store, 'p1')).toMatchObject({ sold: 4 });
    expect(await get(names.rewrites, learnedRewriteId(store, 'lmap'))).toMatchObject({ support: 2 });

    // A search that reaches us after a newer one, then a click on it.
    const c = { anonymousId: 'shopper-c' };
    await producer.publish([
      ev(store, c, 'search', ago(1), { query: 'desk', searchId: 'c-new', resultsCount: 3 }),
      ev(store, c, 'search', ago(10), { query: 'chair', searchId: 'c-old', resultsCount: 5 }),
      ev(store, c, 'search_result_click', ago(0.5), { productId: 'p1', position: 2, searchId: 'c-old' }),
      ev(store, { anonymousId: 'shopper-d' }, 'search', ago(20), { query: 'desk', resultsCount: 7 }),
    ]);
    const chair = await eventually(async () => {
      const q = await query(store, 'chair');
      return q?.clicks === 1 ? q : null;
    });
    // Settled as an exit on arrival (a newer search existed), taken back by the click.
    expect(chair).toMatchObject({ searches: 1, products: { p1: 1 }, lastSearchedAt: ago(10) });
    expect(chair.exits ?? 0).toBe(0);
    const desk = await eventually(async () => {
      const q = await query(store, 'desk');
      return q?.searches === 2 ? q : null;
    });
    // The latest search decides lastSearchedAt and lastResultsCount, whatever the arrival order.
    expect(desk).toMatchObject({ lastSearchedAt: ago(1), lastResultsCount: 3 });
  });

  it('counts the exit of a shopper who comes back after the window, and of one who never does (sweep)', async () => {
    const e = { anonymousId: 'shopper-e' };
    const f = { anonymousId: 'shopper-f' };
    await producer.publish([ev(store, e, 'search', ago(40), { query: 'teapot', resultsCount: 3 }), ev(store, f, 'search', ago(0), { query: 'kettle', resultsCount: 2 })]);
    await eventually(async () => (await query(store, 'kettle'))?.searches === 1 && (await query(store, 'teapot'))?.searches === 1);
    // Within the window nothing is settled.
    expect((await query(store, 'teapot'))?.exits ?? 0).toBe(0);
    await producer.publish([ev(store, e, 'page_view', ago(0))]);
    await eventually(async () => (await query(store, 'teapot'))?.exits === 1);

    await os.indices.refresh({ index: names.sessions });
    const sweeper = service.app.get(ExitSweeper);
    await sweeper.tick(new Date(Date.now() + 31 * 60_000));
    expect(await query(store, 'kettle')).toMatchObject({ exits: 1 });
    // A second sweep (another replica) counts nothing twice.
    await os.indices.refresh({ index: names.sessions });
    await service.app.get(BehaviourService).sweep(new Date(T - 3_600_000), new Date(Date.now() + 31 * 60_000));
    expect(await query(store, 'kettle')).toMatchObject({ exits: 1 });
    expect(await query(store, 'teapot')).toMatchObject({ exits: 1 });
  });

  it('dead-letters malformed and hostile events and keeps the good ones of the batch, once', async () => {
    const dlq = await KafkaTap.open<DeadLetter>(brokers, TOPICS.EventsDeadLetter);
    try {
      const s = uniqueStore();
      const g = { anonymousId: 'good' };
      const key = shopperKey(s, enrichedEvent({ storeId: s, ...g }).profileId);
      const good = ev(s, g, 'search', ago(1), { query: '<script>alert(1)</script> Lamp', resultsCount: 1 });
      const bad: [string, unknown][] = [
        ['bad-uuid', { ...good, eventId: 'bad-uuid', profileId: 'not-a-uuid' }],
        ['bad-long', { ...good, eventId: 'bad-long', properties: { query: 'x'.repeat(300) } }],
        ['bad-items', { ...ev(s, g, 'purchase', ago(1), { orderId: 'o', value: 1, currency: 'EUR', items: 'p1' }), eventId: 'bad-items' }],
        ['bad-store', { ...good, eventId: 'bad-store', storeId: 'x|y' }],
        ['bad-extra', { ...good, eventId: 'bad-extra', __proto__: null, injected: { $where: '1' } }],
      ];
      await producer.publishRaw(TOPICS.EventsEnriched, [
        { key, value: '{"not json' },
        ...bad.map(([, value]) => ({ key, value: JSON.stringify(value) })),
        { key, value: JSON.stringify(good) },
        { key, value: JSON.stringify(ev(s, g, 'product_view', ago(1), { productId: 'not-in-catalog' })) },
      ]);
      const mine = (m: { value: DeadLetter }) => m.value.consumerGroup === groupId && m.value.key === key;
      await dlq.waitFor((m) => mine(m) && m.value.reason === 'malformed_json', 1, 30_000);
      for (const [id] of bad) await dlq.waitFor((m) => mine(m) && m.value.reason === 'invalid_enriched_event' && String(m.value.payload).includes(`"${id}"`), 1, 30_000);
      const q = await eventually(() => query(s, 'script alert 1 script lamp'));
      // The batch failed and was retried message by message: the good search still counts once.
      expect(q).toMatchObject({ searches: 1 });
      expect(dlq.messages.filter(mine)).toHaveLength(bad.length + 1);
    } finally {
      await dlq.close();
    }
  });

  it('serves and drops learned rewrites, and reports zero-result and high-exit queries', async () => {
    const report = await http.get<SearchReport>(`/v1/stores/${store}/search/report?limit=10`);
    expect(report.status).toBe(200);
    expect(report.body.zeroResults).toEqual([{ query: 'lmap', searches: 2, zeroResults: 2, lastSearchedAt: ago(5) }]);
    expect(report.body.highExit[0]).toEqual({ query: 'lmap', searches: 2, exits: 2, exitRate: 1 });
    expect(report.body.highExit.map((r) => r.query)).not.toContain('lamp');
    expect(report.body.rewrites).toEqual([{ from: 'lmap', to: 'lamp', support: 2, active: true }]);

    const list = await http.get<{ rewrites: LearnedRewriteDoc[] }>(`/v1/stores/${store}/search/rewrites`);
    expect(list.body.rewrites).toEqual([expect.objectContaining({ from: 'lmap', to: 'lamp', support: 2, active: true })]);
    const dropped = await http.send('DELETE', `/v1/stores/${store}/search/rewrites?from=${encodeURIComponent('  LMAP ')}`);
    expect(dropped).toMatchObject({ status: 200, body: { from: 'lmap', to: 'lamp', active: false } });
    expect((await http.get<{ rewrites: unknown[] }>(`/v1/stores/${store}/search/rewrites`)).body.rewrites).toEqual([]);
    expect((await http.send('DELETE', `/v1/stores/${store}/search/rewrites?from=lmap`)).status).toBe(404);

    // A third shopper makes the same reformulation: it stays dropped.
    await producer.publish(reformulation(store, { anonymousId: 'shopper-g' }));
    await eventually(async () => (await query(store, 'lamp'))?.purchases === 3);
    expect(await get(names.rewrites, learnedRewriteId(store, 'lmap'))).toBeNull();
    expect(await get(names.rewrites, rewriteCandidateId(store, 'lmap', 'lamp'))).toMatchObject({ kind: 'blocked', support: 2 });

    for (const [path, field] of [
      ['/v1/stores/BAD/search/report', 'storeId'],
      [`/v1/stores/${store}/search/report?limit=0`, 'limit'],
      [`/v1/stores/${store}/search/report?limit=ten`, 'limit'],
      [`/v1/stores/${store}/search/report?other=1`, 'other'],
      ['/v1/stores/BAD/search/rewrites', 'storeId'],
      [`/v1/stores/${store}/search/rewrites?storeId[$ne]=x`, 'storeId'],
    ] as const) {
      const r = await http.get<{ errors: { field: string }[] }>(path);
      expect({ path, status: r.status }).toEqual({ path, status: 400 });
      expect(r.body.errors.map((e) => e.field).join(',')).toContain(field);
    }
    expect((await http.send<{ errors: { field: string }[] }>('DELETE', `/v1/stores/${store}/search/rewrites?from=...`)).body.errors[0].field).toBe('from');
  });
});

describe('synonyms', () => {
  it('stores normalized per-store synonyms and refuses bad ones naming the field', async () => {
    const store = uniqueStore();
    expect((await http.get(`/v1/stores/${store}/search/synonyms`)).body).toEqual({ storeId: store, kind: 'synonyms', sets: [], oneWay: [], updatedAt: null });
    const put = await http.send('PUT', `/v1/stores/${store}/search/synonyms`, { sets: [['Sofa', 'Couch', 'sofa'], ['tee', 'T-Shirt']], oneWay: [{ from: 'Laptop', to: ['Notebook'] }] });
    expect(put).toMatchObject({ status: 200, body: { storeId: store, sets: [['sofa', 'couch'], ['tee', 't-shirt']], oneWay: [{ from: 'laptop', to: ['notebook'] }] } });
    expect((await http.get(`/v1/stores/${store}/search/synonyms`)).body).toMatchObject({ sets: [['sofa', 'couch'], ['tee', 't-shirt']] });
    // Another store sees none of it.
    expect((await http.get(`/v1/stores/${uniqueStore()}/search/synonyms`)).body).toMatchObject({ sets: [] });

    for (const [body, field] of [
      [{ sets: [['a', '']] }, 'sets.0.1'],
      [{ sets: [['a', 'x'.repeat(65)]] }, 'sets.0.1'],
      [{ sets: [['only']] }, 'sets.0'],
      [{ sets: 'sofa,couch' }, 'sets'],
      [{ sets: [], oneWay: [{ from: '!!!', to: ['x'] }] }, 'oneWay.0.from'],
      [{ sets: [], extra: true }, 'extra'],
      [[['a', 'b']], '(body)'],
    ] as const) {
      const r = await http.send<{ errors: { field: string }[] }>('PUT', `/v1/stores/${store}/search/synonyms`, body);
      expect({ body, status: r.status }).toEqual({ body, status: 400 });
      expect(r.body.errors.map((e) => e.field)).toContain(field);
    }
    expect((await http.send('PUT', '/v1/stores/Not_A_Store/search/synonyms', { sets: [] })).status).toBe(400);
    expect((await http.send('PUT', `/v1/stores/${store}/search/synonyms`, '{"sets": [')).status).toBe(400);
    expect((await http.get(`/v1/stores/${store}/search/synonyms`)).body).toMatchObject({ sets: [['sofa', 'couch'], ['tee', 't-shirt']] });
  });
});

describe('shoppers', () => {
  const store = uniqueStore();
  const anonymousId = 'device-1';
  const customerId = 'cust-1';
  const profileId = enrichedEvent({ storeId: store, anonymousId, customerId }).profileId;
  const profile = (computedAt: string, brand: string): ProfileView => ({
    profileId,
    storeId: store,
    customerId,
    identities: [
      { kind: 'anonymous', value: anonymousId },
      { kind: 'customer', value: customerId },
    ],
    firstSeenAt: computedAt,
    lastSeenAt: computedAt,
    computedAt,
    eventCount: 1,
    counters: {},
    stage: 'browsing',
    traits: {},
    affinities: { brand: [{ value: brand, score: 3 }], category: [{ value: 'home > lighting', score: 2 }], priceBand: [], color: [], size: [] },
    orders: { count: 0, revenue: 0, withDiscount: 0 },
    rfm: { frequency: 0, monetary: 0 },
    discountSensitivity: {},
    consent: {},
    purchased: [],
    hearted: [],
    segments: [],
  });
  const key = shopperKey(store, profileId);
  const shopperDoc = () => get<ShopperDoc>(names.shoppers, docId(store, profileId));

  it('keeps affinities from profiles.changed.v1, ignores older profiles, and deletes on a tombstone', async () => {
    await producer.publishRaw(TOPICS.ProfilesChanged, [
      { key, value: JSON.stringify(profile(ago(1), 'lumen')) },
      { key, value: JSON.stringify(profile(ago(10), 'older')) },
    ]);
    await eventually(async () => (await shopperDoc())?.brands[0]?.value === 'lumen');
    await os.indices.refresh({ index: names.shoppers });
    const affinities = service.app.get(ShopperAffinities);
    const expected = { brands: [{ value: 'lumen', score: 3 }], categories: [{ value: 'home > lighting', score: 2 }] };
    expect(await affinities.lookup(store, { customerId })).toEqual(expected);
    expect(await affinities.lookup(store, { anonymousId })).toEqual(expected);
    expect(await affinities.lookup(store, { anonymousId: 'stranger' })).toBeNull();
    expect(await affinities.lookup(uniqueStore(), { customerId })).toBeNull();
    expect(await affinities.lookup(store, {})).toBeNull();

    await producer.publishRaw(TOPICS.ProfilesChanged, [{ key, value: null }]);
    await eventually(async () => (await shopperDoc()) === null);
  });

  it('erases the shopper and their sessions on privacy.erasures.v1, and dead-letters bad messages', async () => {
    const dlq = await KafkaTap.open<DeadLetter>(brokers, TOPICS.EventsDeadLetter);
    try {
      const anonProfile = enrichedEvent({ storeId: store, anonymousId }).profileId;
      await producer.publishRaw(TOPICS.ProfilesChanged, [{ key, value: JSON.stringify(profile(ago(0), 'lumen')) }, { key, value: JSON.stringify({ profileId, storeId: store }) }]);
      // Before the merge, the device had its own profile and searched.
      await producer.publish([ev(store, { anonymousId }, 'search', ago(1), { query: 'lamp' }), ev(store, { anonymousId, customerId }, 'search', ago(0.5), { query: 'lamp shade' })]);
      await eventually(async () => (await shopperDoc()) !== null && (await get(names.sessions, docId(store, anonProfile))) !== null && (await get(names.sessions, docId(store, profileId))) !== null);
      await dlq.waitFor((m) => m.value.consumerGroup === groupId && m.value.reason === 'invalid_profile' && m.value.key === key, 1, 30_000);

      await producer.publishRaw(TOPICS.PrivacyErasures, [
        { key, value: JSON.stringify({ erasureId: 'e1', storeId: store, profileId, identities: [{ kind: 'anonymous', value: anonymousId }, { kind: 'customer', value: customerId }], requestedAt: new Date().toISOString() }) },
        { key, value: JSON.stringify({ erasureId: 'e2', storeId: 'x|y', profileId, identities: [], requestedAt: new Date().toISOString() }) },
      ]);
      await eventually(async () => [await shopperDoc(), await get(names.sessions, docId(store, anonProfile)), await get(names.sessions, docId(store, profileId))].every((d) => d === null)).catch(async (e: unknown) => {
        throw new Error(`${String(e)}: ${JSON.stringify([await shopperDoc(), await get(names.sessions, docId(store, anonProfile)), await get(names.sessions, docId(store, profileId))])}`);
      });
      await dlq.waitFor((m) => m.value.consumerGroup === groupId && m.value.reason === 'invalid_erasure', 1, 30_000);
      // Query statistics are not personal: they stay.
      expect(await query(store, 'lamp shade')).toMatchObject({ searches: 1 });
    } finally {
      await dlq.close();
    }
  });
});
