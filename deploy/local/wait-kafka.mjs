#!/usr/bin/env node
// Waits until a Kafka cluster is really usable, with kafkajs from the repo's node_modules.
//
//   node deploy/local/wait-kafka.mjs --brokers 127.0.0.1:9092 [--timeout 120] [--probe-topic] [--pid 1234]
//
// Ready = an admin describeCluster() succeeds and, with --probe-topic, a throw-away topic can be
// created (waiting for its leader) and deleted. --pid: give up at once if that process dies.
// Exit 0 when ready (prints one summary line), 1 on timeout (prints the last error).
import kafkajs from 'kafkajs';

const { Kafka, logLevel } = kafkajs;

function parseArgs(argv) {
  const opts = { brokers: process.env.KAFKA_BROKERS || '127.0.0.1:9092', timeout: 120, probeTopic: false, pid: 0 };
  for (let i = 0; i < argv.length; i++) {
    const a = argv[i];
    if (a === '--brokers') opts.brokers = argv[++i];
    else if (a === '--timeout') opts.timeout = Number(argv[++i]);
    else if (a === '--probe-topic') opts.probeTopic = true;
    else if (a === '--pid') opts.pid = Number(argv[++i]);
    else {
      console.error(`wait-kafka: unknown argument ${a}`);
      process.exit(64);
    }
  }
  return opts;
}

const alive = (pid) => {
  try {
    process.kill(pid, 0);
    return true;
  } catch (e) {
    return e.code === 'EPERM';
  }
};
const sleep = (ms) => new Promise((r) => setTimeout(r, ms));

async function attempt(opts) {
  const kafka = new Kafka({
    clientId: 'infra-wait',
    brokers: opts.brokers.split(',').map((b) => b.trim()).filter(Boolean),
    connectionTimeout: 3000,
    requestTimeout: 10000,
    retry: { retries: 0 },
    logLevel: logLevel.NOTHING,
  });
  const admin = kafka.admin();
  await admin.connect();
  try {
    const cluster = await admin.describeCluster();
    let probe = '';
    if (opts.probeTopic) {
      const topic = `__infra_probe_${process.pid}_${Date.now()}`;
      await admin.createTopics({
        topics: [{ topic, numPartitions: 1, replicationFactor: 1 }],
        waitForLeaders: true,
        timeout: 10000,
      });
      await admin.deleteTopics({ topics: [topic], timeout: 10000 });
      // The first idempotent producer and the first consumer group create and load Kafka's internal
      // topics; until then InitProducerId and FindCoordinator answer "coordinator is loading".
      // Services and tests that start right after `up` would each meet that, so it is met here once.
      const producer = kafka.producer({ idempotent: true, maxInFlightRequests: 1, retry: { retries: 5, initialRetryTime: 200, maxRetryTime: 1000 } });
      await producer.connect();
      await producer.disconnect();
      await admin.describeGroups([`__infra_probe_${process.pid}`]);
      probe = ', probe topic created+deleted, producer id and group coordinator ready';
    }
    return `cluster ${cluster.clusterId}, ${cluster.brokers.length} broker(s), controller ${cluster.controller}${probe}`;
  } finally {
    await admin.disconnect().catch(() => {});
  }
}

const opts = parseArgs(process.argv.slice(2));
const deadline = Date.now() + opts.timeout * 1000;
let lastError = 'no attempt made';
for (;;) {
  if (opts.pid && !alive(opts.pid)) {
    console.error(`wait-kafka: process ${opts.pid} exited before Kafka became ready (last error: ${lastError})`);
    process.exit(1);
  }
  try {
    const summary = await attempt(opts);
    console.log(`wait-kafka: ready (${summary})`);
    process.exit(0);
  } catch (e) {
    lastError = e && e.message ? e.message : String(e);
  }
  if (Date.now() >= deadline) {
    console.error(`wait-kafka: ${opts.brokers} not ready after ${opts.timeout}s (last error: ${lastError})`);
    process.exit(1);
  }
  await sleep(500);
}
