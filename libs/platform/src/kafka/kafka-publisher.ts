import { Inject, Injectable, Logger, type OnApplicationShutdown, type OnModuleInit } from '@nestjs/common';
import type { TopicName } from '@signal/contracts';
import { Partitioners, type Kafka, type Message, type Producer } from 'kafkajs';
import { Counter, Histogram } from 'prom-client';
import { metricsRegistry } from '../metrics/registry';
import type { KafkaOptions } from './kafka-options';
import { KAFKA, KAFKA_OPTIONS } from './kafka.tokens';

export interface OutgoingMessage {
  key: string | null;
  /** Serialized as JSON; `null` is a tombstone on compacted topics. */
  value: unknown;
  /** `value` already serialized by the caller (who needed the JSON anyway): sent as is. */
  json?: string;
  headers?: Record<string, string>;
}

interface Pending {
  topic: TopicName;
  messages: Message[];
  resolve: () => void;
  reject: (e: unknown) => void;
}

const publishedMessages = new Counter({ name: 'kafka_published_messages_total', help: 'Messages acknowledged by Kafka', labelNames: ['topic'], registers: [metricsRegistry] });
const publishSeconds = new Histogram({
  name: 'kafka_publish_duration_seconds',
  help: 'Time from publish() to the broker acknowledgement',
  buckets: [0.002, 0.005, 0.01, 0.025, 0.05, 0.1, 0.25, 0.5, 1, 2.5, 5],
  registers: [metricsRegistry],
});

export class PublishTimeoutError extends Error {
  constructor(ms: number) {
    super(`Kafka did not acknowledge within ${ms} ms`);
    this.name = 'PublishTimeoutError';
  }
}

/**
 * How long a record nobody waits on (what was served to a shopper) may wait for others to share
 * its produce request. One request per keystroke cost the search service a fifth of its CPU.
 */
export const BACKGROUND_LINGER_MS = 50;

export interface PublishOptions {
  /** Wait up to this long for more messages before sending (unless a send starts sooner). */
  lingerMs?: number;
}

/** Bytes of keys and values per produce request: well under the broker's 1 MB message.max.bytes per partition batch. */
export const MAX_REQUEST_BYTES = 512 * 1024;

const sizeOf = (m: Message): number => (typeof m.value === 'string' ? Buffer.byteLength(m.value) : (m.value?.length ?? 0)) + (typeof m.key === 'string' ? m.key.length : (m.key?.length ?? 0)) + 64;

/** Pending publishes as produce requests of at most MAX_REQUEST_BYTES each, in order. */
export function requests(batch: readonly { topic: TopicName; messages: Message[] }[]): { topic: TopicName; messages: Message[] }[][] {
  const out: { topic: TopicName; messages: Message[] }[][] = [];
  let current = new Map<TopicName, Message[]>();
  let bytes = 0;
  for (const p of batch) {
    for (const m of p.messages) {
      const size = sizeOf(m);
      if (bytes > 0 && bytes + size > MAX_REQUEST_BYTES) {
        out.push([...current].map(([topic, messages]) => ({ topic, messages })));
        current = new Map();
        bytes = 0;
      }
      const list = current.get(p.topic);
      if (list) list.push(m);
      else current.set(p.topic, [m]);
      bytes += size;
    }
  }
  if (bytes > 0) out.push([...current].map(([topic, messages]) => ({ topic, messages })));
  return out;
}

/**
 * Idempotent, acks=all producer. Concurrent publish() calls are coalesced into one
 * in-flight request at a time: kafkajs' idempotent producer can lose or reorder
 * messages when several sends race (kafkajs#1005, #598), and coalescing keeps the
 * throughput that concurrency would have bought.
 */
@Injectable()
export class KafkaPublisher implements OnModuleInit, OnApplicationShutdown {
  private readonly logger = new Logger(KafkaPublisher.name);
  private producer: Producer;
  private queue: Pending[] = [];
  private flushing: Promise<void> | null = null;
  private lingering: NodeJS.Timeout | null = null;
  private connected = false;

  constructor(
    @Inject(KAFKA) private readonly kafka: Kafka,
    @Inject(KAFKA_OPTIONS) private readonly options: KafkaOptions,
  ) {
    this.producer = this.newProducer();
  }

  private newProducer(): Producer {
    // Unlimited retries keep the idempotence guarantee; callers are bounded by sendTimeoutMs instead.
    return this.kafka.producer({
      idempotent: true,
      maxInFlightRequests: 1,
      allowAutoTopicCreation: false,
      // Java-compatible murmur2: the same key lands on the same partition as from any other client.
      createPartitioner: Partitioners.DefaultPartitioner,
      retry: { retries: Number.MAX_SAFE_INTEGER, maxRetryTime: 5_000 },
    });
  }

  async onModuleInit(): Promise<void> {
    await this.producer.connect();
    this.connected = true;
  }

  /** Resolves only once Kafka has acknowledged every message (acks=all). */
  async publish(topic: TopicName, messages: OutgoingMessage[], options: PublishOptions = {}): Promise<void> {
    if (messages.length === 0) return;
    if (!this.connected) throw new Error('Kafka producer is not connected');
    const end = publishSeconds.startTimer();
    const encoded: Message[] = messages.map((m) => ({
      key: m.key,
      value: m.json ?? (m.value === null ? null : JSON.stringify(m.value)),
      ...(m.headers ? { headers: m.headers } : {}),
    }));
    const done = new Promise<void>((resolve, reject) => this.queue.push({ topic, messages: encoded, resolve, reject }));
    const linger = options.lingerMs ?? 0;
    if (linger > 0 && !this.flushing) {
      this.lingering ??= setTimeout(() => {
        this.lingering = null;
        this.startFlush();
      }, linger);
    } else this.startFlush();
    let timer: NodeJS.Timeout | undefined;
    const limit = this.options.sendTimeoutMs + linger;
    const timeout = new Promise<never>((_, reject) => {
      timer = setTimeout(() => reject(new PublishTimeoutError(limit)), limit);
    });
    try {
      await Promise.race([done, timeout]);
      publishedMessages.inc({ topic }, messages.length);
    } finally {
      clearTimeout(timer);
      end();
    }
  }

  /** One flush at a time; whatever is queued meanwhile goes in its next request. */
  private startFlush(): void {
    if (this.flushing || this.queue.length === 0) return;
    // What lingers goes out with this flush: a timer left behind would hold back later records.
    if (this.lingering) {
      clearTimeout(this.lingering);
      this.lingering = null;
    }
    this.flushing = this.flush().finally(() => {
      this.flushing = null;
      this.startFlush();
    });
  }

  private async flush(): Promise<void> {
    while (this.queue.length > 0) {
      const batch = this.queue;
      this.queue = [];
      try {
        for (const request of requests(batch)) await this.producer.sendBatch({ acks: -1, topicMessages: request });
        batch.forEach((p) => p.resolve());
      } catch (e) {
        this.logger.error({ err: e }, 'Kafka publish failed');
        batch.forEach((p) => p.reject(e));
        await this.renewProducer();
      }
    }
  }

  /**
   * After a failed send the idempotent producer's sequence numbers may no longer match the
   * broker's (every later send would fail with OUT_OF_ORDER_SEQUENCE_NUMBER): start a new one.
   * The callers were told of the failure, so they re-send; consumers drop the duplicates.
   */
  private async renewProducer(): Promise<void> {
    const old = this.producer;
    this.producer = this.newProducer();
    await old.disconnect().catch(() => undefined);
    try {
      await this.producer.connect();
    } catch (e) {
      this.logger.error({ err: e }, 'Kafka producer could not reconnect; the next publish retries');
    }
  }

  async onApplicationShutdown(): Promise<void> {
    this.startFlush();
    if (this.flushing) await this.flushing.catch(() => undefined);
    await this.producer.disconnect();
    this.connected = false;
  }
}
