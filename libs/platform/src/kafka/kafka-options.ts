import type { TopicName } from '@signal/contracts';

export interface KafkaOptions {
  /** Service name: the client id and consumer group id. */
  service: string;
  brokers: string[];
  /** Topics this service creates at start-up if missing. */
  topics: readonly TopicName[];
  partitions: number;
  replicationFactor: number;
  maxAttempts: number;
  partitionsConcurrency: number;
  sendTimeoutMs: number;
  sessionTimeoutMs: number;
  /** Consumer group id: the service name unless configured otherwise. */
  groupId: string;
}
