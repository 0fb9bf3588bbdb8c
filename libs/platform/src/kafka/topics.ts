import { TOPIC_SPECS, type TopicName } from '@signal/contracts';
import type { Admin } from 'kafkajs';

/** Creates missing topics with the configured partitions; existing topics are left alone. */
export async function ensureTopics(admin: Admin, names: readonly TopicName[], partitions: number, replicationFactor: number): Promise<string[]> {
  const existing = new Set(await admin.listTopics());
  const missing = TOPIC_SPECS.filter((spec) => names.includes(spec.name) && !existing.has(spec.name));
  if (missing.length === 0) return [];
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
  return missing.map((m) => m.name);
}
