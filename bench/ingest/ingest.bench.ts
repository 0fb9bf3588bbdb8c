/**
 * Ingest benchmark: events/s accepted by the gateway (POST /v1/events, 202 = Kafka acknowledged)
 * and carried through ingest to events.enriched.v1, against a raw kafkajs producer writing the
 * same events to the same broker in the same run. Entry point: bench/ingest/run.sh, which starts
 * the services and passes their URLs, pids and keys; see docs/benchmarks.md.
 *
 * Each round runs, back to back on the same (noisy, 2-core) machine:
 *  1. raw       the raw producer writes the N events to a topic of its own;
 *  2. alone     the gateway accepts the same N events while ingest is frozen (SIGSTOP), so it has
 *               what the raw producer had: the like-for-like comparison the target is judged on;
 *               then ingest resumes and works off the backlog (ingest's own throughput);
 *  3. pipeline  the gateway accepts the N events with ingest running beside it, as deployed on one
 *               machine; end to end = until the last of them is on events.enriched.v1.
 *
 * The raw producer uses the platform's producer settings (idempotent, acks=-1,
 * maxInFlightRequests 1) and is driven the way KafkaPublisher drives it: `concurrency` workers
 * each hand over 500-message batches, and everything queued meanwhile goes out as one
 * sendBatch, one request in flight at a time (kafkajs' idempotent producer is not safe with
 * concurrent sends). That is the best a correct producer can do on this broker at this
 * concurrency, so it is the limit the gateway is compared to.
 */
import { intEnv, requiredEnv } from '../common';
import { TOPICS, type TrackedEvent } from '@signal/contracts';
import { Kafka, Partitioners, logLevel, type Consumer, type Message, type Producer } from 'kafkajs';
import { mkdirSync, writeFileSync } from 'node:fs';
import { Agent, request } from 'node:http';
import { Session } from 'node:inspector';
import { resolve } from 'node:path';
import { generateEvents } from './events';
import { CpuProbe, metricSum, percentile, scrape, type CpuSnapshot } from './probes';

// ---------------------------------------------------------------------------------------------
// Settings (env)

const int = intEnv;
const need = (name: string) => requiredEnv(name, 'bench/ingest/run.sh');

const cfg = {
  events: int('BENCH_EVENTS', 200_000),
  batch: int('BENCH_BATCH', 500),
  concurrency: int('BENCH_CONCURRENCY', 8),
  rounds: int('BENCH_ROUNDS', 3),
  warmup: int('BENCH_WARMUP_EVENTS', 50_000),
  target: Number(process.env.BENCH_TARGET ?? 0.7),
  e2eTimeoutMs: int('BENCH_E2E_TIMEOUT_S', 600) * 1000,
  brokers: (process.env.KAFKA_BROKERS || '127.0.0.1:9092').split(','),
  rawTopic: process.env.BENCH_RAW_TOPIC || 'bench.raw.v1',
  gatewayUrl: need('BENCH_GATEWAY_URL'),
  ingestUrl: need('BENCH_INGEST_URL'),
  /** storeId=writeKey,... : the warm-up store first, then two per round (gateway alone, pipeline). */
  stores: need('BENCH_STORES')
    .split(',')
    .map((s) => {
      const [storeId, key] = s.split('=');
      return { storeId, key };
    }),
  /** name=pid,... of the processes whose CPU is accounted. */
  pids: Object.fromEntries(
    (process.env.BENCH_PIDS ?? '')
      .split(',')
      .filter(Boolean)
      .map((s) => {
        const [name, pid] = s.split('=');
        return [name, Number(pid)];
      }),
  ) as Record<string, number>,
  outDir: resolve(process.env.BENCH_OUT_DIR || '.cache/bench'),
  /** Count JSON serialization in the raw producer's time (default: serialized before the clock). */
  rawSerialize: process.env.BENCH_RAW_SERIALIZE === '1',
};
if (cfg.stores.length < 2 * cfg.rounds + 1) throw new Error(`BENCH_STORES needs ${2 * cfg.rounds + 1} stores (warm-up + two per round)`);

const log = (s: string) => console.log(`[${new Date().toISOString().slice(11, 23)}] ${s}`);
const sleep = (ms: number) => new Promise((r) => setTimeout(r, ms));
const chunk = <T>(xs: T[], n: number): T[][] => Array.from({ length: Math.ceil(xs.length / n) }, (_, i) => xs.slice(i * n, (i + 1) * n));
const hr = () => Number(process.hrtime.bigint()) / 1e6;

// ---------------------------------------------------------------------------------------------
// Raw producer, driven like KafkaPublisher

interface PhaseResult {
  events: number;
  ms: number;
  perSec: number;
  /** Per batch/request: time until acknowledged (raw) or answered 202 (gateway), ms. */
  latency: { p50: number; p99: number; max: number };
  failures: number;
  startedAt: number;
  endedAt: number;
}

function summarize(events: number, t0: number, t1: number, latencies: number[], failures: number, startedAt: number): PhaseResult {
  const sorted = latencies.sort((a, b) => a - b);
  const ms = t1 - t0;
  return {
    events,
    ms,
    perSec: events / (ms / 1000),
    latency: { p50: percentile(sorted, 50), p99: percentile(sorted, 99), max: sorted[sorted.length - 1] ?? NaN },
    failures,
    startedAt,
    endedAt: Date.now(),
  };
}

class CoalescingSender {
  private queue: Array<{ messages: Message[]; resolve: () => void; reject: (e: unknown) => void }> = [];
  private flushing: Promise<void> | null = null;
  sends = 0;

  constructor(
    private readonly producer: Producer,
    private readonly topic: string,
  ) {}

  send(messages: Message[]): Promise<void> {
    const done = new Promise<void>((resolve, reject) => this.queue.push({ messages, resolve, reject }));
    this.flushing ??= this.flush();
    return done;
  }

  private async flush(): Promise<void> {
    while (this.queue.length > 0) {
      const pending = this.queue;
      this.queue = [];
      try {
        this.sends++;
        await this.producer.sendBatch({ acks: -1, topicMessages: [{ topic: this.topic, messages: pending.flatMap((p) => p.messages) }] });
        pending.forEach((p) => p.resolve());
      } catch (e) {
        pending.forEach((p) => p.reject(e));
      }
    }
    this.flushing = null;
  }
}

/** A batch of raw messages: ready, or serialized in the timed loop (BENCH_RAW_SERIALIZE=1). */
type RawBatch = Message[] | (() => Message[]);

/**
 * Sends every item with `concurrency` workers, each item tried up to 5 times; the latency of a
 * success is timed from the send, after `prepare` (work the sender does before sending).
 */
async function drive<T, P>(items: T[], prepare: (item: T) => P, send: (prepared: P) => Promise<number>, backoffMs: (attempt: number) => number): Promise<PhaseResult> {
  const latencies: number[] = [];
  let next = 0;
  let events = 0;
  let failures = 0;
  const startedAt = Date.now();
  const t0 = hr();
  const worker = async () => {
    while (next < items.length) {
      const prepared = prepare(items[next++]);
      for (let attempt = 1; ; attempt++) {
        const s = hr();
        try {
          // Not `events += await ...`: that reads `events` before the await and loses other workers' counts.
          const sent = await send(prepared);
          events += sent;
          latencies.push(hr() - s);
          break;
        } catch (e) {
          failures++;
          if (attempt >= 5) throw e;
          await sleep(backoffMs(attempt));
        }
      }
    }
  };
  await Promise.all(Array.from({ length: cfg.concurrency }, worker));
  return summarize(events, t0, hr(), latencies, failures, startedAt);
}

function runRaw(sender: CoalescingSender, batches: RawBatch[]): Promise<PhaseResult> {
  return drive(
    batches,
    (b) => (typeof b === 'function' ? b() : b),
    async (batch) => {
      await sender.send(batch);
      return batch.length;
    },
    () => 200,
  );
}

// ---------------------------------------------------------------------------------------------
// Gateway over HTTP (keep-alive, `concurrency` requests in flight)

function post(agent: Agent, url: URL, key: string, body: Buffer): Promise<{ status: number; text: string }> {
  return new Promise((ok, fail) => {
    const req = request(
      url,
      { method: 'POST', agent, headers: { 'content-type': 'application/json', 'content-length': body.length, 'x-api-key': key }, timeout: 30_000 },
      (res) => {
        const parts: Buffer[] = [];
        res.on('data', (d: Buffer) => parts.push(d));
        res.on('end', () => ok({ status: res.statusCode ?? 0, text: Buffer.concat(parts).toString('utf8') }));
        res.on('error', fail);
      },
    );
    req.on('timeout', () => req.destroy(new Error('request timed out')));
    req.on('error', fail);
    req.end(body);
  });
}

const errorsSeen = new Map<string, number>();

async function runGateway(key: string, bodies: Array<{ body: Buffer; count: number }>): Promise<PhaseResult> {
  const agent = new Agent({ keepAlive: true, maxSockets: cfg.concurrency });
  const url = new URL('/v1/events', cfg.gatewayUrl);
  const send = async ({ body, count }: { body: Buffer; count: number }): Promise<number> => {
    let outcome: string;
    try {
      const res = await post(agent, url, key, body);
      if (res.status === 202) return count;
      outcome = `HTTP ${res.status} ${res.text.slice(0, 160)}`;
    } catch (e) {
      outcome = `request error: ${e instanceof Error ? e.message : String(e)}`;
    }
    errorsSeen.set(outcome, (errorsSeen.get(outcome) ?? 0) + 1);
    throw new Error(`gateway kept failing: ${outcome}`);
  };
  try {
    // A real sender retries; eventId dedupe absorbs repeats.
    return await drive(bodies, (b) => b, send, (attempt) => 200 * attempt);
  } finally {
    agent.destroy();
  }
}

// ---------------------------------------------------------------------------------------------
// events.enriched.v1 tap: per store, how many arrived and when (the ingest producer's timestamp)

interface StoreArrivals {
  count: number;
  lastTs: number;
  /** enriched timestamp - receivedAt stamped by the gateway, ms, per event. */
  lags: number[];
}

class EnrichedTap {
  readonly stores = new Map<string, StoreArrivals>();
  private consumer?: Consumer;
  private readonly groupId = `bench-e2e-${process.pid}-${Date.now().toString(36)}`;

  constructor(private readonly kafka: Kafka) {}

  async start(): Promise<void> {
    // Start exactly at the current end of the topic: only this run's events are counted.
    const admin = this.kafka.admin();
    await admin.connect();
    try {
      const ends = await admin.fetchTopicOffsets(TOPICS.EventsEnriched);
      await admin.setOffsets({ groupId: this.groupId, topic: TOPICS.EventsEnriched, partitions: ends.map((p) => ({ partition: p.partition, offset: p.high })) });
    } finally {
      await admin.disconnect();
    }
    const consumer = this.kafka.consumer({ groupId: this.groupId, allowAutoTopicCreation: false, maxWaitTimeInMs: 100 });
    this.consumer = consumer;
    await consumer.connect();
    await consumer.subscribe({ topics: [TOPICS.EventsEnriched] });
    const marker = Buffer.from('"receivedAt":"');
    await consumer.run({
      autoCommit: false,
      eachBatch: async ({ batch }) => {
        for (const m of batch.messages) {
          if (!m.key) continue;
          const colon = m.key.indexOf(':');
          const storeId = m.key.toString('latin1', 0, colon);
          let s = this.stores.get(storeId);
          if (!s) this.stores.set(storeId, (s = { count: 0, lastTs: 0, lags: [] }));
          const ts = Number(m.timestamp);
          s.count++;
          if (ts > s.lastTs) s.lastTs = ts;
          const at = m.value ? m.value.indexOf(marker) : -1;
          if (m.value && at >= 0) {
            const start = at + marker.length;
            const received = Date.parse(m.value.toString('latin1', start, m.value.indexOf(0x22, start)));
            if (!Number.isNaN(received)) s.lags.push(ts - received);
          }
        }
      },
    });
  }

  async waitFor(storeId: string, count: number, timeoutMs: number): Promise<StoreArrivals> {
    const until = Date.now() + timeoutMs;
    for (;;) {
      const s = this.stores.get(storeId);
      if (s && s.count >= count) return s;
      if (Date.now() > until) throw new Error(`only ${s?.count ?? 0} of ${count} events of ${storeId} reached ${TOPICS.EventsEnriched} within ${timeoutMs / 1000} s`);
      await sleep(100);
    }
  }

  async stop(): Promise<void> {
    await this.consumer?.disconnect();
    const admin = this.kafka.admin();
    await admin.connect();
    await admin.deleteGroups([this.groupId]).catch(() => undefined);
    await admin.disconnect();
  }
}

/**
 * The ingest service always joins consumer group "ingest" (not configurable by env), like any
 * other ingest started against this Kafka (a dev stack, e2e tests). Another member in the group
 * during a round takes partitions, CPU and events away from the measured ingest: note it.
 */
class GroupWatch {
  maxMembers = 0;
  private timer?: NodeJS.Timeout;
  private readonly admin;

  constructor(
    kafka: Kafka,
    private readonly group: string,
  ) {
    this.admin = kafka.admin();
  }

  async start(): Promise<void> {
    await this.admin.connect();
    const poll = async () => {
      try {
        const d = await this.admin.describeGroups([this.group]);
        this.maxMembers = Math.max(this.maxMembers, d.groups[0]?.members.length ?? 0);
      } catch {
        // a poll lost to a busy broker is not worth failing the benchmark
      }
      this.timer = setTimeout(() => void poll(), 1_000);
    };
    await poll();
  }

  /** Most members seen since the last call. */
  take(): number {
    const n = this.maxMembers;
    this.maxMembers = 0;
    return n;
  }

  async stop(): Promise<void> {
    clearTimeout(this.timer);
    await this.admin.disconnect();
  }
}

// ---------------------------------------------------------------------------------------------
// Metrics deltas from the services (what the services themselves saw during a phase)

interface Scrape {
  gateway: string;
  ingest: string;
}
const scrapeBoth = async (): Promise<Scrape> => ({ gateway: await scrape(cfg.gatewayUrl), ingest: await scrape(cfg.ingestUrl) });

function serviceDeltas(a: Scrape, b: Scrape) {
  const d = (svc: keyof Scrape, name: string, match: Record<string, string> = {}) => metricSum(b[svc], name, match) - metricSum(a[svc], name, match);
  const avgMs = (svc: keyof Scrape, name: string, match: Record<string, string> = {}) => {
    const n = d(svc, `${name}_count`, match);
    return n > 0 ? (d(svc, `${name}_sum`, match) / n) * 1000 : NaN;
  };
  return {
    gatewayHttpAvgMs: avgMs('gateway', 'http_request_duration_seconds', { route: '/v1/events' }),
    gatewayPublishAvgMs: avgMs('gateway', 'kafka_publish_duration_seconds'),
    gatewayGcSeconds: d('gateway', 'nodejs_gc_duration_seconds_sum'),
    gateway5xx: d('gateway', 'http_request_duration_seconds_count', { status: '503' }) + d('gateway', 'http_request_duration_seconds_count', { status: '500' }),
    ingestHandlerAvgMs: avgMs('ingest', 'kafka_handler_duration_seconds', { topic: TOPICS.EventsRaw }),
    ingestHandlerCalls: d('ingest', 'kafka_handler_duration_seconds_count', { topic: TOPICS.EventsRaw }),
    ingestPublishAvgMs: avgMs('ingest', 'kafka_publish_duration_seconds'),
    ingestGcSeconds: d('ingest', 'nodejs_gc_duration_seconds_sum'),
    ingestEnriched: d('ingest', 'ingest_events_total', { outcome: 'enriched' }),
    ingestDuplicate: d('ingest', 'ingest_events_total', { outcome: 'duplicate' }),
    ingestInvalid: d('ingest', 'ingest_events_total', { outcome: 'invalid' }),
    ingestDeadLettered: d('ingest', 'kafka_consumed_messages_total', { outcome: 'dead_lettered' }),
  };
}

// ---------------------------------------------------------------------------------------------

type Cpu = ReturnType<typeof CpuProbe.between>;

/** How the N events of one store reached events.enriched.v1. */
interface Drain {
  /** N / (time of the last enriched event - `from`). */
  perSec: number;
  ms: number;
  /** Last enriched event after the gateway's last 202. */
  tailMs: number;
  /** Per event: enriched timestamp - receivedAt stamped by the gateway. */
  lag: { p50: number; p99: number; max: number };
  arrived: number;
  cpu: Cpu;
  services: ReturnType<typeof serviceDeltas>;
}

interface RoundResult {
  round: number;
  raw: PhaseResult & { sends: number; cpu: Cpu };
  /** Gateway with ingest frozen (SIGSTOP): what the gateway itself costs, like for like with raw. */
  alone: PhaseResult & { storeId: string; cpu: Cpu; catchUp: Drain };
  /** Gateway with ingest running beside it, as deployed on one machine. */
  pipeline: PhaseResult & { storeId: string; cpu: Cpu; e2e: Drain };
  ratioAlone: number;
  ratioPipeline: number;
  /** Most members of the ingest consumer group seen during the round (1 = only ours). */
  ingestGroupMembers: number;
}

const profiling = process.env.BENCH_CPU_PROF === '1';

/** The services preload cpu-profile.js when BENCH_CPU_PROF=1; SIGWINCH starts/stops their profiler. */
function toggleProfiler(name: 'gateway' | 'ingest'): void {
  if (profiling && cfg.pids[name]) process.kill(cfg.pids[name], 'SIGWINCH');
}

/** Profiles this process (the raw producer) while `fn` runs, when BENCH_CPU_PROF=1. */
async function profiled<T>(file: string, fn: () => Promise<T>): Promise<T> {
  if (!profiling) return fn();
  const session = new Session();
  session.connect();
  const post = (method: string, params?: object) =>
    new Promise<unknown>((ok, fail) => session.post(method, params ?? {}, (err, res) => (err ? fail(err) : ok(res))));
  await post('Profiler.enable');
  await post('Profiler.setSamplingInterval', { interval: 500 });
  await post('Profiler.start');
  try {
    return await fn();
  } finally {
    const { profile } = (await post('Profiler.stop')) as { profile: unknown };
    mkdirSync(resolve(cfg.outDir, 'prof'), { recursive: true });
    writeFileSync(resolve(cfg.outDir, 'prof', file), JSON.stringify(profile));
    session.disconnect();
  }
}

const fmt = (n: number, digits = 0) => (Number.isFinite(n) ? n.toLocaleString('en-US', { maximumFractionDigits: digits, minimumFractionDigits: digits }) : 'n/a');
const cpuLine = (c: ReturnType<typeof CpuProbe.between>) =>
  `machine ${fmt(c.machineBusy * 100)}% busy; cores used: ${Object.entries(c.cores)
    .map(([k, v]) => `${k} ${fmt(v, 2)}`)
    .join(', ')}`;

async function main(): Promise<void> {
  mkdirSync(cfg.outDir, { recursive: true });
  const probe = new CpuProbe(cfg.pids, process.env.BENCH_DB || 'signal_bench');
  const ingestPid = cfg.pids.ingest;
  if (!ingestPid) throw new Error('BENCH_PIDS must name the ingest process (ingest=<pid>)');
  const runTag = Date.now().toString(36);
  const [warmStore, ...roundStores] = cfg.stores;

  // Same events for every phase, built before any clock starts.
  log(`generating ${cfg.events} events (+${cfg.warmup} warm-up), batch ${cfg.batch}, concurrency ${cfg.concurrency}, ${cfg.rounds} round(s)`);
  const occurredAt = new Date().toISOString();
  const events = generateEvents({ count: cfg.events, idPrefix: `b${runTag}`, occurredAt });
  const warmEvents = generateEvents({ count: cfg.warmup, idPrefix: `w${runTag}`, occurredAt, seed: 7 });
  const bodies = (evs: TrackedEvent[]) => chunk(evs, cfg.batch).map((b) => ({ body: Buffer.from(JSON.stringify({ events: b })), count: b.length }));
  // What the gateway writes to events.raw.v1 for these events: stamped, keyed by store:device.
  // Serialized before the clock starts (the strict limit), unless BENCH_RAW_SERIALIZE=1: then each
  // batch is stringified in the timed loop, as a producer holding event objects would have to.
  const rawBatches = (evs: TrackedEvent[], storeId: string): RawBatch[] => {
    const receivedAt = new Date().toISOString();
    const stamped = chunk(
      evs.map((e) => ({ key: `${storeId}:${e.anonymousId}`, event: { ...e, context: { ...e.context }, storeId, receivedAt } })),
      cfg.batch,
    );
    if (cfg.rawSerialize) return stamped.map((b) => () => b.map((m): Message => ({ key: m.key, value: JSON.stringify(m.event) })));
    return stamped.map((b) => b.map((m): Message => ({ key: m.key, value: JSON.stringify(m.event) })));
  };
  const gwBodies = bodies(events);
  const gwWarm = bodies(warmEvents);
  const raw = rawBatches(events, roundStores[0].storeId);
  const rawWarm = rawBatches(warmEvents, warmStore.storeId);
  const bytes = gwBodies.reduce((sum, b) => sum + b.body.length, 0);
  log(`${gwBodies.length} requests of ~${fmt(bytes / gwBodies.length / 1024, 0)} KiB (~${fmt(bytes / cfg.events, 0)} B/event in the request)`);

  const kafka = new Kafka({ clientId: 'bench-ingest', brokers: cfg.brokers, logLevel: logLevel.WARN });
  // KafkaPublisher's settings (libs/platform/src/kafka/kafka-publisher.ts); sendBatch with acks -1.
  const producer = kafka.producer({
    idempotent: true,
    maxInFlightRequests: 1,
    allowAutoTopicCreation: false,
    createPartitioner: Partitioners.DefaultPartitioner,
    retry: { retries: Number.MAX_SAFE_INTEGER, maxRetryTime: 5_000 },
  });
  await producer.connect();
  const sender = new CoalescingSender(producer, cfg.rawTopic);
  const tap = new EnrichedTap(kafka);
  await tap.start();
  const watch = new GroupWatch(kafka, process.env.BENCH_INGEST_GROUP || 'ingest');
  await watch.start();

  /** Waits until all N events of `storeId` are on events.enriched.v1; measured from `from`. */
  const drain = async (storeId: string, from: number, gw: PhaseResult, c0: CpuSnapshot, m0: Scrape): Promise<Drain> => {
    const arrivals = await tap.waitFor(storeId, cfg.events, cfg.e2eTimeoutMs);
    const cpu = CpuProbe.between(c0, probe.snapshot());
    await sleep(1_500); // let the services' histograms settle before scraping
    const m1 = await scrapeBoth();
    const lags = arrivals.lags.slice().sort((a, b) => a - b);
    const ms = arrivals.lastTs - from;
    return {
      perSec: cfg.events / (ms / 1000),
      ms,
      tailMs: arrivals.lastTs - gw.endedAt,
      lag: { p50: percentile(lags, 50), p99: percentile(lags, 99), max: lags[lags.length - 1] },
      arrived: arrivals.count,
      cpu,
      services: serviceDeltas(m0, m1),
    };
  };

  try {
    // Warm-up: JIT (services, broker, client), heap sizing, connections, key cache, consumer, DB
    // pool. Not reported. The raw path gets the full N once: with less, round 1's raw phase ran
    // ~25% slower than later ones (young generation and broker still growing), flattering round 1.
    log('warm-up: raw producer');
    await runRaw(sender, rawWarm);
    await runRaw(sender, raw);
    log('warm-up: gateway');
    await runGateway(warmStore.key, gwWarm);
    await tap.waitFor(warmStore.storeId, cfg.warmup, cfg.e2eTimeoutMs);
    await runRaw(sender, rawWarm);
    log('warm-up: done');
    await sleep(2_000);

    const results: RoundResult[] = [];
    for (let r = 0; r < cfg.rounds; r++) {
      const aloneStore = roundStores[2 * r];
      const pipeStore = roundStores[2 * r + 1];
      watch.take();

      // 1. Raw kafkajs producer.
      let c0: CpuSnapshot = probe.snapshot();
      const sends0 = sender.sends;
      const rawResult = await (r === 0 ? profiled('raw-1.cpuprofile', () => runRaw(sender, raw)) : runRaw(sender, raw));
      const rawCpu = CpuProbe.between(c0, probe.snapshot());
      log(`round ${r + 1} raw: ${fmt(rawResult.perSec)} events/s (${fmt(rawResult.ms)} ms, ${sender.sends - sends0} sendBatch calls)`);
      await sleep(2_000);

      // 2. Gateway alone: ingest frozen, so the gateway has what the raw producer had. Then ingest
      //    resumes and works off the backlog: its own throughput.
      let m0 = await scrapeBoth();
      process.kill(ingestPid, 'SIGSTOP');
      if (r === 0) toggleProfiler('gateway'); // BENCH_CPU_PROF=1: round 1 gateway alone, ingest catching up
      c0 = probe.snapshot();
      let alone: PhaseResult;
      try {
        alone = await runGateway(aloneStore.key, gwBodies);
      } finally {
        process.kill(ingestPid, 'SIGCONT');
      }
      const resumedAt = Date.now();
      const aloneCpu = CpuProbe.between(c0, probe.snapshot());
      if (r === 0) ['gateway' as const, 'ingest' as const].forEach(toggleProfiler);
      log(`round ${r + 1} gateway alone: ${fmt(alone.perSec)} events/s accepted (${fmt(alone.ms)} ms, p50 ${fmt(alone.latency.p50, 1)} ms, p99 ${fmt(alone.latency.p99, 1)} ms, ${alone.failures} failed tries)`);
      const catchUp = await drain(aloneStore.storeId, resumedAt, alone, probe.snapshot(), m0);
      if (r === 0) toggleProfiler('ingest');
      log(`round ${r + 1} ingest catching up: ${fmt(catchUp.perSec)} events/s enriched`);
      await sleep(2_000);

      // 3. Pipeline: gateway with ingest running beside it; end to end from the first request.
      m0 = await scrapeBoth();
      c0 = probe.snapshot();
      const pipe = await runGateway(pipeStore.key, gwBodies);
      const pipeCpu = CpuProbe.between(c0, probe.snapshot());
      log(`round ${r + 1} gateway in pipeline: ${fmt(pipe.perSec)} events/s accepted (${fmt(pipe.ms)} ms, p50 ${fmt(pipe.latency.p50, 1)} ms, p99 ${fmt(pipe.latency.p99, 1)} ms, ${pipe.failures} failed tries)`);
      const e2e = await drain(pipeStore.storeId, pipe.startedAt, pipe, c0, m0);
      log(`round ${r + 1} end to end: ${fmt(e2e.perSec)} events/s enriched (last one ${fmt(e2e.tailMs)} ms after the last 202)`);

      const result: RoundResult = {
        round: r + 1,
        raw: { ...rawResult, sends: sender.sends - sends0, cpu: rawCpu },
        alone: { ...alone, storeId: aloneStore.storeId, cpu: aloneCpu, catchUp },
        pipeline: { ...pipe, storeId: pipeStore.storeId, cpu: pipeCpu, e2e },
        ratioAlone: alone.perSec / rawResult.perSec,
        ratioPipeline: pipe.perSec / rawResult.perSec,
        ingestGroupMembers: watch.take(),
      };
      results.push(result);
      if (result.ingestGroupMembers > 1) log(`WARNING: ${result.ingestGroupMembers} members in the ingest consumer group during round ${r + 1}: another ingest shares the work; rerun`);
      writeFileSync(resolve(cfg.outDir, `metrics-round${r + 1}-gateway.prom`), await scrape(cfg.gatewayUrl));
      writeFileSync(resolve(cfg.outDir, `metrics-round${r + 1}-ingest.prom`), await scrape(cfg.ingestUrl));
      await sleep(2_000);
    }
    report(results);
  } finally {
    await tap.stop().catch(() => undefined);
    await watch.stop().catch(() => undefined);
    await producer.disconnect().catch(() => undefined);
  }
}

function report(results: RoundResult[]): void {
  const median = (xs: number[]) => {
    const s = xs.slice().sort((a, b) => a - b);
    return s.length % 2 ? s[(s.length - 1) / 2] : (s[s.length / 2 - 1] + s[s.length / 2]) / 2;
  };
  const ratioAlone = median(results.map((r) => r.ratioAlone));
  const ratioPipeline = median(results.map((r) => r.ratioPipeline));
  const met = ratioAlone >= cfg.target;
  const ms = (l: { p50: number; p99: number }) => `${fmt(l.p50, 0)} / ${fmt(l.p99, 0)}`;
  const s = (l: { p50: number; p99: number }) => `${fmt(l.p50 / 1000, 1)} / ${fmt(l.p99 / 1000, 1)}`;
  const accept = [
    `| Round | Raw kafkajs events/s | Gateway alone events/s | Alone / raw | Gateway in pipeline events/s | Pipeline / raw | Accept p50 / p99 alone (ms) | Accept p50 / p99 in pipeline (ms) | Raw ack p50 / p99 (ms) |`,
    `| ---: | ---: | ---: | ---: | ---: | ---: | ---: | ---: | ---: |`,
    ...results.map(
      (r) =>
        `| ${r.round} | ${fmt(r.raw.perSec)} | ${fmt(r.alone.perSec)} | ${fmt(r.ratioAlone * 100)}% | ${fmt(r.pipeline.perSec)} | ${fmt(r.ratioPipeline * 100)}% | ${ms(r.alone.latency)} | ${ms(r.pipeline.latency)} | ${ms(r.raw.latency)} |`,
    ),
  ];
  const e2e = [
    `| Round | End-to-end enriched events/s | End-to-end lag p50 / p99 (s) | Last enriched after last 202 (s) | Ingest alone, from a backlog, events/s |`,
    `| ---: | ---: | ---: | ---: | ---: |`,
    ...results.map(
      (r) => `| ${r.round} | ${fmt(r.pipeline.e2e.perSec)} | ${s(r.pipeline.e2e.lag)} | ${fmt(r.pipeline.e2e.tailMs / 1000, 1)} | ${fmt(r.alone.catchUp.perSec)} |`,
    ),
  ];
  console.log('');
  console.log(
    `${cfg.events.toLocaleString('en-US')} events per phase, batches of ${cfg.batch}, ${cfg.concurrency} requests/batches in flight, ${results.length} round(s); ` +
      `raw messages ${cfg.rawSerialize ? 'serialized in the timed loop' : 'serialized before the clock'}`,
  );
  console.log('');
  console.log(accept.join('\n'));
  console.log('');
  console.log(e2e.join('\n'));
  console.log('');
  for (const r of results) {
    console.log(`round ${r.round} raw:         ${cpuLine(r.raw.cpu)}; ${r.raw.sends} sendBatch calls (${fmt(r.raw.events / r.raw.sends)} messages each)`);
    console.log(`round ${r.round} alone:       ${cpuLine(r.alone.cpu)}`);
    console.log(`round ${r.round} catch-up:    ${cpuLine(r.alone.catchUp.cpu)}`);
    console.log(`round ${r.round} pipeline:    ${cpuLine(r.pipeline.cpu)}`);
    console.log(`round ${r.round} end to end:  ${cpuLine(r.pipeline.e2e.cpu)}`);
    for (const [name, d] of [['alone+catch-up', r.alone.catchUp], ['pipeline', r.pipeline.e2e]] as const) {
      const x = d.services;
      console.log(
        `round ${r.round} services (${name}): gateway /v1/events avg ${fmt(x.gatewayHttpAvgMs, 1)} ms, Kafka publish avg ${fmt(x.gatewayPublishAvgMs, 1)} ms, GC ${fmt(x.gatewayGcSeconds, 2)} s, 5xx ${x.gateway5xx}; ` +
          `ingest handler avg ${fmt(x.ingestHandlerAvgMs, 1)} ms/call (${x.ingestHandlerCalls} calls, ~${fmt(x.ingestEnriched / Math.max(1, x.ingestHandlerCalls))} events each), publish avg ${fmt(x.ingestPublishAvgMs, 1)} ms, GC ${fmt(x.ingestGcSeconds, 2)} s; ` +
          `enriched ${x.ingestEnriched}, duplicate ${x.ingestDuplicate}, invalid ${x.ingestInvalid}, dead-lettered ${x.ingestDeadLettered}; on the topic ${d.arrived}`,
      );
    }
  }
  for (const r of results.filter((x) => x.ingestGroupMembers > 1)) {
    console.log(`WARNING round ${r.round}: up to ${r.ingestGroupMembers} members in the ingest consumer group (another ingest on this Kafka took part of the work)`);
  }
  if (errorsSeen.size) {
    console.log('gateway errors (retried):');
    for (const [e, n] of errorsSeen) console.log(`  ${n} x ${e}`);
  }
  console.log('');
  console.log(`gateway in pipeline / raw (median): ${fmt(ratioPipeline * 100)}%`);
  console.log(`gateway alone / raw (median): ${fmt(ratioAlone * 100)}% - target ${fmt(cfg.target * 100)}%: ${met ? 'MET' : 'NOT MET'}`);
  const file = resolve(cfg.outDir, 'ingest-results.json');
  writeFileSync(
    file,
    JSON.stringify({ at: new Date().toISOString(), config: { ...cfg, stores: cfg.stores.map((x) => x.storeId) }, ratioAlone, ratioPipeline, targetMet: met, errors: Object.fromEntries(errorsSeen), results }, null, 2),
  );
  console.log(`details: ${file}`);
  if (!met) process.exitCode = 3;
}

main().catch((e: unknown) => {
  console.error(`bench failed: ${e instanceof Error ? (e.stack ?? e.message) : String(e)}`);
  process.exit(1);
});
