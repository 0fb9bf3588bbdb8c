import { randomUUID } from 'node:crypto';
import { TOPICS, type RawEvent } from '@signal/contracts';
import { loadConfig } from '@signal/platform';
import { KafkaTap, startTestService, testEnv, type RunningService } from '@signal/testing';
import { AppModule } from '../src/app.module';
import { GatewayConfigSchema } from '../src/config';

const ADMIN_TOKEN = 'test-admin-token-0123456789';

describe('POST /v1/events (gateway → events.raw.v1)', () => {
  let gateway: RunningService;
  let tap: KafkaTap<RawEvent>;
  let keys: { writeKey: string; secretKey: string };
  const storeId = `t-${randomUUID().slice(0, 8)}`;

  const post = (body: unknown, headers: Record<string, string> = { 'x-api-key': keys.writeKey }, raw = false) =>
    fetch(`${gateway.url}/v1/events`, {
      method: 'POST',
      headers: { 'content-type': 'application/json', ...headers },
      body: raw ? (body as string) : JSON.stringify(body),
    });
  const event = (over: Record<string, unknown> = {}) => ({
    eventId: randomUUID(),
    type: 'product_view',
    occurredAt: new Date().toISOString(),
    anonymousId: 'anon-1',
    properties: { productId: 'p-1' },
    ...over,
  });

  beforeAll(async () => {
    const config = loadConfig(GatewayConfigSchema, testEnv({ ADMIN_TOKEN }));
    gateway = await startTestService(AppModule.register(config), { bodyLimit: config.EVENTS_MAX_BODY_BYTES });
    tap = await KafkaTap.open<RawEvent>(config.KAFKA_BROKERS, TOPICS.EventsRaw);
    const res = await fetch(`${gateway.url}/admin/v1/stores/${storeId}/keys`, { method: 'POST', headers: { 'x-admin-token': ADMIN_TOKEN } });
    expect(res.status).toBe(201);
    keys = (await res.json()) as typeof keys;
  });

  afterAll(async () => {
    await tap?.close();
    await gateway?.close();
  });

  it('answers 202 once Kafka has the batch, stamped with store, server time, IP and user agent', async () => {
    const events = [event(), event({ type: 'page_view', properties: {} })];
    const res = await post({ events }, { 'x-api-key': keys.writeKey, 'user-agent': 'Mozilla/5.0 (iPhone)' });
    expect(res.status).toBe(202);
    expect(await res.json()).toEqual({ accepted: 2 });
    const landed = await tap.waitFor((m) => m.value.storeId === storeId, 2);
    expect(landed.map((m) => m.value.eventId).sort()).toEqual(events.map((e) => e.eventId).sort());
    expect(landed[0].key).toBe(`${storeId}:anon-1`);
    expect(landed[0].value.context?.userAgent).toBe('Mozilla/5.0 (iPhone)');
    expect(landed[0].value.context?.ip).toBeDefined();
    expect(Date.parse(landed[0].value.receivedAt)).toBeGreaterThan(Date.now() - 60_000);
  });

  it('accepts a full batch of 500 events', async () => {
    const events = Array.from({ length: 500 }, () => event({ anonymousId: 'anon-500' }));
    const res = await post({ events });
    expect(res.status).toBe(202);
    await tap.waitFor((m) => m.value.storeId === storeId && m.value.anonymousId === 'anon-500', 500);
  });

  describe('bad input gets a 4xx with a JSON error naming the field, never a 5xx', () => {
    const huge = 'x'.repeat(5_000);
    const cases: Array<[string, () => Promise<Response>, number, string]> = [
      ['malformed JSON', () => post('{"events": [', undefined, true), 400, '(body)'],
      ['a body that is not an object', () => post('"hello"', undefined, true), 400, '(body)'],
      ['no events array', () => post({ event: {} }), 400, 'events'],
      ['an empty batch', () => post({ events: [] }), 400, 'events'],
      ['events not an array', () => post({ events: 'many' }), 400, 'events'],
      ['a wrong type', () => post({ events: [event({ anonymousId: 12 })] }), 400, 'anonymousId'],
      ['an unknown event type', () => post({ events: [event({ type: 'teleport' })] }), 400, 'type'],
      ['a future timestamp', () => post({ events: [event({ occurredAt: new Date(Date.now() + 86_400_000).toISOString() })] }), 400, 'occurredAt'],
      ['an ancient timestamp', () => post({ events: [event({ occurredAt: '1999-12-31T23:59:59Z' })] }), 400, 'occurredAt'],
      ['a missing per-type field', () => post({ events: [event({ properties: {} })] }), 400, 'properties.productId'],
      ['an oversized string', () => post({ events: [event({ anonymousId: huge.slice(0, 300) })] }), 400, 'anonymousId'],
      ['an oversized event', () => post({ events: [event({ properties: { productId: 'p', blob: huge.repeat(10) } })] }), 400, '(event)'],
      ['too many events', () => post({ events: Array.from({ length: 501 }, () => event()) }), 413, 'events'],
      ['a body over 1 MB', () => post({ events: [event({ properties: { productId: 'p', blob: 'y'.repeat(1_100_000) } })] }), 413, '(body)'],
      ['no API key', () => post({ events: [event()] }, {}), 401, 'X-Api-Key'],
      ['a wrong API key', () => post({ events: [event()] }, { 'x-api-key': 'wk_nope' }), 401, 'X-Api-Key'],
      ['a hostile key', () => post({ events: [event()] }, { 'x-api-key': `' OR 1=1 --${'z'.repeat(5000)}` }), 401, 'X-Api-Key'],
      ['prototype pollution', () => post('{"events":[{"__proto__":{"admin":true},"eventId":"x"}]}', undefined, true), 400, 'type'],
    ];

    it.each(cases)('%s', async (_, send, status, field) => {
      const res = await send();
      expect(res.status).toBe(status);
      const body = (await res.json()) as { errors?: Array<{ field: string }> };
      expect(body.errors?.map((e) => e.field)).toContain(field);
    });

    it('refuses a write key where the secret key is needed', async () => {
      const res = await fetch(`${gateway.url}/v1/profiles/whatever`, { headers: { 'x-api-key': keys.writeKey } });
      expect(res.status).toBe(403);
    });

    it('lands nothing of a rejected batch', async () => {
      const good = event({ anonymousId: 'anon-partial' });
      const res = await post({ events: [good, event({ type: 'nope' })] });
      expect(res.status).toBe(400);
      await post({ events: [event({ anonymousId: 'anon-marker' })] });
      await tap.waitFor((m) => m.value.storeId === storeId && m.value.anonymousId === 'anon-marker');
      expect(tap.messages.some((m) => m.value.eventId === good.eventId)).toBe(false);
    });
  });

  it('reports readiness and Prometheus metrics', async () => {
    const ready = await fetch(`${gateway.url}/health/ready`);
    expect(ready.status).toBe(200);
    expect(await ready.json()).toMatchObject({ status: 'ok', info: { kafka: { status: 'up' }, postgres: { status: 'up' } } });
    const metrics = await (await fetch(`${gateway.url}/metrics`)).text();
    expect(metrics).toContain('http_request_duration_seconds_bucket');
    expect(metrics).toContain('kafka_published_messages_total{topic="events.raw.v1"}');
  });

  it('echoes a request id for tracing', async () => {
    const res = await fetch(`${gateway.url}/health/live`, { headers: { 'x-request-id': 'req-123' } });
    expect(res.headers.get('x-request-id')).toBe('req-123');
  });
});
