// Lives beside libs/testing because it needs its helpers; it tests libs/platform's Kafka layer.

import { Controller, Module, type DynamicModule } from '@nestjs/common';
import { EventPattern, Payload } from '@nestjs/microservices';
import { TOPICS, type DeadLetter, type TopicName } from '@signal/contracts';
import { KafkaTap, eventually, startTestService, testEnv, type RunningService } from '../src';
import { Type } from '@sinclair/typebox';
import { Kafka, logLevel } from 'kafkajs';
import { randomUUID } from 'node:crypto';
import { CommonConfig, KafkaPublisher, PlatformModule, UnprocessableMessageError, loadConfig, type ConsumedMessage } from '@signal/platform';

const run = randomUUID().slice(0, 8);
const SINGLE = `test.single-${run}.v1` as TopicName;
const BATCH = `test.batch-${run}.v1` as TopicName;

interface Body {
  id: string;
  mode?: 'ok' | 'poison' | 'unprocessable' | 'flaky' | 'outage';
}

/** What the handlers saw, shared across app instances of one test. */
const seen = { single: [] as string[], batch: [] as string[], flakyTries: new Map<string, number>() };

@Controller()
class ProbeController {
  @EventPattern(SINGLE)
  async single(@Payload() m: ConsumedMessage<Body>): Promise<void> {
    this.fail(m.value);
    seen.single.push(m.value.id);
  }

  @EventPattern(BATCH, { batch: true })
  async batch(@Payload() messages: ConsumedMessage<Body>[]): Promise<void> {
    for (const m of messages) this.fail(m.value);
    await new Promise((r) => setTimeout(r, 2));
    seen.batch.push(...messages.map((m) => m.value.id));
  }

  private fail(b: Body): void {
    if (b.mode === 'poison') throw new Error(`poison ${b.id}`);
    if (b.mode === 'unprocessable') throw new UnprocessableMessageError('no_such_product', [{ field: 'productId', message: 'unknown' }]);
    if (b.mode === 'outage') {
      const tries = (seen.flakyTries.get(b.id) ?? 0) + 1;
      seen.flakyTries.set(b.id, tries);
      // More failures than KAFKA_CONSUMER_MAX_ATTEMPTS, as while Postgres restarts.
      if (tries < 7) throw Object.assign(new Error('connect ECONNREFUSED 127.0.0.1:5432'), { code: 'ECONNREFUSED' });
    }
    if (b.mode === 'flaky') {
      const tries = (seen.flakyTries.get(b.id) ?? 0) + 1;
      seen.flakyTries.set(b.id, tries);
      if (tries < 3) throw new Error('transient');
    }
  }
}

@Module({})
class ProbeModule {
  static register(groupId: string): DynamicModule {
    const settings = loadConfig(Type.Object(CommonConfig), testEnv({ KAFKA_CONSUMER_MAX_ATTEMPTS: '4', KAFKA_SESSION_TIMEOUT_MS: '6000' }));
    return {
      module: ProbeModule,
      imports: [PlatformModule.forRoot({ service: 'probe', groupId, settings, topics: [TOPICS.EventsDeadLetter] })],
      controllers: [ProbeController],
    };
  }
}

describe('Kafka platform: producer, consumer, retries, dead letters, shutdown', () => {
  const brokers = (process.env.KAFKA_BROKERS as string).split(',');
  const kafka = new Kafka({ clientId: 'probe-test', brokers, logLevel: logLevel.NOTHING });
  const producer = kafka.producer();
  let dlq: KafkaTap<DeadLetter>;
  let app: RunningService;
  const group = `probe-${run}`;

  const send = (topic: string, bodies: Array<Body | string>) =>
    producer.send({ topic, acks: -1, messages: bodies.map((b) => ({ key: 'k', value: typeof b === 'string' ? b : JSON.stringify(b) })) });

  beforeAll(async () => {
    const admin = kafka.admin();
    await admin.connect();
    await admin.createTopics({ waitForLeaders: true, topics: [SINGLE, BATCH].map((topic) => ({ topic, numPartitions: 2, replicationFactor: 1 })) });
    await admin.disconnect();
    await producer.connect();
    app = await startTestService(ProbeModule.register(group)); // creates the dead-letter topic
    dlq = await KafkaTap.open<DeadLetter>(brokers.join(','), TOPICS.EventsDeadLetter);
  });

  afterAll(async () => {
    await app?.close();
    await dlq?.close();
    await producer.disconnect();
  });

  it('retries a transient failure and processes the message once', async () => {
    await send(SINGLE, [{ id: 'flaky-1', mode: 'flaky' }]);
    await eventually(() => seen.single.includes('flaky-1'));
    expect(seen.flakyTries.get('flaky-1')).toBe(3);
    expect(dlq.messages.some((m) => m.value.payload?.includes('flaky-1'))).toBe(false);
  });

  it('waits out an infrastructure outage longer than the retry budget instead of dead-lettering', async () => {
    await send(SINGLE, [{ id: 'outage-1', mode: 'outage' }]);
    await eventually(() => seen.single.includes('outage-1'), { timeoutMs: 30_000 });
    expect(seen.flakyTries.get('outage-1')).toBe(7);
    expect(dlq.messages.some((m) => m.value.payload?.includes('outage-1'))).toBe(false);
  });

  it('dead-letters after bounded retries with the reason and the original payload, and goes on', async () => {
    await send(SINGLE, [{ id: 'poison-1', mode: 'poison' }, { id: 'after-poison' }]);
    const [letter] = await dlq.waitFor((m) => m.value.payload?.includes('poison-1') ?? false);
    expect(letter.value).toMatchObject({ reason: 'processing_failed', sourceTopic: SINGLE, consumerGroup: group, attempts: 4, key: 'k' });
    expect(letter.value.errors[0].message).toContain('poison poison-1');
    expect(JSON.parse(letter.value.payload as string)).toEqual({ id: 'poison-1', mode: 'poison' });
    await eventually(() => seen.single.includes('after-poison'));
  });

  it('dead-letters malformed JSON and unprocessable messages at once', async () => {
    await send(SINGLE, ['{not json', { id: 'bad-ref', mode: 'unprocessable' }]);
    const malformed = await dlq.waitFor((m) => m.value.payload === '{not json');
    expect(malformed[0].value).toMatchObject({ reason: 'malformed_json', attempts: 0 });
    const unprocessable = await dlq.waitFor((m) => m.value.payload?.includes('bad-ref') ?? false);
    expect(unprocessable[0].value).toMatchObject({ reason: 'no_such_product', attempts: 1, errors: [{ field: 'productId', message: 'unknown' }] });
  });

  it('isolates a poison message in a batch: its neighbours are processed', async () => {
    const bodies: Body[] = Array.from({ length: 50 }, (_, i) => ({ id: `b-${i}`, ...(i === 25 ? { mode: 'poison' as const } : {}) }));
    await send(BATCH, bodies);
    await eventually(() => bodies.filter((b) => b.mode !== 'poison').every((b) => seen.batch.includes(b.id)));
    await dlq.waitFor((m) => m.value.payload?.includes('"b-25"') ?? false);
    expect(seen.batch).not.toContain('b-25');
  });

  it('publishes concurrent calls exactly once each (idempotent producer, coalesced sends)', async () => {
    const publisher = app.app.get(KafkaPublisher);
    const before = seen.batch.length;
    await Promise.all(Array.from({ length: 40 }, (_, c) => publisher.publish(BATCH, Array.from({ length: 25 }, (_, i) => ({ key: `c${c}`, value: { id: `pub-${c}-${i}` } })))));
    await eventually(() => seen.batch.filter((id) => id.startsWith('pub-')).length >= 1000);
    await new Promise((r) => setTimeout(r, 500));
    const published = seen.batch.slice(before).filter((id) => id.startsWith('pub-'));
    expect(published.length).toBe(1000);
    expect(new Set(published).size).toBe(1000);
  });

  it('on shutdown finishes and commits what it took: a successor neither misses nor repeats', async () => {
    const ids = Array.from({ length: 3000 }, (_, i) => `s-${i}`);
    for (let i = 0; i < ids.length; i += 500) await send(BATCH, ids.slice(i, i + 500).map((id) => ({ id })));
    await eventually(() => seen.batch.some((id) => id.startsWith('s-')));
    await app.close(); // what SIGTERM does through enableShutdownHooks
    const beforeRestart = seen.batch.filter((id) => id.startsWith('s-')).length;
    app = await startTestService(ProbeModule.register(group));
    await eventually(() => new Set(seen.batch.filter((id) => id.startsWith('s-'))).size === ids.length, { timeoutMs: 60_000 });
    await new Promise((r) => setTimeout(r, 500));
    const processed = seen.batch.filter((id) => id.startsWith('s-'));
    expect(beforeRestart).toBeLessThan(ids.length);
    expect(processed.length).toBe(ids.length);
  });
});
