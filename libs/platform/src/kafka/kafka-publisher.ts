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
 * Idempotent, acks=all producer. Concurrent publish() calls are coalesced into one
 * in-flight request at a time: kafkajs' idempotent producer can lose or reorder
 * messages when several sends race (kafkajs#1005, #598), and coalescing keeps the
 * throughput that concurrency would have bought.
 */
@Injectable()
export class KafkaPublisher implements OnModuleInit, OnApplicationShutdown {
  private readonly logger = new Logger(KafkaPublisher.name);
  private readonly producer: Producer;
  private queue: Pending[] = [];
  private flushing: Promise<void> | null = null;
  private connected = false;

  constructor(@Inject(KAFKA) kafka: Kafka, @Inject(KAFKA_OPTIONS) private readonly options: KafkaOptions) {
    // Unlimited retries keep the idempotence guarantee; callers are bounded by sendTimeoutMs instead.
    this.producer = kafka.producer({
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
  async publish(topic: TopicName, messages: OutgoingMessage[]): Promise<void> {
    if (messages.length === 0) return;
    if (!this.connected) throw new Error('Kafka producer is not connected');
    const end = publishSeconds.startTimer();
    const encoded: Message[] = messages.map((m) => ({
      key: m.key,
      value: m.json ?? (m.value === null ? null : JSON.stringify(m.value)),
      ...(m.headers ? { headers: m.headers } : {}),
    }));
    const done = new Promise<void>((resolve, reject) => this.queue.push({ topic, messages: encoded, resolve, reject }));
    this.flushing ??= this.flush();
    let timer: NodeJS.Timeout | undefined;
    const timeout = new Promise<never>((_, reject) => {
      timer = setTimeout(() => reject(new PublishTimeoutError(this.options.sendTimeoutMs)), this.options.sendTimeoutMs);
    });
    try {
      await Promise.race([done, timeout]);
      publishedMessages.inc({ topic }, messages.length);
    } finally {
      clearTimeout(timer);
      end();
    }
  }

  private async flush(): Promise<void> {
    while (this.queue.length > 0) {
      const batch = this.queue;
      this.queue = [];
      const byTopic = new Map<TopicName, Message[]>();
      for (const p of batch) {
        const list = byTopic.get(p.topic);
        if (list) for (const m of p.messages) list.push(m);
        else byTopic.set(p.topic, p.messages.slice());
      }
      try {
        await this.producer.sendBatch({ acks: -1, topicMessages: [...byTopic].map(([topic, msgs]) => ({ topic, messages: msgs })) });
        batch.forEach((p) => p.resolve());
      } catch (e) {
        this.logger.error({ err: e }, 'Kafka publish failed');
        batch.forEach((p) => p.reject(e));
      }
    }
    this.flushing = null;
  }

  async onApplicationShutdown(): Promise<void> {
    if (this.flushing) await this.flushing.catch(() => undefined);
    await this.producer.disconnect();
    this.connected = false;
  }
}
