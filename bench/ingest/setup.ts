/**
 * Preparation steps of bench/ingest/run.sh, run with plain node from dist:
 *
 *   node dist/bench/ingest/setup.js database   fresh bench database (drop + create)
 *   node dist/bench/ingest/setup.js kafka      raw-producer topic, and the ingest group moved to the end of events.raw.v1
 *
 * Env: KAFKA_BROKERS, BENCH_PG_URL (server URL, any database), BENCH_DB (database name),
 * BENCH_RAW_TOPIC, BENCH_INGEST_GROUP.
 */
import { runStep } from '../common';
import { TOPICS } from '@signal/contracts';
import { Kafka, logLevel } from 'kafkajs';
import { Client } from 'pg';

const env = (name: string, fallback: string) => process.env[name] || fallback;

async function freshDatabase(): Promise<void> {
  const db = env('BENCH_DB', 'signal_bench');
  if (!/^[a-z_][a-z0-9_]*$/.test(db)) throw new Error(`Invalid database name ${db}`);
  const client = new Client({ connectionString: env('BENCH_PG_URL', 'postgres://postgres@127.0.0.1:5432/postgres') });
  await client.connect();
  try {
    await client.query(`DROP DATABASE IF EXISTS "${db}" WITH (FORCE)`);
    await client.query(`CREATE DATABASE "${db}"`);
  } finally {
    await client.end();
  }
  console.log(`setup: database ${db} created`);
}

async function prepareKafka(): Promise<void> {
  const kafka = new Kafka({ clientId: 'bench-setup', brokers: env('KAFKA_BROKERS', '127.0.0.1:9092').split(','), logLevel: logLevel.WARN });
  const admin = kafka.admin();
  await admin.connect();
  try {
    const rawTopic = env('BENCH_RAW_TOPIC', 'bench.raw.v1');
    const meta = await admin.fetchTopicMetadata({ topics: [TOPICS.EventsRaw] });
    const partitions = meta.topics[0].partitions.length;
    const existing = await admin.listTopics();
    if (existing.includes(rawTopic)) {
      const mine = (await admin.fetchTopicMetadata({ topics: [rawTopic] })).topics[0].partitions.length;
      if (mine !== partitions) throw new Error(`${rawTopic} has ${mine} partitions, ${TOPICS.EventsRaw} ${partitions}: delete ${rawTopic} and run again`);
    } else {
      // Same partitions and replication as events.raw.v1; short retention, it is scratch data.
      await admin.createTopics({
        waitForLeaders: true,
        topics: [{ topic: rawTopic, numPartitions: partitions, replicationFactor: 1, configEntries: [{ name: 'retention.ms', value: String(3_600_000) }, { name: 'segment.bytes', value: String(64 * 1024 * 1024) }] }],
      });
    }
    console.log(`setup: ${rawTopic} ready with ${partitions} partitions (as ${TOPICS.EventsRaw})`);

    // The fresh bench database knows no eventId, so without this a restarted ingest would first
    // re-process whatever events.raw.v1 holds. Start the group at the end of the topic instead.
    const group = env('BENCH_INGEST_GROUP', 'ingest');
    const described = await admin.describeGroups([group]);
    const members = described.groups[0]?.members.length ?? 0;
    if (members > 0) throw new Error(`consumer group "${group}" has ${members} active member(s): another ingest is running against this Kafka; stop it first`);
    const ends = await admin.fetchTopicOffsets(TOPICS.EventsRaw);
    await admin.setOffsets({ groupId: group, topic: TOPICS.EventsRaw, partitions: ends.map((p) => ({ partition: p.partition, offset: p.high })) });
    console.log(`setup: group ${group} starts at the end of ${TOPICS.EventsRaw} (${ends.reduce((s, p) => s + Number(p.high), 0)} older events skipped)`);
  } finally {
    await admin.disconnect();
  }
}

runStep({ database: freshDatabase, kafka: prepareKafka });
