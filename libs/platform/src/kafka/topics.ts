import { TOPIC_SPECS, type TopicName } from '@signal/contracts';
import type { Admin } from 'kafkajs';

const ATTEMPTS = 10;
const sleep = (ms: number) => new Promise((r) => setTimeout(r, ms));

/**
 * Creates missing topics with the configured partitions; existing topics are left alone.
 * Several services start at once and race to create the same topics, so a topic that
 * another client is creating right now ("already exists", "unknown topic" while its
 * metadata spreads) is retried until every topic is there with a leader.
 */
export async function ensureTopics(admin: Admin, names: readonly TopicName[], partitions: number, replicationFactor: number): Promise<string[]> {
  const created: string[] = [];
  for (let attempt = 1; ; attempt++) {
    try {
      const existing = new Set(await admin.listTopics());
      const missing = TOPIC_SPECS.filter((spec) => names.includes(spec.name) && !existing.has(spec.name));
      if (missing.length > 0) {
        await admin.createTopics({
          waitForLeaders: true,
          topics: missing.map((spec) => ({
            topic: spec.name,
            numPartitions: partitions,
            replicationFactor,
            configEntries: spec.compacted
              ? [{ name: 'cleanup.policy', value: 'compact' }]
              : [{ name: 'retention.ms', value: String((spec.retentionHours ?? 168) * 3_600_000) }],
          })),
        });
        created.push(...missing.map((m) => m.name));
      }
      if (names.length > 0) await admin.fetchTopicMetadata({ topics: [...names] });
      // A leader named in the metadata may still answer "not the leader" for a moment after the
      // topic is created; whoever reads offsets next (a consumer, a test parking its group) would fail.
      for (const name of created) await admin.fetchTopicOffsets(name);
      return created;
    } catch (e) {
      const { type, retriable } = e as { type?: string; retriable?: boolean };
      const racing = retriable === true || type === 'UNKNOWN_TOPIC_OR_PARTITION' || type === 'LEADER_NOT_AVAILABLE';
      if (!racing || attempt >= ATTEMPTS) throw e;
      await sleep(200 * attempt);
    }
  }
}
