import { MAX_REQUEST_BYTES, requests } from '../kafka-publisher';

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
