/**
 * Kafka preparation for bench/recs-eval/replay.sh, run with plain node from dist before the
 * services start:
 *
 *   node dist/bench/recs-eval/setup.js kafka
 *
 * Creates the topics if missing (as the services would), then parks the replay's own consumer
 * groups at the END of the topics they read: the shared Kafka holds whatever other runs and tests
 * left (days of retention; catalog.products.v1 is compacted and keeps every store's products), and
 * a fresh group would start with all of it (the services subscribe fromBeginning). The replay then
 * waits for these groups' lag to reach 0, which must mean "our messages are consumed". (The
 * recommender also reads profiles.changed.v1 for merges; no profile service runs here and none is
 * needed: ingest stitches a customer's purchases to one profile id.)
 *
 * Env: KAFKA_BROKERS, RECS_REPLAY_INGEST_GROUP, RECS_REPLAY_RECOMMENDER_GROUP.
 */
import { parkAtEnd, runStep } from '../common';
import { TOPICS } from '@signal/contracts';
import { ensureTopics } from '@signal/platform';
import { Kafka, logLevel } from 'kafkajs';

const env = (name: string, fallback: string) => process.env[name] || fallback;


async function prepareKafka(): Promise<void> {
  const kafka = new Kafka({ clientId: 'bench-recs-replay-setup', brokers: env('KAFKA_BROKERS', '127.0.0.1:9092').split(','), logLevel: logLevel.WARN });
  const admin = kafka.admin();
  await admin.connect();
  try {
    const created = await ensureTopics(admin, Object.values(TOPICS), Number(env('KAFKA_TOPIC_PARTITIONS', '6')), 1);
    if (created.length) console.log(`setup: created ${created.join(', ')}`);
    await parkAtEnd(admin, env('RECS_REPLAY_INGEST_GROUP', 'bench-recs-ingest'), [TOPICS.EventsRaw, TOPICS.PrivacyErasures]);
    await parkAtEnd(admin, env('RECS_REPLAY_RECOMMENDER_GROUP', 'bench-recs-recommender'), [
      TOPICS.EventsEnriched,
      TOPICS.CatalogProducts,
      TOPICS.CatalogInventory,
      TOPICS.ProfilesChanged,
      TOPICS.PrivacyErasures,
    ]);
  } finally {
    await admin.disconnect();
  }
}

runStep({ kafka: prepareKafka });
