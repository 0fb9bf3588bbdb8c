/**
 * Kafka preparation for bench/segments/run.sh, run with plain node from dist before the services
 * start:
 *
 *   node dist/bench/segments/setup.js kafka
 *
 * Creates the topics if missing (as the services would), then parks the benchmark's own consumer
 * groups at the END of the topics they read: on the shared Kafka, events.raw.v1 and
 * events.enriched.v1 hold whatever other runs and tests left (days of retention), and a fresh
 * group would otherwise start with all of it (the services subscribe fromBeginning).
 *
 * Env: KAFKA_BROKERS, BENCH_INGEST_GROUP, BENCH_PROFILE_GROUP.
 */
import { parkAtEnd, runStep } from '../common';
import { TOPICS } from '@signal/contracts';
import { ensureTopics } from '@signal/platform';
import { Kafka, logLevel } from 'kafkajs';

const env = (name: string, fallback: string) => process.env[name] || fallback;


async function prepareKafka(): Promise<void> {
  const kafka = new Kafka({ clientId: 'bench-segments-setup', brokers: env('KAFKA_BROKERS', '127.0.0.1:9092').split(','), logLevel: logLevel.WARN });
  const admin = kafka.admin();
  await admin.connect();
  try {
    const all = [TOPICS.EventsRaw, TOPICS.EventsEnriched, TOPICS.CatalogProducts, TOPICS.ProfilesChanged, TOPICS.SegmentsMembership, TOPICS.PrivacyErasures, TOPICS.EventsDeadLetter];
    const created = await ensureTopics(admin, all, Number(env('KAFKA_TOPIC_PARTITIONS', '6')), 1);
    if (created.length) console.log(`setup: created ${created.join(', ')}`);
    await parkAtEnd(admin, env('BENCH_INGEST_GROUP', 'bench-segments-ingest'), [TOPICS.EventsRaw, TOPICS.PrivacyErasures]);
    await parkAtEnd(admin, env('BENCH_PROFILE_GROUP', 'bench-segments-profile'), [TOPICS.EventsEnriched, TOPICS.CatalogProducts, TOPICS.PrivacyErasures]);
  } finally {
    await admin.disconnect();
  }
}

runStep({ kafka: prepareKafka });
