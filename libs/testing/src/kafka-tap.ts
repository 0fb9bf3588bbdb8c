import { randomUUID } from 'node:crypto';
import { Kafka, logLevel, type Consumer } from 'kafkajs';
import { eventually } from './eventually';

export interface TappedMessage<T = unknown> {
  key: string | null;
  value: T;
  partition: number;
  offset: string;
  headers: Record<string, string>;
}

/** Reads a topic from "now" on (the end offsets when tapped), for asserting on what services produce. */
export class KafkaTap<T = unknown> {
  readonly messages: TappedMessage<T>[] = [];
  private constructor(private readonly consumer: Consumer) {}

  static async open<T = unknown>(brokers: string, topic: string): Promise<KafkaTap<T>> {
    const kafka = new Kafka({ clientId: 'test-tap', brokers: brokers.split(','), logLevel: logLevel.NOTHING });
    const admin = kafka.admin();
    await admin.connect();
    const ends = await admin.fetchTopicOffsets(topic);
    await admin.disconnect();
    const consumer = kafka.consumer({ groupId: `tap-${randomUUID()}`, allowAutoTopicCreation: false });
    const tap = new KafkaTap<T>(consumer);
    await consumer.connect();
    await consumer.subscribe({ topic, fromBeginning: true });
    let seeked = false;
    consumer.on(consumer.events.GROUP_JOIN, () => {
      if (seeked) return;
      seeked = true;
      for (const { partition, offset } of ends) consumer.seek({ topic, partition, offset });
    });
    await consumer.run({
      autoCommit: false,
      eachMessage: async ({ message, partition }) => {
        const raw = message.value?.toString('utf8');
        let value: unknown = raw;
        try {
          value = raw === undefined ? null : JSON.parse(raw);
        } catch {
          // keep the text
        }
        const headers: Record<string, string> = {};
        for (const [k, v] of Object.entries(message.headers ?? {})) if (v !== undefined) headers[k] = v.toString();
        tap.messages.push({ key: message.key?.toString('utf8') ?? null, value: value as T, partition, offset: message.offset, headers });
      },
    });
    await eventually(() => seeked, { timeoutMs: 30_000 });
    return tap;
  }

  /** Waits until at least `count` messages match. */
  async waitFor(match: (m: TappedMessage<T>) => boolean, count = 1, timeoutMs = 20_000): Promise<TappedMessage<T>[]> {
    return eventually(
      () => {
        const found = this.messages.filter(match);
        if (found.length < count) throw new Error(`saw ${found.length} of ${count} expected messages`);
        return found;
      },
      { timeoutMs },
    );
  }

  async close(): Promise<void> {
    await this.consumer.disconnect();
  }
}
