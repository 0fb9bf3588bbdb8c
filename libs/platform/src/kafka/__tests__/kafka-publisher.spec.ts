import type { Kafka } from 'kafkajs';
import type { KafkaOptions } from '../kafka-options';
import { KafkaPublisher, MAX_REQUEST_BYTES, requests } from '../kafka-publisher';

const message = (bytes: number, key = 'k') => ({ key, value: 'x'.repeat(bytes) });

describe('requests', () => {
  it('keeps small publishes in one request, topics together, order kept', () => {
    const out = requests([
      { topic: 'events.raw.v1', messages: [message(10), message(20)] },
      { topic: 'events.dlq.v1', messages: [message(30)] },
      { topic: 'events.raw.v1', messages: [message(40)] },
    ]);
    expect(out).toHaveLength(1);
    expect(out[0]?.map((t) => [t.topic, t.messages.map((m) => (m.value as string).length)])).toEqual([
      ['events.raw.v1', [10, 20, 40]],
      ['events.dlq.v1', [30]],
    ]);
  });

  it('splits a publish bigger than a request into requests under the limit, losing nothing', () => {
    // 5 MB for one key: one partition, which the broker would refuse as a single 1 MB+ batch.
    const many = Array.from({ length: 5_000 }, () => message(1_000));
    const out = requests([{ topic: 'segments.membership.v1', messages: many }]);
    expect(out.length).toBeGreaterThanOrEqual(10);
    for (const r of out) expect(r.flatMap((t) => t.messages).reduce((s, m) => s + (m.value as string).length, 0)).toBeLessThanOrEqual(MAX_REQUEST_BYTES);
    expect(out.flatMap((r) => r.flatMap((t) => t.messages))).toEqual(many);
  });

  it('sends a single oversized message alone rather than dropping it', () => {
    const big = message(MAX_REQUEST_BYTES * 2);
    const out = requests([{ topic: 'events.raw.v1', messages: [message(10), big, message(10)] }]);
    expect(out.map((r) => r.flatMap((t) => t.messages).length)).toEqual([1, 1, 1]);
  });
});

describe('KafkaPublisher linger', () => {
  /** A kafkajs stand-in that records each produce request and acknowledges it at once. */
  function fakeKafka() {
    const sent: { topic: string; values: string[] }[][] = [];
    const producer = {
      connect: async () => undefined,
      disconnect: async () => undefined,
      sendBatch: async ({ topicMessages }: { topicMessages: { topic: string; messages: { value: string }[] }[] }) => {
        sent.push(topicMessages.map((t) => ({ topic: t.topic, values: t.messages.map((m) => m.value) })));
        return [];
      },
    };
    return { sent, kafka: { producer: () => producer } as unknown as Kafka };
  }

  async function connected() {
    const { sent, kafka } = fakeKafka();
    const publisher = new KafkaPublisher(kafka, { sendTimeoutMs: 1_000 } as KafkaOptions);
    await publisher.onModuleInit();
    return { sent, publisher };
  }

  it('gathers lingering records into one request', async () => {
    const { sent, publisher } = await connected();
    const all = Promise.all(['a', 'b', 'c'].map((v) => publisher.publish('search.served.v1', [{ key: v, value: v }], { lingerMs: 20 })));
    expect(sent).toHaveLength(0);
    await all;
    expect(sent).toEqual([[{ topic: 'search.served.v1', values: ['"a"', '"b"', '"c"'] }]]);
  });

  it('sends lingering records at once with a publish that does not linger, and keeps working after', async () => {
    const { sent, publisher } = await connected();
    const lingering = publisher.publish('search.served.v1', [{ key: 'a', value: 'a' }], { lingerMs: 10_000 });
    await publisher.publish('events.raw.v1', [{ key: 'b', value: 'b' }]);
    await lingering;
    expect(sent.flat().map((t) => t.values).flat()).toEqual(['"a"', '"b"']);
    // The linger timer left behind finds nothing to send and must not wedge later publishes.
    await publisher.publish('events.raw.v1', [{ key: 'c', value: 'c' }]);
    await publisher.publish('search.served.v1', [{ key: 'd', value: 'd' }], { lingerMs: 5 });
    expect(sent.flat().map((t) => t.values).flat()).toEqual(['"a"', '"b"', '"c"', '"d"']);
  });

  it('sends what still lingers on shutdown', async () => {
    const { sent, publisher } = await connected();
    const lingering = publisher.publish('recommendations.served.v1', [{ key: 'a', value: 'a' }], { lingerMs: 60_000 });
    await publisher.onApplicationShutdown();
    await lingering;
    expect(sent).toHaveLength(1);
  });
});
