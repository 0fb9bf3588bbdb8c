/**
 * Steps of bench/search-eval/run.sh (and bench/search-serve/run.sh) around the service, with plain
 * node from dist:
 *
 *   node dist/bench/search-eval/setup.js kafka     topics if missing; the run's consumer group parked
 *                                                  at the END of every topic of the platform
 *   node dist/bench/search-eval/setup.js cleanup   deletes the run's OpenSearch indices (names
 *                                                  starting with the run's prefix) and its template
 *
 * Parking: the shared Kafka holds other runs' products and events (catalog.products.v1 is compacted
 * and keeps every store's products) and a fresh group would start with all of it; parked, the
 * service reads only what this run publishes.
 *
 * Env: KAFKA_BROKERS, OPENSEARCH_URL, SEARCH_EVAL_GROUP, SEARCH_EVAL_PREFIX (must start with
 * "bench-": cleanup never touches anything else).
 */
import { TOPICS } from '@signal/contracts';
import { ensureTopics } from '@signal/platform';
import { Kafka, logLevel } from 'kafkajs';
import { parkAtEnd, requiredEnv, runStep } from '../common';
import { OpenSearchHttp } from './opensearch';

/** Every topic of the platform is parked: whatever the service subscribes to now or later (it reads catalog, events, profiles, erasures, its own search.served.v1, dead letters). */
export const PARKED_TOPICS = Object.values(TOPICS);

async function prepareKafka(): Promise<void> {
  const kafka = new Kafka({ clientId: 'bench-search-eval-setup', brokers: (process.env.KAFKA_BROKERS || '127.0.0.1:9092').split(','), logLevel: logLevel.WARN });
  const admin = kafka.admin();
  await admin.connect();
  try {
    const created = await ensureTopics(admin, Object.values(TOPICS), Number(process.env.KAFKA_TOPIC_PARTITIONS || '6'), 1);
    if (created.length) console.log(`setup: created ${created.join(', ')}`);
    await parkAtEnd(admin, requiredEnv('SEARCH_EVAL_GROUP', 'run.sh'), PARKED_TOPICS);
  } finally {
    await admin.disconnect();
  }
}

async function cleanup(): Promise<void> {
  const prefix = requiredEnv('SEARCH_EVAL_PREFIX', 'run.sh');
  if (!/^bench-[a-z0-9-]+$/.test(prefix)) throw new Error(`refusing to clean up prefix "${prefix}" (must match ^bench-[a-z0-9-]+$)`);
  const os = new OpenSearchHttp(process.env.OPENSEARCH_URL || 'http://127.0.0.1:9200');
  const indices = await os.indicesWithPrefix(prefix);
  for (const index of indices) await os.call('DELETE', `/${encodeURIComponent(index)}`);
  const templates = await os.call<{ index_templates?: { name: string }[] }>('GET', `/_index_template/${encodeURIComponent(prefix)}*`);
  const names = templates.status === 200 ? (templates.body.index_templates ?? []).map((t) => t.name).filter((n) => n.startsWith(prefix)) : [];
  for (const name of names) await os.call('DELETE', `/_index_template/${encodeURIComponent(name)}`);
  console.log(`cleanup: deleted ${indices.length} index(es)${indices.length ? ` (${indices.join(', ')})` : ''} and ${names.length} template(s) with prefix ${prefix}`);
  // The run's consumer group (the service is stopped by then): one group less on the shared Kafka.
  const group = process.env.SEARCH_EVAL_GROUP;
  if (group?.startsWith('bench-')) {
    const kafka = new Kafka({ clientId: 'bench-search-eval-setup', brokers: (process.env.KAFKA_BROKERS || '127.0.0.1:9092').split(','), logLevel: logLevel.NOTHING });
    const admin = kafka.admin();
    await admin.connect();
    try {
      await admin.deleteGroups([group]);
      console.log(`cleanup: deleted consumer group ${group}`);
    } catch (e) {
      console.log(`cleanup: consumer group ${group} not deleted (${e instanceof Error ? e.message : String(e)})`);
    } finally {
      await admin.disconnect();
    }
  }
}

if (require.main === module) runStep({ kafka: prepareKafka, cleanup });
