/**
 * Recommendation serving benchmark: p50 / p99 latency and throughput of `home`, `also_viewed` and
 * `bought_together` with 50,000 products and 1,000,000 events loaded, at 200 requests/s. Entry
 * point: bench/recs-serve/run.sh, which starts gateway, ingest and recommender and passes their
 * URLs, pids, groups and keys; see bench/recs-serve/README.md.
 *
 *  1. load      the catalog (POST /v1/catalog/products, secret key), then the events (POST
 *               /v1/events, write key), timed; waits until ingest and the recommender consumed
 *               everything (consumer-group lag 0); runs the model job once, timed.
 *  2. measure   open loop at BENCH_RATE requests/s for BENCH_SECONDS after a warm-up, equal thirds
 *               of the three placements, first through the gateway, then directly against the
 *               recommender. Latency from each request's scheduled send time to the end of its
 *               answer. Target: gateway p99 < BENCH_P99_TARGET_MS (25).
 *  3. max       closed loop, BENCH_MAX_CONCURRENCY clients straight at the recommender for
 *               BENCH_MAX_SECONDS: requests/s.
 *
 * BENCH_NO_RECOMMENDER=1 (run.sh does not start it): only the load, through gateway and ingest.
 * Exit status: 0 target met, 3 target missed, anything else: the benchmark could not run.
 */
import { intEnv, requiredEnv } from '../common';
import { TOPICS, type ProductInput, type TrackedEvent } from '@signal/contracts';
import { spawn } from 'node:child_process';
import { createWriteStream, mkdirSync, readFileSync, writeFileSync } from 'node:fs';
import { Agent, request } from 'node:http';
import { resolve } from 'node:path';
import { Kafka, logLevel, type Admin } from 'kafkajs';
import { Client } from 'pg';
import { CpuProbe, metricSum, scrape } from '../ingest/probes';
import { burstiness, lagOf, pausesBetween, runClosedLoop, runOpenLoop, summarize, summarizeBy, type LatencySummary, type Outcome, type Pauses, type Timed } from './stats';
import { EventStream, generateCatalog, generateRequests, generateShoppers, type Catalog, type RecRequest, type Shopper } from './workload';

// ---------------------------------------------------------------------------------------------
// Settings (env)

const int = intEnv;
const need = (name: string) => requiredEnv(name, 'bench/recs-serve/run.sh');
const noRecommender = process.env.BENCH_NO_RECOMMENDER === '1';

const cfg = {
  products: int('BENCH_PRODUCTS', 50_000),
  events: int('BENCH_EVENTS', 1_000_000),
  shoppers: Math.max(1, int('BENCH_SHOPPERS', 50_000)),
  eventDays: Math.max(1, int('BENCH_EVENT_DAYS', 25)),
  rate: Math.max(1, int('BENCH_RATE', 200)),
  seconds: Math.max(1, int('BENCH_SECONDS', 60)),
  warmupSeconds: int('BENCH_WARMUP_SECONDS', 10),
  maxSeconds: int('BENCH_MAX_SECONDS', 20),
  maxConcurrency: Math.max(1, int('BENCH_MAX_CONCURRENCY', 8)),
  p99TargetMs: int('BENCH_P99_TARGET_MS', 25),
  freshShoppers: int('BENCH_FRESH_SHOPPERS', 100),
  freshTimeoutMs: int('BENCH_FRESH_TIMEOUT_MS', 10_000),
  newVisitorPct: int('BENCH_NEW_VISITOR_PCT', 20),
  limit: Math.max(1, int('BENCH_LIMIT', 10)),
  loadBatch: Math.max(1, int('BENCH_LOAD_BATCH', 500)),
  loadConcurrency: Math.max(1, int('BENCH_LOAD_CONCURRENCY', 4)),
  catalogBatch: Math.max(1, int('BENCH_CATALOG_BATCH', 500)),
  drainTimeoutMs: int('BENCH_DRAIN_TIMEOUT_S', 1800) * 1000,
  modelTimeoutMs: int('BENCH_MODEL_TIMEOUT_S', 1800) * 1000,
  modelSettleMs: int('BENCH_MODEL_SETTLE_S', 5) * 1000,
  databaseUrl: process.env.BENCH_DATABASE_URL ?? '',
  vacuum: process.env.BENCH_VACUUM !== '0',
  requestTimeoutMs: int('BENCH_REQUEST_TIMEOUT_MS', 10_000),
  seed: int('BENCH_SEED', 1),
  noRecommender,
  brokers: (process.env.KAFKA_BROKERS || '127.0.0.1:9092').split(','),
  gatewayUrl: need('BENCH_GATEWAY_URL'),
  recommenderUrl: noRecommender ? '' : need('BENCH_RECOMMENDER_URL'),
  modelCmd: noRecommender ? '' : need('BENCH_MODEL_CMD'),
  storeId: need('BENCH_STORE'),
  writeKey: need('BENCH_WRITE_KEY'),
  secretKey: need('BENCH_SECRET_KEY'),
  ingestUrl: need('BENCH_INGEST_URL'),
  ingestGroup: need('BENCH_INGEST_GROUP'),
  recommenderGroup: noRecommender ? '' : need('BENCH_RECOMMENDER_GROUP'),
  db: process.env.BENCH_DB || 'signal_bench_recs_serve',
  pids: Object.fromEntries(
    (process.env.BENCH_PIDS ?? '')
      .split(',')
      .filter(Boolean)
      .map((s) => {
        const [name, pid] = s.split('=');
        return [name, Number(pid)];
      }),
  ) as Record<string, number>,
  outDir: resolve(process.env.BENCH_OUT_DIR || '.cache/bench/recs-serve'),
};

const log = (s: string) => console.log(`[${new Date().toISOString().slice(11, 23)}] ${s}`);
const sleep = (ms: number) => new Promise((r) => setTimeout(r, ms));
const fmt = (n: number, digits = 0) => (Number.isFinite(n) ? n.toLocaleString('en-US', { maximumFractionDigits: digits, minimumFractionDigits: digits }) : n === Infinity ? '∞' : 'n/a');
const errMsg = (e: unknown) => (e instanceof Error ? e.message : String(e));
const secs = (ms: number) => `${fmt(ms / 1000, 1)} s`;

// ---------------------------------------------------------------------------------------------
// HTTP (node:http with a keep-alive agent: the cheapest client on a machine the services share)

const agent = new Agent({ keepAlive: true, maxSockets: 256, maxFreeSockets: 256 });

function call(base: string, method: 'GET' | 'POST', path: string, headers: Record<string, string>, body?: Buffer, timeoutMs = 30_000): Promise<{ status: number; text: string }> {
  return new Promise((ok, fail) => {
    const h: Record<string, string | number> = { ...headers };
    if (body) {
      h['content-type'] = 'application/json';
      h['content-length'] = body.length;
    }
    const req = request(new URL(path, base), { method, agent, headers: h, timeout: timeoutMs }, (res) => {
      const parts: Buffer[] = [];
      res.on('data', (d: Buffer) => parts.push(d));
      res.on('end', () => ok({ status: res.statusCode ?? 0, text: Buffer.concat(parts).toString('utf8') }));
      res.on('error', fail);
    });
    req.on('timeout', () => req.destroy(new Error('request timed out')));
    req.on('error', fail);
    req.end(body);
  });
}

/** POST with retries (ids make repeats harmless); `accepted` statuses end it, a 4xx other than 429 fails at once. */
async function postWithRetry(path: string, headers: Record<string, string>, payload: unknown, accepted: number[]): Promise<void> {
  const body = Buffer.from(JSON.stringify(payload));
  for (let attempt = 1; ; attempt++) {
    let problem: string;
    try {
      const res = await call(cfg.gatewayUrl, 'POST', path, headers, body);
      if (accepted.includes(res.status)) return;
      problem = `HTTP ${res.status} ${res.text.slice(0, 300)}`;
      if (res.status >= 400 && res.status < 500 && res.status !== 429) throw new Error(`POST ${path} rejected: ${problem}`);
    } catch (e) {
      if (e instanceof Error && e.message.startsWith(`POST ${path} rejected`)) throw e;
      problem = errMsg(e);
    }
    if (attempt >= 5) throw new Error(`POST ${path} kept failing: ${problem}`);
    await sleep(250 * attempt);
  }
}

/** One recommendation request; never throws. */
async function recommend(base: string, path: string, headers: Record<string, string>): Promise<Outcome> {
  try {
    const res = await call(base, 'GET', path, headers, undefined, cfg.requestTimeoutMs);
    if (res.status !== 200) return { status: res.status, items: 0, fallback: false, personalized: false };
    const a = JSON.parse(res.text) as { items?: unknown[]; fallback?: string; personalized?: boolean };
    return { status: 200, items: Array.isArray(a.items) ? a.items.length : 0, fallback: !!a.fallback, personalized: a.personalized === true };
  } catch {
    return { status: 0, items: 0, fallback: false, personalized: false };
  }
}

interface Target {
  name: 'gateway' | 'recommender';
  base: string;
  path: (r: RecRequest) => string;
  headers: Record<string, string>;
}

const viaGateway = (): Target => ({ name: 'gateway', base: cfg.gatewayUrl, path: (r) => `/v1/recommendations?${r.query}`, headers: { 'x-api-key': cfg.writeKey } });
const direct = (): Target => ({
  name: 'recommender',
  base: cfg.recommenderUrl,
  path: (r) => `/v1/stores/${encodeURIComponent(cfg.storeId)}/recommendations?${r.query}`,
  headers: {},
});

async function pool<T>(items: readonly T[], concurrency: number, work: (item: T) => Promise<void>): Promise<void> {
  let next = 0;
  const worker = async () => {
    while (next < items.length) await work(items[next++]);
  };
  await Promise.all(Array.from({ length: Math.min(concurrency, items.length) }, worker));
}

// ---------------------------------------------------------------------------------------------
// Probes: consumer-group lag, process memory, the recommender's status

async function groupLag(admin: Admin, group: string, topics: readonly string[]): Promise<number> {
  const committed = await admin.fetchOffsets({ groupId: group, topics: [...topics] });
  let sum = 0;
  for (const topic of topics) {
    const ends = await admin.fetchTopicOffsets(topic);
    sum += lagOf(ends, committed.find((t) => t.topic === topic)?.partitions ?? []);
  }
  return sum;
}

/** VmRSS and VmHWM (peak) of a process, in MB. */
function memoryOf(pid: number | undefined): { rssMb: number; peakMb: number } | undefined {
  if (!pid) return undefined;
  try {
    const status = readFileSync(`/proc/${pid}/status`, 'utf8');
    const kb = (field: string) => Number(new RegExp(`^${field}:\\s+(\\d+) kB`, 'm').exec(status)?.[1] ?? NaN);
    return { rssMb: kb('VmRSS') / 1024, peakMb: kb('VmHWM') / 1024 };
  } catch {
    return undefined;
  }
}

/** ingest_events_total by outcome (all stores: the shared Kafka may carry other runs' events too). */
async function ingestOutcomes(): Promise<Record<string, number>> {
  const text = await scrape(cfg.ingestUrl);
  return Object.fromEntries(['enriched', 'duplicate', 'invalid'].map((outcome) => [outcome, metricSum(text, 'ingest_events_total', { outcome })]));
}

const memories = () => Object.fromEntries(Object.entries(cfg.pids).map(([name, pid]) => [name, memoryOf(pid)]));

async function recommenderStatus(): Promise<unknown> {
  if (cfg.noRecommender) return undefined;
  try {
    const res = await call(cfg.recommenderUrl, 'GET', `/v1/stores/${encodeURIComponent(cfg.storeId)}/recommendations/status`, {}, undefined, 10_000);
    if (res.status !== 200) return { status: res.status, body: res.text.slice(0, 500) };
    return JSON.parse(res.text) as unknown;
  } catch (e) {
    return { error: errMsg(e) };
  }
}

type Cpu = ReturnType<typeof CpuProbe.between>;
const cpuLine = (c: Cpu) =>
  `machine ${fmt(c.machineBusy * 100)}% busy; cores used: ${Object.entries(c.cores)
    .map(([k, v]) => `${k} ${fmt(v, 2)}`)
    .join(', ')}`;

// ---------------------------------------------------------------------------------------------
// 1. Load

interface LoadResult {
  generateMs: number;
  catalog: { products: number; ms: number; perSec: number; recommenderCaughtUpMs?: number };
  events: {
    count: number;
    byType: Record<string, number>;
    sessions: number;
    orders: number;
    activeShoppers: number;
    identifiedShoppers: number;
    acceptMs: number;
    acceptPerSec: number;
    /** From the first event sent until ingest's lag on events.raw.v1 was 0. */
    ingestMs: number;
    ingestPerSec: number;
    /** From the first event sent until the recommender's lag on events.enriched.v1 and catalog.products.v1 was 0. */
    recommenderMs?: number;
    recommenderPerSec?: number;
    /** ingest_events_total during the load, by outcome (counts other stores' events on the shared Kafka too). */
    ingestOutcomes: Record<string, number>;
  };
  cpu: Cpu;
  memoryAfter: Record<string, unknown>;
  statusAfter?: unknown;
}

async function waitForLag(admin: Admin, what: string, group: string, topics: readonly string[], timeoutMs: number): Promise<number> {
  const until = Date.now() + timeoutMs;
  let lastLog = Date.now();
  for (;;) {
    const lag = await groupLag(admin, group, topics);
    if (lag === 0) return Date.now();
    if (Date.now() > until) throw new Error(`timed out after ${timeoutMs / 1000} s waiting for ${what} (lag ${lag})`);
    if (Date.now() - lastLog >= 10_000) {
      log(`  waiting for ${what}: lag ${fmt(lag)} on ${topics.join(', ')}`);
      lastLog = Date.now();
    }
    await sleep(500);
  }
}

async function publishCatalog(products: readonly ProductInput[]): Promise<{ t0: number; ms: number }> {
  const batches: ProductInput[][] = [];
  for (let i = 0; i < products.length; i += cfg.catalogBatch) batches.push(products.slice(i, i + cfg.catalogBatch));
  const t0 = Date.now();
  await pool(batches, 2, (b) => postWithRetry('/v1/catalog/products', { authorization: `Bearer ${cfg.secretKey}` }, { products: b }, [202]));
  return { t0, ms: Date.now() - t0 };
}

async function load(admin: Admin, probe: CpuProbe, now: number): Promise<{ result: LoadResult; catalog: Catalog; shoppers: Shopper[]; seen: Uint8Array }> {
  const g0 = Date.now();
  const catalog = generateCatalog(cfg.products, now, cfg.seed * 100 + 11);
  const { shoppers, activityCum } = generateShoppers(cfg.shoppers, catalog, cfg.seed * 100 + 12);
  const generateMs = Date.now() - g0;
  const variants = catalog.products.filter((p) => p.variantGroupId).length;
  const outOfStock = catalog.products.filter((p) => !p.inStock).length;
  const recent = catalog.products.filter((p) => Date.parse(p.createdAt ?? '') > now - 30 * 86_400_000).length;
  log(
    `load: catalog of ${fmt(catalog.products.length)} products (${fmt(variants)} in variant groups, ${fmt(outOfStock)} out of stock, ${fmt(recent)} created in the last 30 days) ` +
      `and ${fmt(shoppers.length)} shoppers generated in ${secs(generateMs)}`,
  );
  const c0 = probe.snapshot();

  log(`load: publishing the catalog (POST /v1/catalog/products, ${cfg.catalogBatch} per request, 2 in flight)`);
  const { t0: catalogT0, ms: catalogMs } = await publishCatalog(catalog.products);
  log(`load: catalog accepted in ${secs(catalogMs)} (${fmt(catalog.products.length / (catalogMs / 1000))} products/s)`);
  let recommenderCaughtUpMs: number | undefined;
  if (!cfg.noRecommender) {
    const at = await waitForLag(admin, 'the recommender to read the catalog', cfg.recommenderGroup, [TOPICS.CatalogProducts], cfg.drainTimeoutMs);
    recommenderCaughtUpMs = at - catalogT0;
    log(`load: the recommender read the catalog (${secs(recommenderCaughtUpMs)} after the first product was sent)`);
  }

  const stream = new EventStream(catalog, shoppers, activityCum, cfg.events, now, cfg.eventDays, `e${cfg.seed}`, cfg.seed * 100 + 13);
  log(`load: ${fmt(cfg.events)} events over the last ${cfg.eventDays} days (POST /v1/events, ${cfg.loadBatch} per request, ${cfg.loadConcurrency} in flight)`);
  const outcomes0 = await ingestOutcomes();
  const t0 = Date.now();
  let accepted = 0;
  let lastLog = t0;
  let lastAccepted = 0;
  const worker = async () => {
    for (;;) {
      const batch: TrackedEvent[] = stream.next(cfg.loadBatch);
      if (batch.length === 0) return;
      await postWithRetry('/v1/events', { 'x-api-key': cfg.writeKey }, { events: batch }, [202]);
      accepted += batch.length;
      if (Date.now() - lastLog >= 10_000) {
        const rate = (accepted - lastAccepted) / ((Date.now() - lastLog) / 1000);
        lastLog = Date.now();
        lastAccepted = accepted;
        log(`  accepted ${fmt(accepted)} / ${fmt(cfg.events)} (${fmt(rate)}/s over the last 10 s)`);
      }
    }
  };
  await Promise.all(Array.from({ length: cfg.loadConcurrency }, worker));
  const acceptMs = Date.now() - t0;
  log(`load: gateway accepted ${fmt(accepted)} events in ${secs(acceptMs)} (${fmt(accepted / (acceptMs / 1000))}/s); waiting for ingest (lag of ${cfg.ingestGroup})`);
  const ingestAt = await waitForLag(admin, 'ingest', cfg.ingestGroup, [TOPICS.EventsRaw], cfg.drainTimeoutMs);
  const ingestMs = ingestAt - t0;
  const outcomes1 = await ingestOutcomes();
  const ingestCounts = Object.fromEntries(Object.entries(outcomes1).map(([k, v]) => [k, v - (outcomes0[k] ?? 0)]));
  log(
    `load: ingest consumed them ${secs(ingestMs)} after the first send (${fmt(accepted / (ingestMs / 1000))} events/s end to end); ` +
      `ingest outcomes meanwhile: ${Object.entries(ingestCounts).map(([k, v]) => `${k} ${fmt(v)}`).join(', ')}`,
  );
  if ((ingestCounts.enriched ?? 0) < accepted) log(`load: WARNING: ingest enriched fewer events than were accepted (see ${cfg.outDir}/ingest.log and events.dlq.v1)`);
  let recommenderMs: number | undefined;
  if (!cfg.noRecommender) {
    const at = await waitForLag(admin, 'the recommender', cfg.recommenderGroup, [TOPICS.EventsEnriched, TOPICS.CatalogProducts], cfg.drainTimeoutMs);
    recommenderMs = at - t0;
    log(`load: the recommender consumed them ${secs(recommenderMs)} after the first send (${fmt(accepted / (recommenderMs / 1000))} events/s end to end)`);
  }
  const cpu = CpuProbe.between(c0, probe.snapshot());
  log(`load: ${cpuLine(cpu)}`);
  const s = stream.stats;
  log(
    `load: ${fmt(s.sessions)} sessions, ${fmt(s.orders)} orders, ${fmt(s.activeShoppers)} shoppers with events (${fmt(s.identifiedShoppers)} identified); ` +
      Object.entries(s.byType)
        .map(([k, v]) => `${k} ${fmt(v)}`)
        .join(', '),
  );
  const result: LoadResult = {
    generateMs,
    catalog: { products: catalog.products.length, ms: catalogMs, perSec: catalog.products.length / (catalogMs / 1000), recommenderCaughtUpMs },
    events: {
      count: accepted,
      byType: s.byType,
      sessions: s.sessions,
      orders: s.orders,
      activeShoppers: s.activeShoppers,
      identifiedShoppers: s.identifiedShoppers,
      acceptMs,
      acceptPerSec: accepted / (acceptMs / 1000),
      ingestMs,
      ingestPerSec: accepted / (ingestMs / 1000),
      recommenderMs,
      recommenderPerSec: recommenderMs === undefined ? undefined : accepted / (recommenderMs / 1000),
      ingestOutcomes: ingestCounts,
    },
    cpu,
    memoryAfter: memories(),
    statusAfter: await recommenderStatus(),
  };
  if (result.statusAfter !== undefined) log(`load: recommender status: ${JSON.stringify(result.statusAfter).slice(0, 400)}`);
  return { result, catalog, shoppers, seen: stream.seen };
}

// ---------------------------------------------------------------------------------------------
// The model job

interface ModelResult {
  ms: number;
  exitCode: number;
  /** The job's own peak RSS (VmHWM, sampled every 250 ms). */
  jobPeakMb?: number;
  recommenderBefore?: { rssMb: number; peakMb: number };
  recommenderAfter?: { rssMb: number; peakMb: number };
  statusAfter?: unknown;
  /** The job's last JSON line on stdout (its build stats), if any. */
  jobReport?: unknown;
  log: string;
}

async function buildModels(): Promise<ModelResult> {
  const file = resolve(cfg.outDir, 'build-models.log');
  const out = createWriteStream(file);
  const before = memoryOf(cfg.pids.recommender);
  log(`model: ${cfg.modelCmd} --store ${cfg.storeId} (log ${file})`);
  const t0 = Date.now();
  const child = spawn('bash', [cfg.modelCmd, '--store', cfg.storeId], { stdio: ['ignore', 'pipe', 'pipe'] });
  child.stdout.pipe(out, { end: false });
  let tail = '';
  child.stdout.on('data', (d: Buffer) => (tail = (tail + d.toString('utf8')).slice(-20_000)));
  child.stderr.pipe(out, { end: false });
  let jobPeakMb: number | undefined;
  let lastLog = t0;
  const sampler = setInterval(() => {
    // bash execs node, so the child's pid is the job's.
    const m = memoryOf(child.pid);
    if (m && Number.isFinite(m.peakMb)) jobPeakMb = Math.max(jobPeakMb ?? 0, m.peakMb);
    if (Date.now() - lastLog >= 10_000) {
      lastLog = Date.now();
      log(`  model job running for ${secs(Date.now() - t0)}${m ? `, RSS ${fmt(m.rssMb)} MB` : ''}`);
    }
  }, 250);
  const timer = setTimeout(() => child.kill('SIGTERM'), cfg.modelTimeoutMs);
  const exitCode = await new Promise<number>((ok) => child.on('close', (code, signal) => ok(code ?? (signal ? 128 : 1))));
  clearInterval(sampler);
  clearTimeout(timer);
  out.end();
  const ms = Date.now() - t0;
  log(`model: exit ${exitCode} after ${secs(ms)}${jobPeakMb ? ` (job peak RSS ${fmt(jobPeakMb)} MB)` : ''}`);
  if (exitCode !== 0) throw new Error(`the model job failed (exit ${exitCode}); see ${file}`);
  if (cfg.modelSettleMs > 0) await sleep(cfg.modelSettleMs); // the service picks the new models up
  let jobReport: unknown;
  for (const line of tail.split('\n').reverse()) {
    try {
      const v = JSON.parse(line) as unknown;
      if (v && typeof v === 'object') {
        jobReport = v;
        break;
      }
    } catch {
      // not JSON
    }
  }
  if (jobReport !== undefined) log(`model: job reported ${JSON.stringify(jobReport).slice(0, 400)}`);
  const statusAfter = await recommenderStatus();
  log(`model: recommender status: ${JSON.stringify(statusAfter).slice(0, 400)}`);
  return { ms, exitCode, jobPeakMb, recommenderBefore: before, recommenderAfter: memoryOf(cfg.pids.recommender), statusAfter, jobReport, log: file };
}

// ---------------------------------------------------------------------------------------------
// 2. Measure (open loop) and 3. max throughput (closed loop)

interface PhaseResult {
  target: 'gateway' | 'recommender';
  rate: number;
  seconds: number;
  overall: LatencySummary;
  groups: Record<string, LatencySummary>;
  cpu: Cpu;
  /** GC and event-loop pauses of the two services during the phase. */
  pauses: Record<string, Pauses>;
  /** Answers slower than the target, and the share of them in the phase's 5 worst seconds. */
  bursts: ReturnType<typeof burstiness>;
}

/** /metrics of the gateway and the recommender (each scrape also resets prom-client's loop-delay max). */
async function scrapeServices(): Promise<Record<string, string>> {
  const [gateway, recommender] = await Promise.all([scrape(cfg.gatewayUrl), scrape(cfg.recommenderUrl)]);
  return { gateway, recommender };
}

const pauseLine = (p: Record<string, Pauses>) =>
  Object.entries(p)
    .map(([name, x]) => `${name} GC ${Object.entries(x.gcMs).map(([k, ms]) => `${k} ${fmt(ms)} ms`).join(', ') || 'none'}, ${x.gcOver10ms} GC pauses ≥ 10 ms, loop delay max ${fmt(x.loopMaxMs, 1)} ms`)
    .join('; ');

const groupKeys = (requests: readonly RecRequest[]) => (r: Timed<Outcome>) => {
  const q = requests[r.index];
  return q.placement === 'home' ? ['home', `home (${q.variant === 'new' ? 'new visitor' : 'known shopper'})`] : [q.placement];
};

async function openLoop(target: Target, requests: readonly RecRequest[]): Promise<{ results: Timed<Outcome>[] }> {
  return runOpenLoop({ rate: cfg.rate, count: requests.length, send: (i) => recommend(target.base, target.path(requests[i]), target.headers) });
}

async function measure(target: Target, ctx: { catalog: Catalog; shoppers: readonly Shopper[]; seen: Uint8Array }, seed: number, probe: CpuProbe): Promise<PhaseResult> {
  const opts = { newVisitorShare: cfg.newVisitorPct / 100, limit: cfg.limit };
  if (cfg.warmupSeconds > 0) {
    const warm = generateRequests(cfg.rate * cfg.warmupSeconds, ctx.catalog, ctx.shoppers, ctx.seen, { ...opts, seed: seed + 50, tag: `w${seed}` });
    log(`measure (${target.name}): warm-up, ${fmt(warm.length)} requests at ${cfg.rate}/s`);
    const w = summarize((await openLoop(target, warm)).results);
    log(`  warm-up: p50 ${fmt(w.p50, 1)} ms, p99 ${fmt(w.p99, 1)} ms, non-200 ${w.non200}`);
  }
  const requests = generateRequests(cfg.rate * cfg.seconds, ctx.catalog, ctx.shoppers, ctx.seen, { ...opts, seed, tag: `m${seed}` });
  log(`measure (${target.name}): ${fmt(requests.length)} requests at ${cfg.rate}/s for ${cfg.seconds} s (open loop; home / also_viewed / bought_together in equal thirds)`);
  const m0 = await scrapeServices();
  const c0 = probe.snapshot();
  const { results } = await openLoop(target, requests);
  const cpu = CpuProbe.between(c0, probe.snapshot());
  const m1 = await scrapeServices();
  const pauses = Object.fromEntries(Object.keys(m0).map((k) => [k, pausesBetween(m0[k], m1[k], metricSum)]));
  const bursts = burstiness(results, cfg.p99TargetMs);
  const { overall, groups } = summarizeBy(results, groupKeys(requests));
  log(`measure (${target.name}): p50 ${fmt(overall.p50, 1)} ms, p90 ${fmt(overall.p90, 1)} ms, p99 ${fmt(overall.p99, 1)} ms, max ${fmt(overall.max, 1)} ms, ${fmt(overall.throughput, 1)} answers/s, non-200 ${overall.non200}`);
  log(`measure (${target.name}): ${cpuLine(cpu)}`);
  log(`measure (${target.name}): ${pauseLine(pauses)}`);
  log(`measure (${target.name}): ${bursts.slow} answers ≥ ${cfg.p99TargetMs} ms in ${bursts.seconds} of ${cfg.seconds} seconds, ${fmt(bursts.inWorst5s * 100)}% of them in the worst 5 seconds`);
  return { target: target.name, rate: cfg.rate, seconds: cfg.seconds, overall, groups, cpu, pauses, bursts };
}

interface MaxResult {
  concurrency: number;
  seconds: number;
  requestsPerSec: number;
  overall: LatencySummary;
  groups: Record<string, LatencySummary>;
  cpu: Cpu;
}

async function maxThroughput(ctx: { catalog: Catalog; shoppers: readonly Shopper[]; seen: Uint8Array }, probe: CpuProbe): Promise<MaxResult> {
  const requests = generateRequests(Math.max(3_000, cfg.rate * cfg.maxSeconds * 5), ctx.catalog, ctx.shoppers, ctx.seen, { newVisitorShare: cfg.newVisitorPct / 100, limit: cfg.limit, seed: cfg.seed * 100 + 30, tag: 'x' });
  const target = direct();
  log(`max: ${cfg.maxConcurrency} clients straight at the recommender for ${cfg.maxSeconds} s (closed loop)`);
  const c0 = probe.snapshot();
  const { start, end, results } = await runClosedLoop({
    concurrency: cfg.maxConcurrency,
    durationMs: cfg.maxSeconds * 1000,
    send: (i) => recommend(target.base, target.path(requests[i % requests.length]), target.headers),
  });
  const cpu = CpuProbe.between(c0, probe.snapshot());
  const { overall, groups } = summarizeBy(results, (r) => groupKeys(requests)({ ...r, index: r.index % requests.length }));
  const requestsPerSec = results.length / ((end - start) / 1000);
  log(`max: ${fmt(requestsPerSec)} requests/s (p50 ${fmt(overall.p50, 1)} ms, p99 ${fmt(overall.p99, 1)} ms, non-200 ${overall.non200}); ${cpuLine(cpu)}`);
  return { concurrency: cfg.maxConcurrency, seconds: cfg.maxSeconds, requestsPerSec, overall, groups, cpu };
}

/**
 * A million rows just went in: autovacuum would now spend minutes analyzing and vacuuming them in
 * the background of the first measure phase. Done up front instead (BENCH_VACUUM=0 skips it), so
 * the phases measure serving, not the database catching up with the load.
 */
async function settleDatabase(): Promise<void> {
  if (!cfg.databaseUrl) return;
  const db = new Client({ connectionString: cfg.databaseUrl });
  await db.connect();
  try {
    const t0 = Date.now();
    await db.query('VACUUM (ANALYZE) "recommender"."interactions", "recommender"."item_stats", "recommender"."neighbours", "recommender"."products"');
    log(`database: VACUUM ANALYZE of the recommender's tables took ${secs(Date.now() - t0)}`);
  } finally {
    await db.end();
  }
}

// ---------------------------------------------------------------------------------------------
// Freshness: how soon a purchase reshapes that shopper's home and bought_together

interface FreshnessResult {
  shoppers: number;
  /** ms from the gateway's 202 for the purchase to the first answer without the product (home) / with the new order as context (bought_together). */
  home: { p50: number; p95: number; max: number; timedOut: number };
  boughtTogether: { p50: number; p95: number; max: number; timedOut: number };
  /** The 200 requests/s gateway load running meanwhile. */
  background: PhaseResult;
}

const pctOf = (xs: readonly number[], p: number) => {
  if (xs.length === 0) return NaN;
  const sorted = [...xs].sort((a, b) => a - b);
  return sorted[Math.min(sorted.length - 1, Math.ceil((p / 100) * sorted.length) - 1)];
};

async function shelf(query: string): Promise<{ ids: string[]; reasons: string[] } | null> {
  const res = await call(cfg.gatewayUrl, 'GET', `/v1/recommendations?${query}`, { 'x-api-key': cfg.writeKey }, undefined, cfg.requestTimeoutMs).catch(() => null);
  if (!res || res.status !== 200) return null;
  const a = JSON.parse(res.text) as { items: { productId: string; reason: string }[] };
  return { ids: a.items.map((i) => i.productId), reasons: a.items.map((i) => i.reason) };
}

/**
 * One known shopper at a time: read their home, buy its first product through the gateway, then
 * poll home and bought_together (no context: the shopper's latest order) every 10 ms until home
 * no longer holds the product and bought_together answers for the new order. Runs while the
 * usual 200 requests/s go through the gateway, so the polling competes with real traffic.
 */
async function freshness(ctx: { catalog: Catalog; shoppers: readonly Shopper[]; seen: Uint8Array }, probe: CpuProbe): Promise<FreshnessResult> {
  const homeMs: number[] = [];
  const togetherMs: number[] = [];
  let homeTimedOut = 0;
  let togetherTimedOut = 0;
  const known = ctx.shoppers.filter((_, i) => ctx.seen[i]).slice(0, cfg.freshShoppers * 3);
  const probes = async () => {
    let done = 0;
    for (const [n, s] of known.entries()) {
      if (done >= cfg.freshShoppers) break;
      const who = new URLSearchParams({ anonymousId: s.anonymousId, ...(s.customerId ? { customerId: s.customerId } : {}) }).toString();
      const home = await shelf(`placement=home&${who}`);
      const bought = home?.ids[0];
      if (!bought) continue;
      const title = ctx.catalog.products.find((p) => p.productId === bought)?.title ?? bought;
      const event = {
        eventId: `fresh-${cfg.seed}-${n}`,
        type: 'purchase',
        occurredAt: new Date().toISOString(),
        anonymousId: s.anonymousId,
        ...(s.customerId ? { customerId: s.customerId } : {}),
        properties: { orderId: `fresh-${cfg.seed}-${n}`, value: 10, currency: 'EUR', items: [{ productId: bought, quantity: 1, price: 10 }] },
      };
      await postWithRetry('/v1/events', { 'x-api-key': cfg.writeKey }, { events: [event] }, [202]);
      const t0 = Date.now();
      let homeAt: number | undefined;
      let togetherAt: number | undefined;
      while ((homeAt === undefined || togetherAt === undefined) && Date.now() - t0 < cfg.freshTimeoutMs) {
        const [h, t] = await Promise.all([homeAt === undefined ? shelf(`placement=home&${who}`) : null, togetherAt === undefined ? shelf(`placement=bought_together&${who}`) : null]);
        const now = Date.now();
        if (h && !h.ids.includes(bought)) homeAt ??= now;
        // The new order is the context: its cross-sell names the product just bought.
        if (t && !t.ids.includes(bought) && t.reasons.some((r) => r.endsWith(title))) togetherAt ??= now;
        await sleep(10);
      }
      if (homeAt === undefined) homeTimedOut++;
      else homeMs.push(homeAt - t0);
      if (togetherAt === undefined) togetherTimedOut++;
      else togetherMs.push(togetherAt - t0);
      done++;
    }
    return done;
  };
  log(`freshness: ${cfg.freshShoppers} known shoppers buy their home's first product, one at a time, under ${cfg.rate} requests/s of gateway traffic`);
  const [shoppers, background] = await Promise.all([probes(), measure(viaGateway(), ctx, cfg.seed * 100 + 23, probe)]);
  const sum = (xs: number[], timedOut: number) => ({ p50: pctOf(xs, 50), p95: pctOf([...xs, ...Array<number>(timedOut).fill(Infinity)], 95), max: Math.max(...xs, timedOut ? Infinity : 0), timedOut });
  const result = { shoppers, home: sum(homeMs, homeTimedOut), boughtTogether: sum(togetherMs, togetherTimedOut), background };
  log(`freshness: home changed p50 ${fmt(result.home.p50)} ms, p95 ${fmt(result.home.p95)} ms; bought_together p50 ${fmt(result.boughtTogether.p50)} ms, p95 ${fmt(result.boughtTogether.p95)} ms (${shoppers} shoppers)`);
  return result;
}

// ---------------------------------------------------------------------------------------------
// Report

const ms = (n: number) => (Number.isFinite(n) ? fmt(n, n < 100 ? 1 : 0) : n === Infinity ? '∞' : 'n/a');

function phaseTable(title: string, overall: LatencySummary, groups: Record<string, LatencySummary>): void {
  console.log(`\n### ${title}\n`);
  console.log('| placement | requests | p50 ms | p90 ms | p99 ms | max ms | answers/s | non-200 | fallback | empty | personalized |');
  console.log('| --- | ---: | ---: | ---: | ---: | ---: | ---: | ---: | ---: | ---: | ---: |');
  const order = ['home', 'home (known shopper)', 'home (new visitor)', 'also_viewed', 'bought_together'];
  const row = (name: string, s: LatencySummary) =>
    console.log(
      `| ${name} | ${fmt(s.requests)} | ${ms(s.p50)} | ${ms(s.p90)} | ${ms(s.p99)} | ${ms(s.max)} | ${fmt(s.throughput, 1)} | ${fmt(s.non200)} | ${fmt(s.fallback)} | ${fmt(s.empty)} | ${fmt(s.personalized)} |`,
    );
  for (const k of [...order.filter((k) => groups[k]), ...Object.keys(groups).filter((k) => !order.includes(k))]) row(k, groups[k]);
  row('**all**', overall);
  const statuses = Object.entries(overall.statuses).filter(([s]) => s !== '200');
  if (statuses.length) console.log(`\nNon-200 statuses: ${statuses.map(([s, n]) => `${s === '0' ? 'no answer' : s} × ${n}`).join(', ')}`);
  console.log(`\nClient send lag p99: ${ms(overall.sendLagP99)} ms (how late the load generator sent; counted in the latencies).`);
}

function report(l: LoadResult, m: ModelResult | undefined, gw: PhaseResult | undefined, dr: PhaseResult | undefined, x: MaxResult | undefined, f: FreshnessResult | undefined, met: boolean | undefined): void {
  const mem = (v: unknown) => {
    const x = v as { rssMb: number; peakMb: number } | undefined;
    return x ? `${fmt(x.rssMb)} MB (peak ${fmt(x.peakMb)} MB)` : 'n/a';
  };
  const rows: [string, string][] = [
    ['catalog', `${fmt(l.catalog.products)} products accepted in ${secs(l.catalog.ms)} (${fmt(l.catalog.perSec)}/s)`],
    ['events', `${fmt(l.events.count)} (${Object.entries(l.events.byType).map(([k, v]) => `${k} ${fmt(v)}`).join(', ')}); ${fmt(l.events.sessions)} sessions, ${fmt(l.events.activeShoppers)} shoppers (${fmt(l.events.identifiedShoppers)} identified)`],
    ['load: events accepted (gateway)', `${secs(l.events.acceptMs)} (${fmt(l.events.acceptPerSec)}/s)`],
    [
      'load: consumed by ingest (end to end)',
      `${secs(l.events.ingestMs)} (${fmt(l.events.ingestPerSec)}/s); ingest outcomes: ${Object.entries(l.events.ingestOutcomes)
        .map(([k, v]) => `${k} ${fmt(v)}`)
        .join(', ')}`,
    ],
  ];
  if (l.events.recommenderMs !== undefined) rows.push(['load: consumed by the recommender (end to end)', `${secs(l.events.recommenderMs)} (${fmt(l.events.recommenderPerSec ?? NaN)}/s)`]);
  if (l.memoryAfter.recommender) rows.push(['recommender memory after the load', mem(l.memoryAfter.recommender)]);
  if (m) {
    rows.push(['**model job**', `${secs(m.ms)}${m.jobPeakMb ? `, job peak RSS ${fmt(m.jobPeakMb)} MB` : ''}`]);
    rows.push(['recommender memory after the model job', mem(m.recommenderAfter)]);
  }
  if (gw) {
    rows.push([`**gateway p50 / p99** at ${fmt(gw.rate)}/s`, `${ms(gw.overall.p50)} / ${ms(gw.overall.p99)} ms (target p99 < ${cfg.p99TargetMs} ms: ${met ? 'met' : 'MISSED'})`]);
  }
  if (dr) rows.push([`recommender alone p50 / p99 at ${fmt(dr.rate)}/s`, `${ms(dr.overall.p50)} / ${ms(dr.overall.p99)} ms`]);
  if (x) rows.push([`**max throughput** (recommender alone, ${x.concurrency} clients)`, `${fmt(x.requestsPerSec)} requests/s (p50 ${ms(x.overall.p50)} ms, p99 ${ms(x.overall.p99)} ms, non-200 ${fmt(x.overall.non200)})`]);
  if (f) {
    rows.push([
      `**purchase → home changed** (${f.shoppers} shoppers, p50 / p95 / max)`,
      `${ms(f.home.p50)} / ${ms(f.home.p95)} / ${ms(f.home.max)} ms${f.home.timedOut ? ` (${f.home.timedOut} never within ${secs(cfg.freshTimeoutMs)})` : ''}`,
    ]);
    rows.push([
      '**purchase → bought_together for the new order** (p50 / p95 / max)',
      `${ms(f.boughtTogether.p50)} / ${ms(f.boughtTogether.p95)} / ${ms(f.boughtTogether.max)} ms${f.boughtTogether.timedOut ? ` (${f.boughtTogether.timedOut} never)` : ''}`,
    ]);
    rows.push([`gateway p50 / p99 meanwhile (${fmt(f.background.rate)}/s)`, `${ms(f.background.overall.p50)} / ${ms(f.background.overall.p99)} ms`]);
  }
  console.log('\n## bench/recs-serve results\n');
  console.log('| | |');
  console.log('| --- | --- |');
  for (const [k, v] of rows) console.log(`| ${k} | ${v} |`);
  if (gw) phaseTable(`Through the gateway (${fmt(gw.rate)} requests/s for ${gw.seconds} s, open loop)`, gw.overall, gw.groups);
  if (dr) phaseTable(`Recommender alone (${fmt(dr.rate)} requests/s for ${dr.seconds} s, open loop)`, dr.overall, dr.groups);
  if (x) phaseTable(`Max throughput (recommender alone, ${x.concurrency} clients, ${x.seconds} s, closed loop)`, x.overall, x.groups);
  console.log(`\nCPU (cores), load:    ${cpuLine(l.cpu)}`);
  if (gw) console.log(`CPU (cores), gateway: ${cpuLine(gw.cpu)}`);
  if (dr) console.log(`CPU (cores), direct:  ${cpuLine(dr.cpu)}`);
  if (x) console.log(`CPU (cores), max:     ${cpuLine(x.cpu)}`);
}

// ---------------------------------------------------------------------------------------------

async function main(): Promise<void> {
  mkdirSync(cfg.outDir, { recursive: true });
  const kafka = new Kafka({ clientId: 'bench-recs-serve', brokers: cfg.brokers, logLevel: logLevel.WARN });
  const admin = kafka.admin();
  await admin.connect();
  const probe = new CpuProbe(cfg.pids, cfg.db);
  try {
    const now = Date.now();
    log(`store ${cfg.storeId}: ${fmt(cfg.products)} products, ${fmt(cfg.events)} events, ${fmt(cfg.shoppers)} shoppers${cfg.noRecommender ? ' (BENCH_NO_RECOMMENDER=1: load only)' : ''}`);
    const { result: loaded, ...ctx } = await load(admin, probe, now);
    let model: ModelResult | undefined;
    let gw: PhaseResult | undefined;
    let dr: PhaseResult | undefined;
    let max: MaxResult | undefined;
    let fresh: FreshnessResult | undefined;
    let met: boolean | undefined;
    if (!cfg.noRecommender) {
      model = await buildModels();
      if (cfg.vacuum) await settleDatabase();
      gw = await measure(viaGateway(), ctx, cfg.seed * 100 + 21, probe);
      await sleep(2_000);
      dr = await measure(direct(), ctx, cfg.seed * 100 + 22, probe);
      if (cfg.maxSeconds > 0) {
        await sleep(2_000);
        max = await maxThroughput(ctx, probe);
      }
      if (cfg.freshShoppers > 0) {
        await sleep(2_000);
        fresh = await freshness(ctx, probe);
      }
      met = gw.overall.p99 < cfg.p99TargetMs;
    }
    const results = {
      at: new Date().toISOString(),
      cfg: { ...cfg, writeKey: undefined, secretKey: undefined },
      load: loaded,
      model,
      gateway: gw,
      direct: dr,
      max,
      freshness: fresh,
      memoryAtEnd: memories(),
      met,
    };
    const file = resolve(cfg.outDir, 'results.json');
    writeFileSync(file, JSON.stringify(results, null, 2));
    report(loaded, model, gw, dr, max, fresh, met);
    log(`results: ${file}`);
    process.exitCode = met === false ? 3 : 0;
  } finally {
    await admin.disconnect().catch(() => undefined);
    agent.destroy();
  }
}

main().catch((e: unknown) => {
  console.error(`bench/recs-serve failed: ${e instanceof Error ? (e.stack ?? e.message) : String(e)}`);
  process.exit(1);
});
