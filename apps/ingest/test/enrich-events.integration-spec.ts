import { randomUUID } from 'node:crypto';
import { TOPICS, profileIdFor, type DeadLetter, type EnrichedEvent, type RawEvent } from '@signal/contracts';
import { loadConfig } from '@signal/platform';
import { KafkaTap, groupAtTopicEnd, startTestService, testEnv, type RunningService } from '@signal/testing';
import { Kafka, logLevel, type Producer } from 'kafkajs';
import { AppModule } from '../src/app.module';
import { IngestConfigSchema } from '../src/config';

describe('ingest: events.raw.v1 → events.enriched.v1 / events.dlq.v1', () => {
  const storeId = `t-${randomUUID().slice(0, 8)}`;
  let ingest: RunningService;
  let enriched: KafkaTap<EnrichedEvent>;
  let dlq: KafkaTap<DeadLetter>;
  let producer: Producer;

  const raw = (over: Partial<RawEvent> = {}): RawEvent => ({
    eventId: randomUUID(),
    type: 'product_view',
    occurredAt: new Date(Date.now() - 1_000).toISOString(),
    receivedAt: new Date().toISOString(),
    storeId,
    anonymousId: 'dev-1',
    properties: { productId: 'p1' },
    ...over,
  });
  const produce = (values: Array<RawEvent | string>) =>
    producer.send({
      topic: TOPICS.EventsRaw,
      acks: -1,
      messages: values.map((v) => ({ key: `${storeId}:x`, value: typeof v === 'string' ? v : JSON.stringify(v) })),
    });
  const mine = (m: { value: EnrichedEvent }) => m.value.storeId === storeId;

  beforeAll(async () => {
    const config = loadConfig(IngestConfigSchema, testEnv());
    ingest = await startTestService(AppModule.register(config, { groupId: await groupAtTopicEnd('ingest', [TOPICS.EventsRaw], config.KAFKA_BROKERS) }));
    enriched = await KafkaTap.open<EnrichedEvent>(config.KAFKA_BROKERS, TOPICS.EventsEnriched);
    dlq = await KafkaTap.open<DeadLetter>(config.KAFKA_BROKERS, TOPICS.EventsDeadLetter);
    producer = new Kafka({ clientId: 'ingest-test', brokers: config.KAFKA_BROKERS.split(','), logLevel: logLevel.NOTHING }).producer();
    await producer.connect();
  });

  afterAll(async () => {
    await producer?.disconnect();
    await enriched?.close();
    await dlq?.close();
    await ingest?.close();
  });

  it('enriches with device, place and time zone, keyed by the profile', async () => {
    const e = raw({ context: { ip: '81.2.69.160', userAgent: 'Mozilla/5.0 (iPhone; CPU iPhone OS 17_0 like Mac OS X) Mobile/15E148' } });
    await produce([e]);
    const [out] = await enriched.waitFor((m) => m.value.eventId === e.eventId);
    const profileId = profileIdFor(storeId, { anonymousId: 'dev-1' });
    expect(out.key).toBe(`${storeId}:${profileId}`);
    expect(out.value).toMatchObject({ profileId, receivedAt: e.receivedAt, enrichment: { device: { type: 'mobile' }, geo: { country: 'GB' }, timezone: 'Europe/London' } });
  });

  it('drops repeated eventIds, within a batch and across batches', async () => {
    const e = raw({ anonymousId: 'dev-dup' });
    await produce([e, e]);
    await produce([e]);
    const marker = raw({ anonymousId: 'dev-dup' });
    await produce([marker]);
    await enriched.waitFor((m) => m.value.eventId === marker.eventId);
    expect(enriched.messages.filter((m) => m.value.eventId === e.eventId)).toHaveLength(1);
  });

  it('stitches a device to its customer on identify, also for later anonymous events', async () => {
    const before = raw({ anonymousId: 'dev-2' });
    const identify = raw({ anonymousId: 'dev-2', customerId: 'cust-2', type: 'identify', properties: {} });
    const sameBatchAfter = raw({ anonymousId: 'dev-2' });
    await produce([before, identify, sameBatchAfter]);
    const later = raw({ anonymousId: 'dev-2' });
    await produce([later]);
    const out = await enriched.waitFor((m) => mine(m) && m.value.anonymousId === 'dev-2', 4);
    const byId = new Map(out.map((m) => [m.value.eventId, m.value]));
    const customer = profileIdFor(storeId, { customerId: 'cust-2', anonymousId: 'dev-2' });
    expect(byId.get(before.eventId)?.profileId).toBe(profileIdFor(storeId, { anonymousId: 'dev-2' }));
    expect(byId.get(identify.eventId)?.profileId).toBe(customer);
    expect(byId.get(sameBatchAfter.eventId)).toMatchObject({ profileId: customer, customerId: 'cust-2' });
    expect(byId.get(later.eventId)).toMatchObject({ profileId: customer, customerId: 'cust-2' });
  });

  it('dead-letters what it cannot accept, with the reason, and carries on', async () => {
    const invalid = raw({ type: 'teleport' as RawEvent['type'] });
    const ancient = raw({ occurredAt: '2001-01-01T00:00:00Z' });
    const noStore = { ...raw(), storeId: undefined } as unknown as RawEvent;
    const good = raw();
    await produce(['{"broken', invalid, ancient, noStore, good]);
    await enriched.waitFor((m) => m.value.eventId === good.eventId);
    const letters = await dlq.waitFor((m) => [invalid.eventId, ancient.eventId, noStore.eventId, '{"broken'].some((id) => m.value.payload?.includes(id)), 4);
    const reasons = Object.fromEntries(letters.map((l) => [l.value.payload?.includes(invalid.eventId) ? 'invalid' : l.value.payload?.includes(ancient.eventId) ? 'ancient' : l.value.payload?.includes(noStore.eventId) ? 'noStore' : 'broken', l.value]));
    expect(reasons.broken).toMatchObject({ reason: 'malformed_json', sourceTopic: TOPICS.EventsRaw });
    expect(reasons.invalid).toMatchObject({ reason: 'invalid_event', errors: [expect.objectContaining({ field: 'type' })] });
    expect(reasons.ancient.errors).toEqual([expect.objectContaining({ field: 'occurredAt' })]);
    expect(reasons.noStore.errors.map((e) => e.field)).toContain('storeId');
  });

  it('accepts out-of-order events: a late event keeps its own occurredAt', async () => {
    const late = raw({ occurredAt: new Date(Date.now() - 3_600_000).toISOString() });
    const early = raw();
    await produce([early, late]);
    const out = await enriched.waitFor((m) => m.value.eventId === late.eventId);
    expect(out[0].value.occurredAt).toBe(late.occurredAt);
  });
});
