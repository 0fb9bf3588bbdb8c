/**
 * Segments benchmark: events through profile update and segment evaluation, with 100,000
 * profiles and 1,000 active segments loaded. Entry point: bench/segments/run.sh, which starts
 * gateway, ingest and profile and passes their URLs, pids and keys; see bench/segments/README.md.
 *
 *  1. load      1,000 segments through the gateway (before any profile: no backfill), then the
 *               profiles, by 1-2 events per shopper through the gateway; waits until the
 *               profile service applied them all. Timed, but not judged.
 *  2. measure   events at a fixed rate (BENCH_RATE/s for BENCH_SECONDS, a small batch every
 *               BENCH_TICK_MS) to existing shoppers, each one entering at least one segment.
 *               Latency per event: its first segments.membership.v1 message (consumed here,
 *               Date.now() on receipt) minus the arrival of the HTTP 202 that accepted it (same
 *               process, same clock). Target: p95 < BENCH_P95_TARGET_MS (500).
 *  3. max       BENCH_MAX_EVENTS as fast as the gateway takes them; the profile service's
 *               applied-events counter over time gives its throughput.
 *
 * Exit status: 0 target met, 3 target missed, anything else: the benchmark could not run.
 */
import { intEnv, requiredEnv } from '../common';
import { TOPICS, profileIdFor, type SegmentMembershipChange, type TrackedEvent } from '@signal/contracts';
import { Kafka, logLevel, type Consumer } from 'kafkajs';
import { mkdirSync, writeFileSync } from 'node:fs';
import { Agent, request } from 'node:http';
import { resolve } from 'node:path';
import { Client } from 'pg';
import { CpuProbe, metricSum, percentile, scrape, type CpuSnapshot } from '../ingest/probes';
import { generateSegments, generateShoppers, homeSegmentId, homeView, loadEvents, shopperOrder, type Shopper } from './workload';

// ---------------------------------------------------------------------------------------------
// Settings (env)

const int = intEnv;
const need = (name: string) => requiredEnv(name, 'bench/segments/run.sh');

const cfg = {
  profiles: int('BENCH_PROFILES', 100_000),
  segments: int('BENCH_SEGMENTS', 1_000),
  rate: int('BENCH_RATE', 1_000),
  seconds: int('BENCH_SECONDS', 60),
  tickMs: Math.max(1, int('BENCH_TICK_MS', 20)),
  maxEvents: int('BENCH_MAX_EVENTS', 50_000),
  p95TargetMs: int('BENCH_P95_TARGET_MS', 500),
  loadBatch: Math.max(1, int('BENCH_LOAD_BATCH', 100)),
  /** Most load events accepted but not yet applied by the profile service (see README: the 1 MB limit). */
  loadBacklog: Math.max(1, int('BENCH_LOAD_BACKLOG', 5_000)),
  maxBatch: Math.max(1, int('BENCH_MAX_BATCH', 500)),
  loadConcurrency: Math.max(1, int('BENCH_LOAD_CONCURRENCY', 4)),
  drainTimeoutMs: int('BENCH_DRAIN_TIMEOUT_S', 300) * 1000,
  loadTimeoutMs: int('BENCH_LOAD_TIMEOUT_S', 1800) * 1000,
  brokers: (process.env.KAFKA_BROKERS || '127.0.0.1:9092').split(','),
  gatewayUrl: need('BENCH_GATEWAY_URL'),
  ingestUrl: need('BENCH_INGEST_URL'),
  profileUrl: need('BENCH_PROFILE_URL'),
  storeId: need('BENCH_STORE'),
  writeKey: need('BENCH_WRITE_KEY'),
  secretKey: need('BENCH_SECRET_KEY'),
  dbUrl: need('BENCH_DB_URL'),
  db: process.env.BENCH_DB || 'signal_bench_segments',
  pids: Object.fromEntries(
    (process.env.BENCH_PIDS ?? '')
      .split(',')
      .filter(Boolean)
      .map((s) => {
        const [name, pid] = s.split('=');
        return [name, Number(pid)];
      }),
  ) as Record<string, number>,
  outDir: resolve(process.env.BENCH_OUT_DIR || '.cache/bench/segments'),
  cpuProf: process.env.BENCH_CPU_PROF === '1',
};

const log = (s: string) => console.log(`[${new Date().toISOString().slice(11, 23)}] ${s}`);
const sleep = (ms: number) => new Promise((r) => setTimeout(r, ms));
const chunk = <T>(xs: readonly T[], n: number): T[][] => Array.from({ length: Math.ceil(xs.length / n) }, (_, i) => xs.slice(i * n, (i + 1) * n));
const fmt = (n: number, digits = 0) => (Number.isFinite(n) ? n.toLocaleString('en-US', { maximumFractionDigits: digits, minimumFractionDigits: digits }) : 'n/a');
const errMsg = (e: unknown) => (e instanceof Error ? e.message : String(e));

// ---------------------------------------------------------------------------------------------
// HTTP (keep-alive)

const agent = new Agent({ keepAlive: true, maxSockets: 64 });

function post(path: string, headers: Record<string, string>, body: Buffer): Promise<{ status: number; text: string }> {
  return new Promise((ok, fail) => {
    const req = request(
      new URL(path, cfg.gatewayUrl),
      { method: 'POST', agent, headers: { 'content-type': 'application/json', 'content-length': body.length, ...headers }, timeout: 30_000 },
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

/** POST /v1/events; resolves with Date.now() when the 202 arrived. Retries (the eventIds make repeats harmless). */
async function sendEvents(events: readonly TrackedEvent[]): Promise<number> {
  const body = Buffer.from(JSON.stringify({ events }));
  for (let attempt = 1; ; attempt++) {
    let problem: string;
    try {
      const res = await post('/v1/events', { 'x-api-key': cfg.writeKey }, body);
      if (res.status === 202) return Date.now();
      problem = `HTTP ${res.status} ${res.text.slice(0, 200)}`;
    } catch (e) {
      problem = errMsg(e);
    }
    if (attempt >= 5) throw new Error(`POST /v1/events kept failing: ${problem}`);
    await sleep(200 * attempt);
  }
}

/** Runs `work` over `items` with `concurrency` workers. */
async function pool<T>(items: readonly T[], concurrency: number, work: (item: T, index: number) => Promise<void>): Promise<void> {
  let next = 0;
  const worker = async () => {
    while (next < items.length) {
      const i = next++;
      await work(items[i], i);
    }
  };
  await Promise.all(Array.from({ length: Math.min(concurrency, items.length) }, worker));
}

// ---------------------------------------------------------------------------------------------
// Probes: the profile service's counters over time, Postgres activity, CPU

interface ProfileSample {
  at: number;
  applied: number;
  duplicate: number;
  changes: number;
  handlerCalls: number;
  handlerSeconds: number;
}

async function profileSample(): Promise<ProfileSample> {
  const text = await scrape(cfg.profileUrl);
  return {
    at: Date.now(),
    applied: metricSum(text, 'profile_events_total', { outcome: 'applied' }),
    duplicate: metricSum(text, 'profile_events_total', { outcome: 'duplicate' }),
    changes: metricSum(text, 'profile_segment_changes_total'),
    handlerCalls: metricSum(text, 'kafka_handler_duration_seconds_count', { topic: TOPICS.EventsEnriched }),
    handlerSeconds: metricSum(text, 'kafka_handler_duration_seconds_sum', { topic: TOPICS.EventsEnriched }),
  };
}

/** Samples the profile service's /metrics every `everyMs` until stopped. */
class ProfileWatch {
  readonly samples: ProfileSample[] = [];
  private timer?: NodeJS.Timeout;
  private stopped = false;

  start(everyMs: number): void {
    const tick = async () => {
      this.samples.push(await profileSample());
      if (!this.stopped) this.timer = setTimeout(() => void tick(), everyMs);
    };
    void tick();
  }

  latest(): ProfileSample | undefined {
    return this.samples[this.samples.length - 1];
  }

  /** First sample at or after `from` where applied reached `target`. */
  reached(target: number, from = 0): ProfileSample | undefined {
    return this.samples.find((s) => s.at >= from && s.applied >= target);
  }

  /** Highest applied/s over any `windowMs` window between two times. */
  peakRate(from: number, to: number, windowMs: number): number {
    const xs = this.samples.filter((s) => s.at >= from && s.at <= to);
    let best = 0;
    for (let i = 0, j = 0; i < xs.length; i++) {
      while (j < i && xs[i].at - xs[j].at > windowMs) j++;
      const span = xs[i].at - xs[j].at;
      if (span >= windowMs * 0.8) best = Math.max(best, ((xs[i].applied - xs[j].applied) / span) * 1000);
    }
    return best;
  }

  stop(): void {
    this.stopped = true;
    clearTimeout(this.timer);
  }
}

/** What the bench database's connections are doing, sampled: where the profile service waits. */
class PgActivity {
  private readonly counts = new Map<string, number>();
  private samples = 0;
  private timer?: NodeJS.Timeout;
  private stopped = false;

  constructor(private readonly client: Client) {}

  start(everyMs: number): void {
    const tick = async () => {
      try {
        const { rows } = await this.client.query<{ state: string; wait: string | null; query: string }>(
          `SELECT state, wait_event_type || ':' || wait_event AS wait, regexp_replace(left(query, 90), '\\s+', ' ', 'g') AS query
           FROM pg_stat_activity WHERE datname = $1 AND pid <> pg_backend_pid() AND state <> 'idle'`,
          [cfg.db],
        );
        this.samples++;
        for (const r of rows) {
          const k = `${r.state}${r.wait ? ` [${r.wait}]` : ''}: ${r.query}`;
          this.counts.set(k, (this.counts.get(k) ?? 0) + 1);
        }
      } catch {
        // a lost sample is not worth failing the benchmark
      }
      if (!this.stopped) this.timer = setTimeout(() => void tick(), everyMs);
    };
    void tick();
  }

  /** Top entries: average number of connections in that state per sample. */
  top(n: number): { what: string; avg: number }[] {
    return [...this.counts]
      .sort((a, b) => b[1] - a[1])
      .slice(0, n)
      .map(([what, c]) => ({ what, avg: c / Math.max(1, this.samples) }));
  }

  reset(): void {
    this.counts.clear();
    this.samples = 0;
  }

  stop(): void {
    this.stopped = true;
    clearTimeout(this.timer);
  }
}

type Cpu = ReturnType<typeof CpuProbe.between>;
const cpuLine = (c: Cpu) =>
  `machine ${fmt(c.machineBusy * 100)}% busy; cores used: ${Object.entries(c.cores)
    .map(([k, v]) => `${k} ${fmt(v, 2)}`)
    .join(', ')}`;

/** BENCH_CPU_PROF=1: the profile service preloads cpu-profile.js; SIGWINCH starts/stops its profiler. */
function toggleProfiler(): void {
  if (cfg.cpuProf && cfg.pids.profile) process.kill(cfg.pids.profile, 'SIGWINCH');
}

// ---------------------------------------------------------------------------------------------
// segments.membership.v1, read from its end: the first message per eventId of ours, and when

class MembershipTap {
  /** eventId → Date.now() when its first membership message was consumed. */
  readonly firstSeen = new Map<string, number>();
  messages = 0;
  entered = 0;
  exited = 0;
  byTrigger = new Map<string, number>();
  lastAt = 0;
  private consumer?: Consumer;
  private readonly groupId = `bench-segments-tap-${process.pid}-${Date.now().toString(36)}`;

  constructor(private readonly kafka: Kafka) {}

  async start(): Promise<void> {
    const admin = this.kafka.admin();
    await admin.connect();
    try {
      const ends = await admin.fetchTopicOffsets(TOPICS.SegmentsMembership);
      await admin.setOffsets({ groupId: this.groupId, topic: TOPICS.SegmentsMembership, partitions: ends.map((p) => ({ partition: p.partition, offset: p.high })) });
    } finally {
      await admin.disconnect();
    }
    const consumer = this.kafka.consumer({ groupId: this.groupId, allowAutoTopicCreation: false, maxWaitTimeInMs: 50 });
    this.consumer = consumer;
    await consumer.connect();
    await consumer.subscribe({ topics: [TOPICS.SegmentsMembership] });
    let joined = false;
    consumer.on(consumer.events.GROUP_JOIN, () => (joined = true));
    await consumer.run({
      autoCommit: false,
      partitionsConsumedConcurrently: 6,
      eachBatch: async ({ batch }) => {
        const now = Date.now();
        for (const m of batch.messages) {
          if (!m.value || !m.key) continue;
          if (m.key.toString('utf8', 0, cfg.storeId.length + 1) !== `${cfg.storeId}:`) continue;
          const c = JSON.parse(m.value.toString('utf8')) as SegmentMembershipChange;
          this.messages++;
          this.lastAt = now;
          if (c.change === 'entered') this.entered++;
          else this.exited++;
          this.byTrigger.set(c.trigger, (this.byTrigger.get(c.trigger) ?? 0) + 1);
          if (c.eventId && !this.firstSeen.has(c.eventId)) this.firstSeen.set(c.eventId, now);
        }
      },
    });
    for (let i = 0; i < 300 && !joined; i++) await sleep(100);
    if (!joined) throw new Error(`the ${TOPICS.SegmentsMembership} consumer did not join its group within 30 s`);
  }

  resetCounts(): void {
    this.messages = 0;
    this.entered = 0;
    this.exited = 0;
    this.byTrigger = new Map();
  }

  async stop(): Promise<void> {
    await this.consumer?.disconnect();
    const admin = this.kafka.admin();
    await admin.connect();
    await admin.deleteGroups([this.groupId]).catch(() => undefined);
    await admin.disconnect();
  }
}

// ---------------------------------------------------------------------------------------------
// Phases

interface LoadResult {
  segments: { count: number; ms: number; perSec: number; backfillWaitMs: number };
  events: { count: number; acceptMs: number; acceptPerSec: number; appliedMs: number; appliedPerSec: number };
  db: { profiles: number; memberships: number; segments: number };
}

async function createSegments(): Promise<{ count: number; ms: number }> {
  const defs = generateSegments(cfg.segments);
  const t0 = Date.now();
  await pool(defs, 4, async (def) => {
    const body = Buffer.from(JSON.stringify(def));
    for (let attempt = 1; ; attempt++) {
      const res = await post('/v1/segments', { authorization: `Bearer ${cfg.secretKey}` }, body).catch((e: unknown) => ({ status: 0, text: errMsg(e) }));
      if (res.status === 201 || res.status === 200 || res.status === 409) return;
      if (res.status === 400) throw new Error(`segment ${def.segmentId} rejected: ${res.text.slice(0, 500)}`);
      if (attempt >= 5) throw new Error(`POST /v1/segments kept failing: HTTP ${res.status} ${res.text.slice(0, 200)}`);
      await sleep(200 * attempt);
    }
  });
  return { count: defs.length, ms: Date.now() - t0 };
}

async function waitFor<T>(what: string, timeoutMs: number, probe: () => Promise<T | undefined>, progress?: () => string): Promise<T> {
  const until = Date.now() + timeoutMs;
  let lastLog = Date.now();
  for (;;) {
    const v = await probe();
    if (v !== undefined) return v;
    if (Date.now() > until) throw new Error(`timed out after ${timeoutMs / 1000} s waiting for ${what}${progress ? ` (${progress()})` : ''}`);
    if (progress && Date.now() - lastLog > 10_000) {
      log(`  waiting for ${what}: ${progress()}`);
      lastLog = Date.now();
    }
    await sleep(250);
  }
}

async function load(db: Client, shoppers: readonly Shopper[], watch: ProfileWatch, runTag: string): Promise<LoadResult> {
  log(`load: creating ${cfg.segments} segments through the gateway (POST /v1/segments, 4 in flight)`);
  const seg = await createSegments();
  log(`load: ${seg.count} segments in ${fmt(seg.ms / 1000, 1)} s (${fmt(seg.count / (seg.ms / 1000))}/s); waiting for their (empty) backfills`);
  const b0 = Date.now();
  await waitFor('segment backfills to finish', 300_000, async () => {
    const { rows } = await db.query<{ n: string }>(`SELECT count(*) AS n FROM "profile"."segment_backfills"`);
    return Number(rows[0]?.n) === 0 ? true : undefined;
  });
  const backfillWaitMs = Date.now() - b0;

  const events = loadEvents(shoppers, `l${runTag}`, new Date().toISOString());
  const batches = chunk(events, cfg.loadBatch);
  const base = (await profileSample()).applied;
  log(`load: ${fmt(events.length)} events for ${fmt(shoppers.length)} shoppers, ${batches.length} requests of ${cfg.loadBatch}, ${cfg.loadConcurrency} in flight, at most ${fmt(cfg.loadBacklog)} not yet applied by the profile service`);
  const t0 = Date.now();
  let accepted = 0;
  let lastLog = t0;
  let inFlight = 0;
  await pool(batches, cfg.loadConcurrency, async (b) => {
    // Closed loop: keep the profile service's backlog small, so its consumer batches stay small.
    await waitFor(
      'the profile service to work off its backlog',
      120_000,
      async () => ((watch.latest()?.applied ?? base) - base >= accepted + inFlight + b.length - cfg.loadBacklog ? true : undefined),
      () => `applied ${fmt((watch.latest()?.applied ?? base) - base)} of ${fmt(accepted)} accepted: the profile service stalled? see .cache/bench/segments/profile.log`,
    );
    inFlight += b.length;
    await sendEvents(b);
    inFlight -= b.length;
    accepted += b.length;
    if (Date.now() - lastLog > 10_000) {
      lastLog = Date.now();
      log(`  accepted ${fmt(accepted)} / ${fmt(events.length)}; profile applied ${fmt((watch.latest()?.applied ?? base) - base)}`);
    }
  });
  const acceptMs = Date.now() - t0;
  log(`load: gateway accepted ${fmt(events.length)} events in ${fmt(acceptMs / 1000, 1)} s (${fmt(events.length / (acceptMs / 1000))}/s); waiting for the profile service`);
  const done = await waitFor(
    'the profile service to apply the load events',
    cfg.loadTimeoutMs,
    async () => {
      const s = watch.latest();
      return s && s.applied - base >= events.length ? s : undefined;
    },
    () => `applied ${fmt((watch.latest()?.applied ?? base) - base)} of ${fmt(events.length)}`,
  );
  const appliedMs = done.at - t0;
  // One client: one query at a time.
  const { rows: p } = await db.query<{ n: string }>(`SELECT count(*) AS n FROM "profile"."profiles"`);
  const { rows: m } = await db.query<{ n: string }>(`SELECT count(*) AS n FROM "profile"."segment_memberships"`);
  const { rows: s } = await db.query<{ n: string }>(`SELECT count(*) AS n FROM "profile"."segments" WHERE "active"`);
  const result: LoadResult = {
    segments: { count: seg.count, ms: seg.ms, perSec: seg.count / (seg.ms / 1000), backfillWaitMs },
    events: { count: events.length, acceptMs, acceptPerSec: events.length / (acceptMs / 1000), appliedMs, appliedPerSec: events.length / (appliedMs / 1000) },
    db: { profiles: Number(p[0]?.n), memberships: Number(m[0]?.n), segments: Number(s[0]?.n) },
  };
  log(
    `load: profile service applied them ${fmt(appliedMs / 1000, 1)} s after the first send (${fmt(result.events.appliedPerSec)} events/s end to end); ` +
      `database: ${fmt(result.db.profiles)} profiles, ${fmt(result.db.segments)} active segments, ${fmt(result.db.memberships)} memberships`,
  );
  if (result.db.profiles < shoppers.length) throw new Error(`only ${result.db.profiles} of ${shoppers.length} profiles exist after the load`);
  return result;
}

interface MeasureResult {
  targetRate: number;
  seconds: number;
  sent: number;
  sendMs: number;
  achievedRate: number;
  requests: number;
  /** Sends that started more than one tick late (the driver fell behind its schedule). */
  lateTicks: number;
  http202: { p50: number; p95: number; p99: number; max: number };
  withMembership: number;
  /** Event accepted (202) → its first segments.membership.v1 message; events without one count as infinitely late. */
  latency: { p50: number; p95: number; p99: number; max: number };
  /** The same, per second of the run (p95), to see whether it drifts. */
  p95BySecond: number[];
  membershipMessages: number;
  membershipPerSec: number;
  /** Applied by the profile service between the first send and the last measured event's membership. */
  profileApplied: number;
  profilePerSec: number;
  /** Last membership - last 202: how long the pipeline needed after the sender stopped. */
  tailMs: number;
  duplicates: number;
  avgBatch: number;
  avgHandlerMs: number;
  cpu: Cpu;
  pg: { what: string; avg: number }[];
  met: boolean;
}

const pct = (sorted: number[]) => ({ p50: percentile(sorted, 50), p95: percentile(sorted, 95), p99: percentile(sorted, 99), max: sorted[sorted.length - 1] ?? NaN });

async function measure(shoppers: readonly Shopper[], order: readonly number[], tap: MembershipTap, watch: ProfileWatch, probe: CpuProbe, pg: PgActivity, runTag: string): Promise<MeasureResult> {
  const perTick = Math.max(1, Math.round((cfg.rate * cfg.tickMs) / 1000));
  const ticks = Math.ceil((cfg.rate * cfg.seconds) / perTick);
  const total = ticks * perTick;
  if (total > order.length) throw new Error(`BENCH_RATE × BENCH_SECONDS (${total}) exceeds BENCH_PROFILES (${order.length}): each measured event needs its own shopper`);
  log(`measure: ${fmt(total)} events at ${fmt(cfg.rate)}/s for ${cfg.seconds} s: ${perTick} every ${cfg.tickMs} ms, each to a distinct shopper (its home category's 2nd view → enters ${homeSegmentId(0).replace('000', '<k>')})`);
  tap.resetCounts();
  pg.reset();
  const accepted = new Map<string, number>();
  const sentAt = new Map<string, number>();
  const http: number[] = [];
  const s0 = await profileSample();
  const c0: CpuSnapshot = probe.snapshot();
  toggleProfiler();
  const t0 = Date.now();
  let lateTicks = 0;
  const inflight: Promise<void>[] = [];
  for (let t = 0; t < ticks; t++) {
    const due = t0 + t * cfg.tickMs;
    const wait = due - Date.now();
    if (wait > 0) await sleep(wait);
    else if (wait < -cfg.tickMs) lateTicks++;
    const occurredAt = new Date().toISOString();
    const events: TrackedEvent[] = [];
    for (let i = t * perTick; i < (t + 1) * perTick; i++) events.push(homeView(shoppers[order[i]], `m${runTag}-${i.toString(36)}`, occurredAt, i));
    const start = Date.now();
    inflight.push(
      sendEvents(events).then((at) => {
        http.push(at - start);
        for (const e of events) {
          accepted.set(e.eventId, at);
          sentAt.set(e.eventId, start);
        }
      }),
    );
  }
  await Promise.all(inflight);
  const sendEnd = Date.now();
  const sendMs = sendEnd - t0;
  log(`measure: sent ${fmt(total)} events in ${fmt(sendMs / 1000, 1)} s (${fmt(total / (sendMs / 1000))}/s); waiting for their memberships`);
  await waitFor(
    'the membership of every measured event',
    cfg.drainTimeoutMs,
    async () => {
      let have = 0;
      for (const id of accepted.keys()) if (tap.firstSeen.has(id)) have++;
      if (have >= accepted.size) return true;
      // Nothing new for 10 s after the profile service applied all of them: the rest will not come.
      const s = watch.latest();
      if (s && s.applied - s0.applied >= total && Date.now() - tap.lastAt > 10_000) return true;
      return undefined;
    },
    () => `${fmt([...accepted.keys()].filter((id) => tap.firstSeen.has(id)).length)} of ${fmt(total)} have one`,
  );
  const c1 = probe.snapshot();
  toggleProfiler();
  await sleep(1_500);
  const s1 = await profileSample();

  const latencies: number[] = [];
  const bySecond: number[][] = Array.from({ length: Math.ceil(sendMs / 1000) + 1 }, () => []);
  let withMembership = 0;
  let lastSeen = 0;
  for (const [id, at] of accepted) {
    const seen = tap.firstSeen.get(id);
    const l = seen === undefined ? Infinity : seen - at;
    if (seen !== undefined) {
      withMembership++;
      lastSeen = Math.max(lastSeen, seen);
    }
    latencies.push(l);
    bySecond[Math.floor(((sentAt.get(id) ?? t0) - t0) / 1000)]?.push(l);
  }
  latencies.sort((a, b) => a - b);
  http.sort((a, b) => a - b);
  const applied = s1.applied - s0.applied;
  const spanMs = (lastSeen || Date.now()) - t0;
  const lat = pct(latencies);
  const achievedRate = total / (sendMs / 1000);
  const calls = s1.handlerCalls - s0.handlerCalls;
  return {
    targetRate: cfg.rate,
    seconds: cfg.seconds,
    sent: total,
    sendMs,
    achievedRate,
    requests: ticks,
    lateTicks,
    http202: pct(http),
    withMembership,
    latency: lat,
    p95BySecond: bySecond.filter((xs) => xs.length).map((xs) => percentile(xs.sort((a, b) => a - b), 95)),
    membershipMessages: tap.messages,
    membershipPerSec: tap.messages / (spanMs / 1000),
    profileApplied: applied,
    profilePerSec: Math.min(applied, total) / (spanMs / 1000),
    tailMs: lastSeen - sendEnd,
    duplicates: s1.duplicate - s0.duplicate,
    avgBatch: calls > 0 ? applied / calls : NaN,
    avgHandlerMs: calls > 0 ? ((s1.handlerSeconds - s0.handlerSeconds) / calls) * 1000 : NaN,
    cpu: CpuProbe.between(c0, c1),
    pg: pg.top(8),
    met: lat.p95 < cfg.p95TargetMs && achievedRate >= cfg.rate * 0.95,
  };
}

interface MaxResult {
  events: number;
  acceptMs: number;
  acceptPerSec: number;
  /** From the first send until the profile service applied the last of them. */
  e2eMs: number;
  profilePerSec: number;
  /** Best 5-second window of the applied counter. */
  profilePeakPerSec: number;
  membershipMessages: number;
  duplicates: number;
  avgBatch: number;
  avgHandlerMs: number;
  cpu: Cpu;
  pg: { what: string; avg: number }[];
}

async function maxThroughput(shoppers: readonly Shopper[], order: readonly number[], offset: number, tap: MembershipTap, watch: ProfileWatch, probe: CpuProbe, pg: PgActivity, runTag: string): Promise<MaxResult> {
  const occurredAt = new Date().toISOString();
  const events = Array.from({ length: cfg.maxEvents }, (_, n) => homeView(shoppers[order[(offset + n) % order.length]], `x${runTag}-${n.toString(36)}`, occurredAt, n));
  const batches = chunk(events, cfg.maxBatch);
  log(`max: ${fmt(events.length)} events as fast as the gateway takes them (${batches.length} requests of ${cfg.maxBatch}, ${cfg.loadConcurrency} in flight)`);
  tap.resetCounts();
  pg.reset();
  const s0 = await profileSample();
  const c0 = probe.snapshot();
  toggleProfiler();
  const t0 = Date.now();
  await pool(batches, cfg.loadConcurrency, async (b) => {
    await sendEvents(b);
  });
  const acceptMs = Date.now() - t0;
  log(`max: gateway accepted them in ${fmt(acceptMs / 1000, 1)} s (${fmt(events.length / (acceptMs / 1000))}/s); waiting for the profile service`);
  const done = await waitFor(
    'the profile service to apply the max-throughput events',
    cfg.loadTimeoutMs,
    async () => {
      const s = watch.latest();
      return s && s.at > t0 && s.applied - s0.applied >= events.length ? s : undefined;
    },
    () => `applied ${fmt((watch.latest()?.applied ?? s0.applied) - s0.applied)} of ${fmt(events.length)}`,
  );
  const c1 = probe.snapshot();
  toggleProfiler();
  await sleep(1_500);
  const s1 = await profileSample();
  const e2eMs = done.at - t0;
  const calls = s1.handlerCalls - s0.handlerCalls;
  const applied = s1.applied - s0.applied;
  return {
    events: events.length,
    acceptMs,
    acceptPerSec: events.length / (acceptMs / 1000),
    e2eMs,
    profilePerSec: events.length / (e2eMs / 1000),
    profilePeakPerSec: watch.peakRate(t0, done.at, 5_000),
    membershipMessages: tap.messages,
    duplicates: s1.duplicate - s0.duplicate,
    avgBatch: calls > 0 ? applied / calls : NaN,
    avgHandlerMs: calls > 0 ? ((s1.handlerSeconds - s0.handlerSeconds) / calls) * 1000 : NaN,
    cpu: CpuProbe.between(c0, c1),
    pg: pg.top(8),
  };
}

// ---------------------------------------------------------------------------------------------

async function main(): Promise<void> {
  mkdirSync(cfg.outDir, { recursive: true });
  const runTag = Date.now().toString(36);
  const db = new Client({ connectionString: cfg.dbUrl });
  await db.connect();
  const pgWatch = new Client({ connectionString: cfg.dbUrl });
  await pgWatch.connect();
  const kafka = new Kafka({ clientId: 'bench-segments', brokers: cfg.brokers, logLevel: logLevel.WARN });
  const probe = new CpuProbe(cfg.pids, cfg.db);
  const watch = new ProfileWatch();
  const pg = new PgActivity(pgWatch);
  const tap = new MembershipTap(kafka);
  try {
    watch.start(500);
    const shoppers = generateShoppers(cfg.profiles);
    const order = shopperOrder(cfg.profiles);
    // Sanity: the profile ids the ingest service will stitch these shoppers to.
    log(`store ${cfg.storeId}: ${fmt(cfg.profiles)} shoppers (first profile ${profileIdFor(cfg.storeId, { anonymousId: shoppers[0].anonymousId })}), ${fmt(cfg.segments)} segments`);

    const c0 = probe.snapshot();
    const loaded = await load(db, shoppers, watch, runTag);
    const loadCpu = CpuProbe.between(c0, probe.snapshot());
    log(`load: ${cpuLine(loadCpu)}`);

    await tap.start();
    pg.start(250);
    await sleep(2_000); // let the pipeline settle before the clock starts
    const measured = await measure(shoppers, order, tap, watch, probe, pg, runTag);
    log(`measure: ${cpuLine(measured.cpu)}`);
    let max: MaxResult | undefined;
    if (cfg.maxEvents > 0) {
      await sleep(2_000);
      max = await maxThroughput(shoppers, order, measured.sent, tap, watch, probe, pg, runTag);
      log(`max: ${cpuLine(max.cpu)}`);
    }
    pg.stop();

    const results = { at: new Date().toISOString(), cfg: { ...cfg, writeKey: undefined, secretKey: undefined, dbUrl: undefined }, load: { ...loaded, cpu: loadCpu }, measure: measured, max };
    const file = resolve(cfg.outDir, 'results.json');
    writeFileSync(file, JSON.stringify(results, null, 2));
    report(loaded, measured, max);
    log(`results: ${file}`);
    process.exitCode = measured.met ? 0 : 3;
  } finally {
    watch.stop();
    pg.stop();
    await tap.stop().catch(() => undefined);
    await db.end().catch(() => undefined);
    await pgWatch.end().catch(() => undefined);
    agent.destroy();
  }
}

function report(l: LoadResult, m: MeasureResult, x: MaxResult | undefined): void {
  const ms = (n: number) => (Number.isFinite(n) ? `${fmt(n)} ms` : 'never');
  const rows: [string, string][] = [
    ['profiles / active segments', `${fmt(l.db.profiles)} / ${fmt(l.db.segments)} (${fmt(l.db.memberships)} memberships after the load)`],
    ['load: segments created (gateway)', `${fmt(l.segments.count)} in ${fmt(l.segments.ms / 1000, 1)} s (${fmt(l.segments.perSec)}/s)`],
    ['load: events accepted (gateway)', `${fmt(l.events.count)} in ${fmt(l.events.acceptMs / 1000, 1)} s (${fmt(l.events.acceptPerSec)}/s)`],
    ['load: events applied (profile, end to end)', `${fmt(l.events.count)} in ${fmt(l.events.appliedMs / 1000, 1)} s (${fmt(l.events.appliedPerSec)}/s)`],
    ['measure: target rate', `${fmt(m.targetRate)} events/s for ${m.seconds} s (${fmt(m.requests)} requests of ${fmt(m.sent / m.requests)})`],
    ['measure: events sent / achieved rate', `${fmt(m.sent)} / ${fmt(m.achievedRate)} events/s${m.lateTicks ? ` (${fmt(m.lateTicks)} ticks late)` : ''}`],
    ['measure: gateway 202 p50 / p95 / max', `${ms(m.http202.p50)} / ${ms(m.http202.p95)} / ${ms(m.http202.max)}`],
    ['measure: events with a membership message', `${fmt(m.withMembership)} of ${fmt(m.sent)}`],
    ['**202 → membership p50**', ms(m.latency.p50)],
    ['**202 → membership p95**', `${ms(m.latency.p95)} (target < ${fmt(cfg.p95TargetMs)} ms: ${m.met ? 'met' : 'MISSED'})`],
    ['202 → membership p99 / max', `${ms(m.latency.p99)} / ${ms(m.latency.max)}`],
    ['measure: membership messages', `${fmt(m.membershipMessages)} (${fmt(m.membershipPerSec)}/s)`],
    ['measure: profile service events/s', `${fmt(m.profilePerSec)} (avg batch ${fmt(m.avgBatch, 1)} events, ${fmt(m.avgHandlerMs, 1)} ms per batch)`],
    ['measure: tail after last 202', ms(m.tailMs)],
  ];
  if (x) {
    rows.push(
      ['max: events accepted (gateway)', `${fmt(x.events)} in ${fmt(x.acceptMs / 1000, 1)} s (${fmt(x.acceptPerSec)}/s)`],
      ['**max: profile service events/s**', `${fmt(x.profilePerSec)} sustained (first send → last applied, ${fmt(x.e2eMs / 1000, 1)} s); best 5 s: ${fmt(x.profilePeakPerSec)}`],
      ['max: batch size / time per batch', `${fmt(x.avgBatch, 1)} events / ${fmt(x.avgHandlerMs, 1)} ms`],
      ['max: membership messages', fmt(x.membershipMessages)],
    );
  }
  console.log('\n## bench/segments results\n');
  console.log('| | |');
  console.log('| --- | --- |');
  for (const [k, v] of rows) console.log(`| ${k} | ${v} |`);
  console.log(`\np95 per second of the measure phase (ms): ${m.p95BySecond.map((v) => (Number.isFinite(v) ? Math.round(v) : '∞')).join(' ')}`);
  console.log(`\nCPU (cores), measure: ${cpuLine(m.cpu)}`);
  if (x) console.log(`CPU (cores), max:     ${cpuLine(x.cpu)}`);
  if (m.duplicates || x?.duplicates) console.log(`\nNote: the profile service dropped ${fmt(m.duplicates + (x?.duplicates ?? 0))} duplicate events: another ingest on the shared Kafka enriched the bench's events too.`);
  const show = (title: string, xs: { what: string; avg: number }[]) => {
    console.log(`\n${title} (avg connections per sample):`);
    for (const r of xs) console.log(`  ${fmt(r.avg, 2).padStart(5)}  ${r.what}`);
  };
  show('Postgres activity of the bench database, measure phase', m.pg);
  if (x) show('Postgres activity of the bench database, max phase', x.pg);
}

main().catch((e: unknown) => {
  console.error(`bench/segments failed: ${e instanceof Error ? (e.stack ?? e.message) : String(e)}`);
  process.exit(1);
});
