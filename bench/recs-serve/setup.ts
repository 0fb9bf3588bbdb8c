/**
 * Kafka preparation for bench/recs-serve/run.sh, run with plain node from dist before the services
 * start:
 *
 *   node dist/bench/recs-serve/setup.js kafka
 *
 * Creates the topics if missing (as the services would), then parks the benchmark's own consumer
 * groups at the END of the topics they read: the shared Kafka holds millions of older events
 * (days of retention), and a fresh group would otherwise start with all of them (the services
 * subscribe fromBeginning). Parking also gives every partition a committed offset, so the
 * benchmark can read the groups' lag from the start.
 *
 * Env: KAFKA_BROKERS, BENCH_INGEST_GROUP, BENCH_RECOMMENDER_GROUP.
 */
import { parkAtEnd, runStep } from '../common';
import { TOPICS, type TopicName } from '@signal/contracts';
import { ensureTopics } from '@signal/platform';
import { Kafka, logLevel } from 'kafkajs';

const env = (name: string, fallback: string) => process.env[name] || fallback;

/** What the recommender reads (or may read): all of it parked, so nothing old is replayed. */
const RECOMMENDER_TOPICS: readonly TopicName[] = [TOPICS.EventsEnriched, TOPICS.CatalogProducts, TOPICS.CatalogInventory, TOPICS.ProfilesChanged, TOPICS.PrivacyErasures];
const INGEST_TOPICS: readonly TopicName[] = [TOPICS.EventsRaw, TOPICS.PrivacyErasures];


async function prepareKafka(): Promise<void> {
  const kafka = new Kafka({ clientId: 'bench-recs-serve-setup', brokers: env('KAFKA_BROKERS', '127.0.0.1:9092').split(','), logLevel: logLevel.WARN });
  const admin = kafka.admin();
  await admin.connect();
  try {
    const all = Object.values(TOPICS);
    const created = await ensureTopics(admin, all, Number(env('KAFKA_TOPIC_PARTITIONS', '6')), 1);
    if (created.length) console.log(`setup: created ${created.join(', ')}`);
    await parkAtEnd(admin, env('BENCH_INGEST_GROUP', 'bench-recs-serve-ingest'), INGEST_TOPICS);
    await parkAtEnd(admin, env('BENCH_RECOMMENDER_GROUP', 'bench-recs-serve-recommender'), RECOMMENDER_TOPICS);
  } finally {
    await admin.disconnect();
  }
}

runStep({ kafka: prepareKafka });
