import { Global, Module } from '@nestjs/common';
import type { NestExpressApplication } from '@nestjs/platform-express';
import { Test } from '@nestjs/testing';
import { getRepositoryToken } from '@nestjs/typeorm';
import type { RawEvent } from '@signal/contracts';
import { KafkaPublisher, loadConfig, type OutgoingMessage } from '@signal/platform';
import { request } from 'node:http';
import type { AddressInfo } from 'node:net';
import { FakeUpstream, sendJson } from '../../../test/fake-upstream';
import { ApiKey } from '../../api-keys/api-key.entity';
import { ApiKeysService, type Caller } from '../../api-keys/api-keys.service';
import { GATEWAY_CONFIG, GatewayConfigSchema } from '../../config';
import { ProfileProxyModule } from '../profile-proxy.module';

// The proxied routes as wired in the app (guard, pipes, body limit, record-events), with a fake key store and Kafka.
const KEYS: Record<string, Caller> = { 'sk-a': { storeId: 'store-a', kind: 'secret' }, 'wk-a': { storeId: 'store-a', kind: 'write' } };
const secret = { 'x-api-key': 'sk-a' };
const write = { 'x-api-key': 'wk-a' };

describe('profile proxy routes', () => {
  let upstream: FakeUpstream;
  let app: NestExpressApplication;
  let base: string;
  const published: OutgoingMessage[][] = [];
  let publishFails = false;

  const send = (method: string, path: string, o: { headers?: Record<string, string>; body?: unknown } = {}) =>
    fetch(`${base}${path}`, {
      method,
      headers: { ...(o.body === undefined ? {} : { 'content-type': 'application/json' }), ...o.headers },
      body: o.body === undefined ? undefined : typeof o.body === 'string' ? o.body : JSON.stringify(o.body),
    });

  // fetch (like any URL parser) resolves "." and "%2e%2e" segments before sending; a hostile client sends them as they are.
  const raw = (path: string, headers: Record<string, string>) =>
    new Promise<{ status: number; body: string }>((resolve, reject) => {
      const { hostname, port } = new URL(base);
      const req = request({ hostname, port, path, headers }, (res) => {
        let body = '';
        res.on('data', (c: Buffer) => (body += c.toString('utf8')));
        res.on('end', () => resolve({ status: res.statusCode ?? 0, body }));
      });
      req.on('error', reject);
      req.end();
    });

  beforeAll(async () => {
    upstream = await FakeUpstream.start();
    const config = loadConfig(GatewayConfigSchema, { ADMIN_TOKEN: 'x'.repeat(16), PROFILE_URL: upstream.url, UPSTREAM_TIMEOUT_MS: '500' });
    const publisher = {
      publish: async (_topic: string, messages: OutgoingMessage[]) => {
        if (publishFails) throw new Error('broker down');
        published.push(messages);
      },
    };
    @Global()
    @Module({ providers: [{ provide: GATEWAY_CONFIG, useValue: config }, { provide: KafkaPublisher, useValue: publisher }], exports: [GATEWAY_CONFIG, KafkaPublisher] })
    class Platform {}
    const moduleRef = await Test.createTestingModule({ imports: [Platform, ProfileProxyModule] })
      .overrideProvider(getRepositoryToken(ApiKey))
      .useValue({})
      .overrideProvider(ApiKeysService)
      .useValue({ authenticate: async (key: string) => KEYS[key] ?? null })
      .compile();
    app = moduleRef.createNestApplication<NestExpressApplication>({ bodyParser: false, logger: false });
    // As the platform does: one JSON parser sized for event batches, and a request id on every answer.
    app.useBodyParser('json', { limit: config.EVENTS_MAX_BODY_BYTES });
    app.use((_req: unknown, res: { setHeader(name: string, value: string): void }, next: () => void) => {
      res.setHeader('X-Request-Id', 'req-42');
      next();
    });
    await app.listen(0, '127.0.0.1');
    base = `http://127.0.0.1:${(app.getHttpServer().address() as AddressInfo).port}`;
  });

  afterEach(() => {
    upstream.reset();
    published.length = 0;
    publishFails = false;
  });

  afterAll(async () => {
    await app?.close();
    await upstream?.close();
  });

  describe('keys', () => {
    const secretRoutes: Array<[string, string]> = [
      ['GET', '/v1/profiles?anonymousId=a1'],
      ['GET', '/v1/profiles/p1'],
      ['GET', '/v1/profiles/p1/segments'],
      ['GET', '/v1/profiles/p1/export'],
      ['DELETE', '/v1/profiles/p1'],
      ['GET', '/v1/settings'],
      ['PUT', '/v1/settings'],
      ['POST', '/v1/segments'],
      ['GET', '/v1/segments'],
      ['POST', '/v1/segments/preview'],
      ['GET', '/v1/segments/s1'],
      ['PUT', '/v1/segments/s1'],
      ['DELETE', '/v1/segments/s1'],
      ['GET', '/v1/segments/s1/members'],
      ['GET', '/v1/segments/s1/export.csv'],
      ['POST', '/v1/quizzes'],
      ['GET', '/v1/quizzes'],
      ['GET', '/v1/quizzes/q1'],
      ['PUT', '/v1/quizzes/q1'],
      ['DELETE', '/v1/quizzes/q1'],
    ];

    it.each(secretRoutes)('%s %s refuses the write key and forwards nothing', async (method, path) => {
      const body = method === 'POST' || method === 'PUT' ? {} : undefined;
      const res = await send(method, path, { headers: write, body });
      expect(res.status).toBe(403);
      expect(((await res.json()) as { errors: Array<{ field: string }> }).errors[0].field).toBe('X-Api-Key');
      expect(upstream.received).toHaveLength(0);
    });

    it('refuses a missing or unknown key', async () => {
      expect((await send('GET', '/v1/settings')).status).toBe(401);
      expect((await send('GET', '/v1/settings', { headers: { 'x-api-key': 'sk-nope' } })).status).toBe(401);
      expect(upstream.received).toHaveLength(0);
    });

    it('takes the store from the key, whatever the client names, and never passes the key on', async () => {
      const res = await send('PUT', '/v1/settings?storeId=store-b&x=1', { headers: secret, body: { storeId: 'store-b', stage: { newAfterDays: 3 } } });
      expect(res.status).toBe(200);
      expect(upstream.last.url).toBe('/v1/stores/store-a/settings?x=1');
      expect(upstream.last.headers['x-api-key']).toBeUndefined();
      expect(upstream.last.headers['x-request-id']).toBe('req-42');
    });
  });

  describe('routes', () => {
    const routes: Array<[string, string, unknown, string]> = [
      ['GET', '/v1/profiles?customerId=c%201', undefined, '/v1/stores/store-a/profiles?customerId=c+1'],
      ['GET', '/v1/profiles/p1', undefined, '/v1/stores/store-a/profiles/p1'],
      ['GET', '/v1/profiles/p1/segments', undefined, '/v1/stores/store-a/profiles/p1/segments'],
      ['GET', '/v1/profiles/p1/export', undefined, '/v1/stores/store-a/profiles/p1/export'],
      ['DELETE', '/v1/profiles/p1', undefined, '/v1/stores/store-a/profiles/p1'],
      ['GET', '/v1/settings', undefined, '/v1/stores/store-a/settings'],
      ['PUT', '/v1/settings', { a: 1 }, '/v1/stores/store-a/settings'],
      ['POST', '/v1/segments', { name: 'VIP' }, '/v1/stores/store-a/segments'],
      ['GET', '/v1/segments', undefined, '/v1/stores/store-a/segments'],
      ['POST', '/v1/segments/preview', { rule: {} }, '/v1/stores/store-a/segments/preview'],
      ['GET', '/v1/segments/s1', undefined, '/v1/stores/store-a/segments/s1'],
      ['PUT', '/v1/segments/s1', { name: 'VIP' }, '/v1/stores/store-a/segments/s1'],
      ['DELETE', '/v1/segments/s1', undefined, '/v1/stores/store-a/segments/s1'],
      ['GET', '/v1/segments/s1/members?limit=50&after=p9', undefined, '/v1/stores/store-a/segments/s1/members?limit=50&after=p9'],
      ['GET', '/v1/segments/s1/export.csv', undefined, '/v1/stores/store-a/segments/s1/export.csv'],
      ['POST', '/v1/quizzes', { title: 'Skin' }, '/v1/stores/store-a/quizzes'],
      ['GET', '/v1/quizzes', undefined, '/v1/stores/store-a/quizzes'],
      ['GET', '/v1/quizzes/q1', undefined, '/v1/stores/store-a/quizzes/q1'],
      ['PUT', '/v1/quizzes/q1', { title: 'Skin' }, '/v1/stores/store-a/quizzes/q1'],
      ['DELETE', '/v1/quizzes/q1', undefined, '/v1/stores/store-a/quizzes/q1'],
    ];

    it.each(routes)('%s %s → %#', async (method, path, body, upstreamUrl) => {
      const res = await send(method, path, { headers: secret, body });
      expect(res.status).toBe(200);
      expect(await res.json()).toEqual({ method, url: upstreamUrl, body: body ?? null });
    });

    it('passes a CSV export through', async () => {
      upstream.reply = (_, res) => res.writeHead(200, { 'content-type': 'text/csv; charset=utf-8' }).end('profileId\np1\n');
      const res = await send('GET', '/v1/segments/s1/export.csv', { headers: secret });
      expect(res.headers.get('content-type')).toBe('text/csv; charset=utf-8');
      expect(await res.text()).toBe('profileId\np1\n');
    });

    it('passes a 404 through as it is', async () => {
      upstream.reply = (_, res) => sendJson(res, 404, { statusCode: 404, error: 'Not Found', message: 'No such quiz' });
      const res = await send('GET', '/v1/quizzes/q404', { headers: secret });
      expect(res.status).toBe(404);
      expect(await res.json()).toEqual({ statusCode: 404, error: 'Not Found', message: 'No such quiz' });
    });
  });

  describe('hostile input', () => {
    it.each([
      ['/v1/profiles/..%2F', '/v1/stores/store-a/profiles/..%2F'],
      ['/v1/profiles/..%252F', '/v1/stores/store-a/profiles/..%252F'],
      ['/v1/segments/a%2Fb%3Fc/members', '/v1/stores/store-a/segments/a%2Fb%3Fc/members'],
      [`/v1/quizzes/${'q'.repeat(128)}`, `/v1/stores/store-a/quizzes/${'q'.repeat(128)}`],
    ])('%s is forwarded as one encoded segment', async (path, upstreamUrl) => {
      expect((await send('GET', path, { headers: secret })).status).toBe(200);
      expect(upstream.last.url).toBe(upstreamUrl);
    });

    it.each([
      [`/v1/profiles/${'p'.repeat(129)}`, 'id'],
      [`/v1/segments/${'s'.repeat(129)}/export.csv`, 'segmentId'],
      ['/v1/segments/%2e%2e', 'segmentId'],
      ['/v1/segments/../members', 'segmentId'],
      ['/v1/quizzes/.', 'quizId'],
      ['/v1/profiles/a%00b', 'id'],
      ['/v1/profiles/a%0D%0AX-Injected:%201', 'id'],
    ])('%s gets a 400 naming %s, and nothing is forwarded', async (path, field) => {
      const res = await raw(path, secret);
      expect(res.status).toBe(400);
      expect((JSON.parse(res.body) as { errors: Array<{ field: string }> }).errors[0].field).toBe(field);
      expect(upstream.received).toHaveLength(0);
    });

    it('answers 400 to an id that is not valid percent-encoding (Express refuses to decode it)', async () => {
      const res = await raw('/v1/profiles/%E0%A4%A', secret);
      expect(res.status).toBe(400);
      expect(JSON.parse(res.body)).toMatchObject({ statusCode: 400 });
      expect(upstream.received).toHaveLength(0);
    });

    it('refuses a body over UPSTREAM_MAX_BODY_BYTES with 413, declared or chunked', async () => {
      const big = { blob: 'x'.repeat(262_144) };
      const declared = await send('PUT', '/v1/settings', { headers: secret, body: big });
      expect(declared.status).toBe(413);
      expect(await declared.json()).toMatchObject({ statusCode: 413, error: 'Payload Too Large', errors: [{ field: '(body)' }] });
      const text = JSON.stringify(big);
      const chunked = await fetch(`${base}/v1/segments`, {
        method: 'POST',
        headers: { ...secret, 'content-type': 'application/json' },
        body: new ReadableStream({
          start(c) {
            c.enqueue(new TextEncoder().encode(text.slice(0, 1000)));
            c.enqueue(new TextEncoder().encode(text.slice(1000)));
            c.close();
          },
        }),
        duplex: 'half',
      } as RequestInit);
      expect(chunked.status).toBe(413);
      expect(upstream.received).toHaveLength(0);
    });

    it('refuses a body that is not JSON', async () => {
      const res = await send('POST', '/v1/segments', { headers: { ...secret, 'content-type': 'text/plain' }, body: 'name=VIP' });
      expect(res.status).toBe(400);
      expect(upstream.received).toHaveLength(0);
    });
  });

  describe('POST /v1/quizzes/:quizId/responses', () => {
    const response = { anonymousId: 'anon-1', responseId: 'r1', answers: [{ questionId: 'skin', answerIds: ['dry'] }] };
    const answer = (questionId: string, over: Record<string, unknown> = {}) => ({
      eventId: `quiz-r1-${questionId}`,
      type: 'quiz_answer',
      occurredAt: new Date().toISOString(),
      anonymousId: 'anon-1',
      properties: { quizId: 'q1', questionId, answerIds: ['dry'] },
      ...over,
    });

    it('records the events the profile service made, stamped like POST /v1/events, then answers 202 with the reward', async () => {
      upstream.reply = (_, res) => sendJson(res, 200, { events: [answer('skin'), answer('age', { customerId: 'c-1' })], reward: { code: 'QUIZ10', percentOff: 10 } });
      const res = await send('POST', '/v1/quizzes/q1/responses', { headers: { ...write, 'user-agent': 'Shop/1.0' }, body: response });
      expect(res.status).toBe(202);
      expect(await res.json()).toEqual({ accepted: 2, reward: { code: 'QUIZ10', percentOff: 10 } });
      expect(upstream.last).toMatchObject({ method: 'POST', url: '/v1/stores/store-a/quizzes/q1/responses' });
      expect(JSON.parse(upstream.last.body)).toEqual(response);
      const [batch] = published;
      expect(batch.map((m) => m.key)).toEqual(['store-a:anon-1', 'store-a:anon-1']);
      const events = batch.map((m) => m.value as RawEvent);
      expect(events.map((e) => e.eventId)).toEqual(['quiz-r1-skin', 'quiz-r1-age']);
      for (const e of events) {
        expect(e).toMatchObject({ storeId: 'store-a', type: 'quiz_answer', context: { userAgent: 'Shop/1.0' } });
        expect(Date.parse(e.receivedAt)).toBeGreaterThan(Date.now() - 60_000);
      }
    });

    it('answers 202 without a reward when there is none', async () => {
      upstream.reply = (_, res) => sendJson(res, 200, { events: [answer('skin')] });
      const res = await send('POST', '/v1/quizzes/q1/responses', { headers: write, body: response });
      expect(await res.json()).toEqual({ accepted: 1 });
    });

    it('passes a 4xx of the profile service through and records nothing', async () => {
      const refusal = { statusCode: 422, error: 'Unprocessable Entity', message: 'Unknown answer', errors: [{ field: 'answers.0.answerIds.0', message: 'unknown' }] };
      upstream.reply = (_, res) => sendJson(res, 422, refusal);
      const res = await send('POST', '/v1/quizzes/q1/responses', { headers: write, body: response });
      expect(res.status).toBe(422);
      expect(await res.json()).toEqual(refusal);
      expect(published).toHaveLength(0);
    });

    it('checks the events as POST /v1/events would: a bad one rejects them all', async () => {
      upstream.reply = (_, res) => sendJson(res, 200, { events: [answer('skin'), answer('age', { anonymousId: 'a'.repeat(300) })] });
      const res = await send('POST', '/v1/quizzes/q1/responses', { headers: write, body: response });
      expect(res.status).toBe(400);
      expect(((await res.json()) as { errors: Array<{ index: number; field: string }> }).errors).toEqual([expect.objectContaining({ index: 1, field: 'anonymousId' })]);
      expect(published).toHaveLength(0);
    });

    it('answers 503 when Kafka does not acknowledge', async () => {
      publishFails = true;
      upstream.reply = (_, res) => sendJson(res, 200, { events: [answer('skin')], reward: { code: 'QUIZ10' } });
      const res = await send('POST', '/v1/quizzes/q1/responses', { headers: write, body: response });
      expect(res.status).toBe(503);
      expect(await res.json()).not.toHaveProperty('reward');
    });

    it.each([
      ['a 5xx', 500, { message: 'boom' }],
      ['an answer without events', 200, { reward: { code: 'X' } }],
    ])('answers 502 to %s', async (_, status, body) => {
      upstream.reply = (__, res) => sendJson(res, status, body);
      const res = await send('POST', '/v1/quizzes/q1/responses', { headers: write, body: response });
      expect(res.status).toBe(502);
      expect(published).toHaveLength(0);
    });

    it('answers 202 with nothing to record when no event came back', async () => {
      upstream.reply = (_, res) => sendJson(res, 200, { events: [] });
      const res = await send('POST', '/v1/quizzes/q1/responses', { headers: write, body: response });
      expect(res.status).toBe(202);
      expect(await res.json()).toEqual({ accepted: 0 });
      expect(published).toHaveLength(0);
    });

    it('takes the secret key too, and refuses no key', async () => {
      upstream.reply = (_, res) => sendJson(res, 200, { events: [answer('skin')] });
      expect((await send('POST', '/v1/quizzes/q1/responses', { headers: secret, body: response })).status).toBe(202);
      expect((await send('POST', '/v1/quizzes/q1/responses', { body: response })).status).toBe(401);
    });
  });
});
