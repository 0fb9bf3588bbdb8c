import { randomUUID } from 'node:crypto';
import { request } from 'node:http';
import { TOPICS, type RawEvent } from '@signal/contracts';
import { loadConfig } from '@signal/platform';
import { KafkaTap, startTestService, testEnv, type RunningService } from '@signal/testing';
import { AppModule } from '../src/app.module';
import { GatewayConfigSchema } from '../src/config';
import { FakeUpstream, sendJson } from './fake-upstream';

const ADMIN_TOKEN = 'test-admin-token-0123456789';

describe('profile proxy (gateway → profile service, quiz answers → events.raw.v1)', () => {
  let gateway: RunningService;
  let upstream: FakeUpstream;
  let tap: KafkaTap<RawEvent>;
  const store = `t-${randomUUID().slice(0, 8)}`;
  const other = `t-${randomUUID().slice(0, 8)}`;
  const keys: Record<string, { writeKey: string; secretKey: string }> = {};

  const call = (method: string, path: string, key: string, body?: unknown, headers: Record<string, string> = {}) =>
    fetch(`${gateway.url}${path}`, {
      method,
      headers: { 'x-api-key': key, ...(body === undefined ? {} : { 'content-type': 'application/json' }), ...headers },
      body: body === undefined ? undefined : JSON.stringify(body),
    });

  // URL parsers resolve dot segments before sending; a hostile client does not.
  const raw = (path: string, key: string) =>
    new Promise<number>((resolve, reject) => {
      const { hostname, port } = new URL(gateway.url);
      const req = request({ hostname, port, path, headers: { 'x-api-key': key } }, (res) => {
        res.resume();
        res.on('end', () => resolve(res.statusCode ?? 0));
      });
      req.on('error', reject);
      req.end();
    });

  const quizAnswer = (anonymousId: string, questionId: string) => ({
    eventId: randomUUID(),
    type: 'quiz_answer',
    occurredAt: new Date().toISOString(),
    anonymousId,
    properties: { quizId: 'skin-quiz', questionId, answerIds: ['dry'] },
  });

  beforeAll(async () => {
    upstream = await FakeUpstream.start();
    const config = loadConfig(GatewayConfigSchema, testEnv({ ADMIN_TOKEN, PROFILE_URL: upstream.url, UPSTREAM_TIMEOUT_MS: '300' }));
    gateway = await startTestService(AppModule.register(config), { bodyLimit: config.EVENTS_MAX_BODY_BYTES });
    tap = await KafkaTap.open<RawEvent>(config.KAFKA_BROKERS, TOPICS.EventsRaw);
    for (const s of [store, other]) {
      const res = await fetch(`${gateway.url}/admin/v1/stores/${s}/keys`, { method: 'POST', headers: { 'x-admin-token': ADMIN_TOKEN } });
      expect(res.status).toBe(201);
      keys[s] = (await res.json()) as { writeKey: string; secretKey: string };
    }
  });

  afterEach(() => upstream.reset());

  afterAll(async () => {
    await tap?.close();
    await gateway?.close();
    await upstream?.close();
  });

  describe('keys', () => {
    it.each([
      ['GET', '/v1/profiles/p1'],
      ['DELETE', '/v1/profiles/p1'],
      ['GET', '/v1/settings'],
      ['PUT', '/v1/settings'],
      ['POST', '/v1/segments/preview'],
      ['GET', '/v1/segments/s1/export.csv'],
      ['POST', '/v1/quizzes'],
    ])('%s %s needs the secret key: the write key gets 403 and nothing is forwarded', async (method, path) => {
      const res = await call(method, path, keys[store].writeKey, method === 'PUT' || method === 'POST' ? {} : undefined);
      expect(res.status).toBe(403);
      expect(upstream.received).toHaveLength(0);
    });

    it("forwards for the key's own store, whatever the client names", async () => {
      await call('GET', `/v1/segments?storeId=${other}`, keys[store].secretKey);
      await call('PUT', '/v1/settings', keys[other].secretKey, { storeId: store });
      expect(upstream.received.map((r) => `${r.method} ${r.url}`)).toEqual([`GET /v1/stores/${store}/segments`, `PUT /v1/stores/${other}/settings`]);
    });

    it('passes the request id on, and never the key', async () => {
      const res = await call('GET', '/v1/profiles?anonymousId=a1', keys[store].secretKey, undefined, { 'x-request-id': 'req-proxy-1' });
      expect(res.headers.get('x-request-id')).toBe('req-proxy-1');
      expect(upstream.last.url).toBe(`/v1/stores/${store}/profiles?anonymousId=a1`);
      expect(upstream.last.headers['x-request-id']).toBe('req-proxy-1');
      expect(upstream.last.headers['x-api-key']).toBeUndefined();
    });
  });

  describe('forwarding', () => {
    it('passes a CSV export through', async () => {
      upstream.reply = (_, res) => res.writeHead(200, { 'content-type': 'text/csv; charset=utf-8' }).end('profileId\np1\n');
      const res = await call('GET', '/v1/segments/vip/export.csv', keys[store].secretKey);
      expect(res.status).toBe(200);
      expect(res.headers.get('content-type')).toBe('text/csv; charset=utf-8');
      expect(await res.text()).toBe('profileId\np1\n');
    });

    it('sends hostile ids as one encoded segment, and refuses what cannot be one', async () => {
      expect((await call('GET', '/v1/profiles/..%2F/segments', keys[store].secretKey)).status).toBe(200);
      expect(upstream.last.url).toBe(`/v1/stores/${store}/profiles/..%2F/segments`);
      expect(await raw('/v1/segments/%2e%2e', keys[store].secretKey)).toBe(400);
      expect(await raw(`/v1/quizzes/${'q'.repeat(129)}`, keys[store].secretKey)).toBe(400);
      expect(upstream.received).toHaveLength(1);
    });

    it('answers 413 to a body over 256 kB', async () => {
      const res = await call('POST', '/v1/segments', keys[store].secretKey, { blob: 'x'.repeat(270_000) });
      expect(res.status).toBe(413);
      expect(await res.json()).toMatchObject({ errors: [{ field: '(body)' }] });
    });

    it('answers 504 when the profile service is silent, and 502 when it fails', async () => {
      upstream.reply = () => undefined;
      expect((await call('GET', '/v1/settings', keys[store].secretKey)).status).toBe(504);
      upstream.reply = (_, res) => sendJson(res, 500, { message: 'boom' });
      expect((await call('GET', '/v1/settings', keys[store].secretKey)).status).toBe(502);
    });
  });

  describe('POST /v1/quizzes/:quizId/responses', () => {
    const response = (anonymousId: string) => ({ anonymousId, responseId: randomUUID(), answers: [{ questionId: 'skin', answerIds: ['dry'] }] });

    it('records the quiz_answer events on events.raw.v1 before answering 202 with the reward', async () => {
      const events = [quizAnswer('anon-quiz', 'skin'), quizAnswer('anon-quiz', 'age')];
      upstream.reply = (_, res) => sendJson(res, 200, { events, reward: { code: 'QUIZ10' } });
      const res = await call('POST', '/v1/quizzes/skin-quiz/responses', keys[store].writeKey, response('anon-quiz'), { 'user-agent': 'Mozilla/5.0 (Quiz)' });
      expect(res.status).toBe(202);
      expect(await res.json()).toEqual({ accepted: 2, reward: { code: 'QUIZ10' } });
      expect(upstream.last.url).toBe(`/v1/stores/${store}/quizzes/skin-quiz/responses`);
      const landed = await tap.waitFor((m) => m.value.storeId === store && m.value.type === 'quiz_answer', 2);
      expect(landed.map((m) => m.value.eventId).sort()).toEqual(events.map((e) => e.eventId).sort());
      expect(landed[0].key).toBe(`${store}:anon-quiz`);
      expect(landed[0].value.context?.userAgent).toBe('Mozilla/5.0 (Quiz)');
      expect(Date.parse(landed[0].value.receivedAt)).toBeGreaterThan(Date.now() - 60_000);
    });

    it('passes a refusal of the profile service through and records nothing, even events in it', async () => {
      const refused = quizAnswer('anon-refused', 'skin');
      const refusal = { statusCode: 422, error: 'Unprocessable Entity', message: 'Unknown answer', events: [refused] };
      upstream.reply = (_, res) => sendJson(res, 422, refusal);
      const res = await call('POST', '/v1/quizzes/skin-quiz/responses', keys[store].writeKey, response('anon-refused'));
      expect(res.status).toBe(422);
      expect(await res.json()).toEqual(refusal);
      // A marker sent after it: once it has landed, the refused answer would have too.
      const marker = quizAnswer('anon-marker', 'skin');
      upstream.reply = (_, r) => sendJson(r, 200, { events: [marker] });
      expect((await call('POST', '/v1/quizzes/skin-quiz/responses', keys[store].writeKey, response('anon-marker'))).status).toBe(202);
      await tap.waitFor((m) => m.value.eventId === marker.eventId);
      expect(tap.messages.some((m) => m.value.eventId === refused.eventId)).toBe(false);
    });

    it('needs a key', async () => {
      const res = await fetch(`${gateway.url}/v1/quizzes/skin-quiz/responses`, { method: 'POST', headers: { 'content-type': 'application/json' }, body: '{}' });
      expect(res.status).toBe(401);
      expect(upstream.received).toHaveLength(0);
    });
  });
});
