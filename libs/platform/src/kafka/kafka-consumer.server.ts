import { Logger } from '@nestjs/common';
import { BaseRpcContext, Server, type CustomTransportStrategy, type MessageHandler } from '@nestjs/microservices';
import type { Consumer, EachBatchPayload, Kafka, KafkaMessage } from 'kafkajs';
import { lastValueFrom } from 'rxjs';
import { Counter, Histogram } from 'prom-client';
import { metricsRegistry } from '../metrics/registry';
import { UnprocessableMessageError, type ConsumedMessage, type HandlerExtras } from './consumed-message';
import type { DeadLetterEntry, DeadLetterPublisher } from './dead-letter.publisher';
import type { KafkaOptions } from './kafka-options';
import { isTransientInfrastructureError } from './transient-errors';

const BATCH_SIZE = 500;
const processed = new Counter({ name: 'kafka_consumed_messages_total', help: 'Messages consumed, by outcome', labelNames: ['topic', 'outcome'], registers: [metricsRegistry] });
const handlerSeconds = new Histogram({
  name: 'kafka_handler_duration_seconds',
  help: 'Time a handler took for one call (a message or a batch)',
  labelNames: ['topic'],
  buckets: [0.001, 0.005, 0.01, 0.025, 0.05, 0.1, 0.25, 0.5, 1, 2.5],
  registers: [metricsRegistry],
});

type Outcome = 'done' | 'dead-lettered' | 'interrupted';
interface Turn {
  live: () => boolean;
  pause: (ms: number) => Promise<void>;
}
const sleep = (ms: number) => new Promise((r) => setTimeout(r, ms));

function decode(topic: string, partition: number, m: KafkaMessage): ConsumedMessage | { failed: ConsumedMessage; error: string } {
  const raw = m.value ? m.value.toString('utf8') : null;
  const headers: Record<string, string> = {};
  for (const [k, v] of Object.entries(m.headers ?? {})) if (v !== undefined) headers[k] = Array.isArray(v) ? v.join(',') : v.toString();
  const base = { topic, partition, offset: m.offset, key: m.key ? m.key.toString('utf8') : null, raw, headers, timestamp: m.timestamp };
  if (raw === null) return { ...base, value: null };
  try {
    return { ...base, value: JSON.parse(raw) as unknown };
  } catch (e) {
    return { failed: { ...base, value: null }, error: (e as Error).message };
  }
}

/**
 * The Kafka side of every service: a Nest transport that routes `@EventPattern(topic)`
 * handlers and adds what the platform promises.
 *
 * - Offsets are committed only after a handler has finished: nothing accepted is lost.
 * - A failing message is retried with backoff, then dead-lettered with the reason and
 *   the original payload; a malformed or UnprocessableMessageError message at once. An
 *   outage of Postgres or Kafka is waited out, never dead-lettered.
 * - Batch handlers (`{ batch: true }`) that fail are retried message by message, so one
 *   poison message does not sink its neighbours.
 * - On SIGTERM the current message or batch finishes, offsets are committed, the rest is
 *   left for the next owner of the partition. Handlers are idempotent, so a hard kill
 *   that replays an uncommitted batch double-counts nothing.
 */
export class KafkaConsumerServer extends Server implements CustomTransportStrategy {
  private readonly log = new Logger(KafkaConsumerServer.name);
  private consumer?: Consumer;

  constructor(
    private readonly kafka: Kafka,
    private readonly options: KafkaOptions,
    private readonly deadLetters: DeadLetterPublisher,
  ) {
    super();
  }

  on(): never {
    throw new Error('KafkaConsumerServer has no event listeners');
  }

  unwrap<T>(): T {
    return this.consumer as T;
  }

  async listen(callback: (error?: unknown) => void): Promise<void> {
    try {
      await this.start();
      callback();
    } catch (e) {
      callback(e);
    }
  }

  async close(): Promise<void> {
    // disconnect() stops fetching, waits for the running batch, commits resolved offsets.
    await this.consumer?.disconnect();
    this.consumer = undefined;
  }

  private async start(): Promise<void> {
    const topics = [...this.messageHandlers.keys()];
    if (topics.length === 0) return;
    const consumer = this.kafka.consumer({ groupId: this.options.groupId, allowAutoTopicCreation: false, sessionTimeout: this.options.sessionTimeoutMs, heartbeatInterval: Math.min(3_000, this.options.sessionTimeoutMs / 3) });
    this.consumer = consumer;
    consumer.on(consumer.events.CRASH, (e) => this.log.error({ err: e.payload.error, restart: e.payload.restart }, 'Kafka consumer crashed'));
    await consumer.connect();
    await consumer.subscribe({ topics, fromBeginning: true });
    await consumer.run({
      autoCommit: true,
      autoCommitInterval: 1_000,
      eachBatchAutoResolve: false,
      partitionsConsumedConcurrently: this.options.partitionsConcurrency,
      eachBatch: (payload) => this.eachBatch(payload),
    });
    this.log.log(`Consuming ${topics.join(', ')} as group ${this.options.groupId}`);
  }

  private async eachBatch({ batch, resolveOffset, heartbeat, isRunning, isStale, commitOffsetsIfNecessary }: EachBatchPayload): Promise<void> {
    const handler = this.getHandlerByPattern(batch.topic);
    if (!handler) return;
    const extras = (handler.extras ?? {}) as HandlerExtras;
    const live = () => isRunning() && !isStale();
    // Long waits (retries, outages) must keep the group membership alive.
    const pause = async (ms: number) => {
      await sleep(ms);
      await heartbeat().catch(() => undefined);
    };
    const turn: Turn = { live, pause };

    for (let i = 0; i < batch.messages.length && live(); i += BATCH_SIZE) {
      const chunk = batch.messages.slice(i, i + BATCH_SIZE).map((m) => decode(batch.topic, batch.partition, m));
      const malformed = chunk.filter((m): m is { failed: ConsumedMessage; error: string } => 'failed' in m);
      await this.deadLetter(
        malformed.map(({ failed, error }) => ({ message: failed, reason: 'malformed_json', errors: [{ field: '(value)', message: error }], attempts: 0 })),
      );
      const good = chunk.filter((m): m is ConsumedMessage => !('failed' in m));

      if (extras.batch) {
        if (good.length > 0 && (await this.runBatch(handler, good, turn)) === 'interrupted') return;
      } else {
        for (const message of good) {
          if ((await this.runWithRetries(handler, message, message, turn)) === 'interrupted') return;
          resolveOffset(message.offset);
        }
      }
      resolveOffset(batch.messages[Math.min(i + BATCH_SIZE, batch.messages.length) - 1].offset);
      await heartbeat();
    }
    await commitOffsetsIfNecessary();
  }

  private async runBatch(handler: MessageHandler, messages: ConsumedMessage[], turn: Turn): Promise<Outcome> {
    try {
      await this.invoke(handler, messages, messages[0].topic);
      processed.inc({ topic: messages[0].topic, outcome: 'processed' }, messages.length);
      return 'done';
    } catch (e) {
      this.log.warn({ err: e, topic: messages[0].topic, size: messages.length }, 'Batch failed; retrying message by message');
    }
    for (const message of messages) {
      if ((await this.runWithRetries(handler, [message], message, turn)) === 'interrupted') return 'interrupted';
    }
    return 'done';
  }

  private async runWithRetries(handler: MessageHandler, data: unknown, message: ConsumedMessage, { live, pause }: Turn): Promise<Outcome> {
    for (let attempt = 1; ; attempt++) {
      try {
        await this.invoke(handler, data, message.topic);
        processed.inc({ topic: message.topic, outcome: 'processed' });
        return 'done';
      } catch (e) {
        if (e instanceof UnprocessableMessageError) {
          await this.deadLetter([{ message, reason: e.reason, errors: e.errors, attempts: attempt }]);
          return 'dead-lettered';
        }
        // An outage of Postgres or Kafka is no fault of the message: wait it out (while we
        // still own the partition) instead of dead-lettering everything that arrives meanwhile.
        if (isTransientInfrastructureError(e) && live()) {
          if (attempt === 1 || attempt % 20 === 0) this.log.warn({ err: e, topic: message.topic, offset: message.offset }, 'Infrastructure unavailable; retrying');
          await pause(Math.min(100 * 2 ** Math.min(attempt - 1, 6), 5_000));
          continue;
        }
        if (attempt >= this.options.maxAttempts) {
          this.log.error({ err: e, topic: message.topic, offset: message.offset }, 'Giving up on message');
          await this.deadLetter([{ message, reason: 'processing_failed', errors: [{ field: '(handler)', message: String((e as Error).message ?? e) }], attempts: attempt }]);
          return 'dead-lettered';
        }
        if (!live()) return 'interrupted';
        await pause(Math.min(100 * 2 ** (attempt - 1), 5_000));
      }
    }
  }

  private async invoke(handler: MessageHandler, data: unknown, topic: string): Promise<void> {
    const end = handlerSeconds.startTimer({ topic });
    try {
      const result = await handler(data, new BaseRpcContext([topic]));
      await lastValueFrom(this.transformToObservable(result), { defaultValue: undefined });
    } finally {
      end();
    }
  }

  private async deadLetter(entries: DeadLetterEntry[]): Promise<void> {
    if (entries.length === 0) return;
    await this.deadLetters.send(this.options.groupId, entries);
    processed.inc({ topic: entries[0].message.topic, outcome: 'dead_lettered' }, entries.length);
  }
}
