import { randomUUID } from 'node:crypto';
import type { RecommendationAnswer } from '@signal/contracts';
import { loadConfig } from '@signal/platform';
import { startTestService, testEnv, type RunningService } from '@signal/testing';
import { AppModule } from '../src/app.module';
import { GatewayConfigSchema } from '../src/config';
import { FakeUpstream, sendJson, type Reply } from './fake-upstream';

const ADMIN_TOKEN = 'test-admin-token-0123456789';
const TIMEOUT_MS = 200;

const item = (productId: string, score: number) => ({ productId, score, reason: 'Trending this week' });
const answer = (over: Partial<RecommendationAnswer> = {}): RecommendationAnswer => ({
  recommendationId: randomUUID(),
  placement: 'trending',
  personalized: false,
  items: [item('p1', 5), item('p2', 4), item('p3', 3), item('p4', 2)],
  ...over,
});
const answers = (body: RecommendationAnswer): Reply => (_, res) => sendJson(res, 200, body);

describe('recommendations (gateway → recommender, with a fallback)', () => {
  let gateway: RunningService;
  let recommender: FakeUpstream;
  let port: number;
  const store = `t-${randomUUID().slice(0, 8)}`;
  const other = `t-${randomUUID().slice(0, 8)}`;
  // Never gets a trending answer, so the gateway has nothing cached for it.
  const unseen = `t-${randomUUID().slice(0, 8)}`;
  const keys: Record<string, { writeKey: string; secretKey: string }> = {};

  const call = (method: string, path: string, key: string | undefined, body?: unknown) =>
    fetch(`${gateway.url}${path}`, {
      method,
      headers: { ...(key ? { 'x-api-key': key } : {}), ...(body === undefined ? {} : { 'content-type': 'application/json' }) },
      body: body === undefined ? undefined : JSON.stringify(body),
    });
  const recommend = (query: string, key = keys[store].writeKey) => call('GET', `/v1/recommendations?${query}`, key);
  const fallbacksCounted = async (reason: string) => {
    const text = await (await fetch(`${gateway.url}/metrics`)).text();
    return Number(new RegExp(`^gateway_recommendation_fallbacks_total\\{reason="${reason}"\\} (\\d+)$`, 'm').exec(text)?.[1] ?? 0);
  };

  beforeAll(async () => {
    recommender = await FakeUpstream.start();
    port = Number(new URL(recommender.url).port);
    const config = loadConfig(GatewayConfigSchema, testEnv({ ADMIN_TOKEN, RECOMMENDER_URL: recommender.url, RECOMMENDATIONS_TIMEOUT_MS: String(TIMEOUT_MS), UPSTREAM_TIMEOUT_MS: '1000' }));
    gateway = await startTestService(AppModule.register(config), { bodyLimit: config.EVENTS_MAX_BODY_BYTES });
    for (const s of [store, other, unseen]) {
      const res = await fetch(`${gateway.url}/admin/v1/stores/${s}/keys`, { method: 'POST', headers: { 'x-admin-token': ADMIN_TOKEN } });
      expect(res.status).toBe(201);
      keys[s] = (await res.json()) as { writeKey: string; secretKey: string };
    }
  });

  afterEach(() => recommender.reset());

  afterAll(async () => {
    await gateway?.close();
    await recommender?.close();
  });

  describe('GET /v1/recommendations', () => {
    it("passes the recommender's answer through, asked for the key's store with the checked query and the request id", async () => {
      const personal = answer({ placement: 'home', personalized: true });
      recommender.reply = answers(personal);
      const res = await fetch(`${gateway.url}/v1/recommendations?placement=home&anonymousId=a1&cart=x&cart=y&exclude=z`, {
        headers: { 'x-api-key': keys[store].writeKey, 'x-request-id': 'req-recs-1' },
      });
      expect(res.status).toBe(200);
      expect(await res.json()).toEqual(personal);
      expect(recommender.last.url).toBe(`/v1/stores/${store}/recommendations?placement=home&anonymousId=a1&cart=x&cart=y&exclude=z&limit=10`);
      expect(recommender.last.headers['x-request-id']).toBe('req-recs-1');
      expect(recommender.last.headers['x-api-key']).toBeUndefined();
    });

    it("uses each key's own store, and refuses a store the client names", async () => {
      recommender.reply = answers(answer());
      await recommend('placement=trending', keys[other].writeKey);
      expect(recommender.last.url).toMatch(new RegExp(`^/v1/stores/${other}/recommendations\\?`));
      const named = await recommend(`placement=trending&storeId=${store}`, keys[other].writeKey);
      expect(named.status).toBe(400);
      expect(await named.json()).toMatchObject({ errors: [{ field: 'storeId', message: 'Unknown parameter' }] });
      expect(recommender.received).toHaveLength(1);
    });

    it('takes the secret key too, and refuses no key or an unknown one', async () => {
      recommender.reply = answers(answer());
      expect((await recommend('placement=trending', keys[store].secretKey)).status).toBe(200);
      expect((await call('GET', '/v1/recommendations?placement=trending', undefined)).status).toBe(401);
      expect((await recommend('placement=trending', 'wk-unknown')).status).toBe(401);
      expect(recommender.received).toHaveLength(1);
    });

    it("passes the recommender's 400 through as it is", async () => {
      const refusal = { statusCode: 400, error: 'Bad Request', message: 'Unknown product', errors: [{ field: 'productId', message: 'not in the catalog' }] };
      recommender.reply = (_, res) => sendJson(res, 400, refusal);
      const res = await recommend('placement=similar&productId=gone');
      expect(res.status).toBe(400);
      expect(await res.json()).toEqual(refusal);
    });

    const many = (n: number) => Array.from({ length: n }, (_, i) => `p${i}`);
    it.each([
      ['no placement', 'limit=3', 'placement'],
      ['an unknown placement', 'placement=sidebar', 'placement'],
      ['limit 0', 'placement=home&limit=0', 'limit'],
      ['limit 10000', 'placement=home&limit=10000', 'limit'],
      ['a limit that is not an integer', 'placement=home&limit=2.5', 'limit'],
      ['a malformed id', 'placement=home&customerId=a%20b', 'customerId'],
      ['a 10 kB id', `placement=home&anonymousId=${'a'.repeat(10_000)}`, 'anonymousId'],
      ['500 cart items, comma-separated', `placement=bought_together&cart=${many(500).join(',')}`, 'cart'],
      ['500 cart items, repeated', `placement=bought_together&${many(500).map((p) => `cart=${p}`).join('&')}`, 'cart'],
      ['a bad id in a list', 'placement=home&exclude=ok,%3Cscript%3E', 'exclude.1'],
      ['a country that is not ISO', 'placement=trending&country=Britain', 'country'],
      ['an unknown parameter', 'placement=home&debug=1', 'debug'],
      ['a repeated placement', 'placement=home&placement=trending', 'placement'],
      ['an operator in brackets', 'placement[$ne]=x', 'placement[$ne]'],
      ['__proto__', 'placement=home&__proto__=x', '__proto__'],
      ['__proto__ in brackets', 'placement=home&__proto__[admin]=1', '__proto__[admin]'],
    ])('refuses %s with a 400 naming the field, and asks nothing', async (_, query, field) => {
      const res = await recommend(query);
      expect(res.status).toBe(400);
      const body = (await res.json()) as { statusCode: number; error: string; errors: Array<{ field: string }> };
      expect(body).toMatchObject({ statusCode: 400, error: 'Bad Request' });
      expect(body.errors[0].field).toBe(field);
      expect(recommender.received).toHaveLength(0);
    });

    describe('fallback', () => {
      it('on a timeout serves the last trending answer of the store, less what the request excludes, within RECOMMENDATIONS_TIMEOUT_MS', async () => {
        recommender.reply = answers(answer());
        expect((await recommend('placement=trending&limit=4')).status).toBe(200);
        const before = await fallbacksCounted('timeout');
        recommender.reply = () => undefined;
        const started = Date.now();
        const res = await recommend('placement=home&anonymousId=a1&exclude=p1&cart=p3&limit=3');
        // Bounded by the timeout, not by the stalled upstream (which never answers); slack for a loaded machine.
        expect(Date.now() - started).toBeLessThan(TIMEOUT_MS + 3_000);
        expect(res.status).toBe(200);
        const body = (await res.json()) as RecommendationAnswer;
        expect(body).toEqual({
          recommendationId: expect.stringMatching(/^fallback-/),
          placement: 'home',
          personalized: false,
          items: [item('p2', 4), item('p4', 2)],
          fallback: 'recommender unavailable: cached trending',
        });
        expect(await fallbacksCounted('timeout')).toBe(before + 1);
      });

      it('on a 5xx serves the fallback too, and no other store sees this one’s trending items', async () => {
        recommender.reply = answers(answer());
        await recommend('placement=trending');
        const before = await fallbacksCounted('error');
        recommender.reply = (_, res) => sendJson(res, 503, { stack: 'at recommender.js:1' });
        const own = (await (await recommend('placement=similar&productId=p2&limit=2')).json()) as RecommendationAnswer;
        expect(own).toMatchObject({ placement: 'similar', personalized: false, items: [item('p1', 5), item('p3', 3)] });
        const theirs = await recommend('placement=similar&productId=p2', keys[unseen].writeKey);
        expect(theirs.status).toBe(200);
        expect(await theirs.json()).toMatchObject({ items: [], fallback: 'recommender unavailable: no items' });
        expect(await fallbacksCounted('error')).toBe(before + 2);
      });

      it('when the recommender is unreachable', async () => {
        recommender.reply = answers(answer());
        await recommend('placement=trending');
        const before = await fallbacksCounted('unreachable');
        await recommender.close();
        try {
          const res = await recommend('placement=my_mix&customerId=c1&limit=1');
          expect(res.status).toBe(200);
          expect(await res.json()).toMatchObject({ placement: 'my_mix', personalized: false, items: [item('p1', 5)], fallback: 'recommender unavailable: cached trending' });
          expect(await fallbacksCounted('unreachable')).toBe(before + 1);
        } finally {
          recommender = await FakeUpstream.start(port);
        }
      });
    });
  });

  describe('GET and PUT /v1/recommendations/rules', () => {
    const rules = { boost: [{ match: { brands: ['Acme'] }, factor: 2 }], maxPerBrand: 2 };

    it("forwards to the recommender for the key's store", async () => {
      const read = await call('GET', '/v1/recommendations/rules?storeId=elsewhere', keys[store].secretKey);
      expect(read.status).toBe(200);
      expect(await read.json()).toEqual({ method: 'GET', url: `/v1/stores/${store}/recommendations/rules`, body: null });
      const replaced = await call('PUT', '/v1/recommendations/rules', keys[other].secretKey, rules);
      expect(replaced.status).toBe(200);
      expect(await replaced.json()).toEqual({ method: 'PUT', url: `/v1/stores/${other}/recommendations/rules`, body: rules });
    });

    it('passes a refusal of bad rules through', async () => {
      const refusal = { statusCode: 400, error: 'Bad Request', message: 'Invalid rules', errors: [{ field: 'maxPerBrand', message: 'at least 1' }] };
      recommender.reply = (_, res) => sendJson(res, 400, refusal);
      const res = await call('PUT', '/v1/recommendations/rules', keys[store].secretKey, { maxPerBrand: 0 });
      expect(res.status).toBe(400);
      expect(await res.json()).toEqual(refusal);
    });

    it.each(['GET', 'PUT'])('%s needs the secret key: the write key gets 403, no key 401, and nothing is forwarded', async (method) => {
      const body = method === 'PUT' ? rules : undefined;
      const res = await call(method, '/v1/recommendations/rules', keys[store].writeKey, body);
      expect(res.status).toBe(403);
      expect(await res.json()).toMatchObject({ errors: [{ field: 'X-Api-Key' }] });
      expect((await call(method, '/v1/recommendations/rules', undefined, body)).status).toBe(401);
      expect(recommender.received).toHaveLength(0);
    });

    it('answers 413 to a body over UPSTREAM_MAX_BODY_BYTES, and 504 or 502 without a fallback', async () => {
      const big = await call('PUT', '/v1/recommendations/rules', keys[store].secretKey, { boost: [], blob: 'x'.repeat(270_000) });
      expect(big.status).toBe(413);
      expect(recommender.received).toHaveLength(0);
      recommender.reply = (_, res) => sendJson(res, 500, {});
      const failed = await call('GET', '/v1/recommendations/rules', keys[store].secretKey);
      expect(failed.status).toBe(502);
      expect(await failed.json()).toEqual({ statusCode: 502, error: 'Bad Gateway', message: 'Recommender service failed (500)' });
    });
  });
});
