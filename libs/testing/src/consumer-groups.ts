import { randomUUID } from 'node:crypto';
import { ensureTopics } from '@signal/platform';
import type { TopicName } from '@signal/contracts';
import { Kafka, logLevel } from 'kafkajs';

/**
 * A fresh consumer group whose offsets start at the topics' ends: shared topics carry whatever
 * other tests and benchmarks produced, and a test needs only its own events.
 */
export async function groupAtTopicEnd(prefix: string, topics: readonly TopicName[], brokers = process.env.KAFKA_BROKERS as string): Promise<string> {
  const groupId = `${prefix}-test-${randomUUID().slice(0, 8)}`;
  const admin = new Kafka({ clientId: 'test-groups', brokers: brokers.split(','), logLevel: logLevel.NOTHING }).admin();
  await admin.connect();
  try {
    await ensureTopics(admin, topics, 3, 1);
    for (const topic of topics) {
      const ends = await admin.fetchTopicOffsets(topic);
      await admin.setOffsets({ groupId, topic, partitions: ends.map(({ partition, offset }) => ({ partition, offset })) });
    }
  } finally {
    await admin.disconnect();
  }
  return groupId;
}
