/**
 * Served evaluation (`npm run bench:recs-replay` = bench/recs-eval/replay.sh, which starts ingest,
 * recommender and gateway and then runs `node dist/bench/recs-eval/replay.js`). The same data,
 * split, cases and metrics as the offline harness (run.ts), but the recommendations come from the
 * real services, fed through the real pipeline: what is measured is what is served.
 *
 *  1. load      loadInvoices + temporalSplit + the three task case lists, exactly as run.ts; a
 *               second pass over the CSV (same cleaning) collects what data.ts drops: descriptions,
 *               unit prices and quantities per invoice line.
 *  2. shift     every timestamp moves by `now - cutoff - 1 min` (see `timeShift`).
 *  3. publish   the catalog (every item of train AND test: a store's catalog holds everything it
 *               sells) via POST /v1/catalog/products, then every TRAIN invoice as one `purchase`
 *               via POST /v1/events. Test invoices are never sent.
 *  4. drain     waits until ingest's group has consumed events.raw.v1 and the recommender's group
 *               events.enriched.v1 and catalog.products.v1 (consumer-group lag 0), then runs the
 *               model job `node dist/apps/recommender/src/build-models.js --store <store>`.
 *  5. query     every test case through GET /v1/recommendations (write key, bounded concurrency);
 *               the returned productIds go into the same MetricsAccumulator with the same relevant
 *               sets as run.ts; HTTP latency p50/p99, non-200 answers and fallbacks are recorded.
 *  6. report    markdown table (method `service`, plus the offline baselines on the same cases
 *               for reference) and .cache/bench/recs-eval/replay.json.
 *
 * RECS_REPLAY_NO_RECOMMENDER=1 stops after the ingest drain (a dry run of steps 1-4 without the
 * recommender). Env: the header of replay.sh, and `settings()` below.
 */
import { spawn } from 'node:child_process';
import { createReadStream, createWriteStream, existsSync, mkdirSync, writeFileSync } from 'node:fs';
import { join, resolve } from 'node:path';
import { createInterface } from 'node:readline';
import { createGunzip } from 'node:zlib';
import { RECOMMENDATION_LIMITS, TOPICS, type Placement, type ProductInput, type TrackedEvent } from '@signal/contracts';
import { Kafka, logLevel, type Admin } from 'kafkajs';
import { intEnv as countEnv, positiveIntEnv as intEnv, repoRoot } from '../common';
import { percentile } from '../ingest/probes';
import { ItemKnnRecommender, PopularityRecommender, invoiceCounts } from './baselines';
import { CsvRecordJoiner, parseCsvRecord } from './csv';
import { loadInvoices, normalizeStockCode, parseInvoiceDate } from './data';
import { MetricsAccumulator, type MetricsResult } from './metrics';
import { GatewayClient, recommenderStatus, type RecommendationRequest, type RecommendationResult } from './service-client';
import { temporalSplit } from './split';
import { boughtTogetherCases, homeCases, nextPurchaseCases } from './tasks';
import type { Invoice, Recommender, TaskName, TestCase } from './types';

const MINUTE_MS = 60_000;
const DAY_MS = 86_400_000;

// ---------------------------------------------------------------------------------------------
// Pure parts (unit-tested in __tests__/replay-*.spec.ts)

/**
 * The replay moves the whole data set forward in time by one constant: `now - cutoff - 1 minute`,
 * rounded down to a whole second. The services judge recency against the wall clock (the gateway
 * and ingest reject events older than EVENT_MAX_AGE_DAYS; recency decay, trending windows and
 * re-buy windows are measured from now), so 2011 timestamps replayed as they are would be 14 years
 * old: rejected, or fully decayed. After the shift the last train invoice lies just before now and
 * the queries are asked "at the cutoff", as the offline harness asks them; every interval between
 * two events is unchanged. (The oldest train invoice is then ~343 days old, hence
 * EVENT_MAX_AGE_DAYS=400 for gateway and ingest.)
 */
export function timeShift(cutoff: number, now: number): number {
  return Math.floor((now - cutoff - MINUTE_MS) / 1000) * 1000;
}

export const shiftedIso = (at: number, shift: number): string => new Date(at + shift).toISOString();

/** What data.ts drops and the replay needs: per item its descriptions and line prices; per invoice its lines. */
export interface LineDetails {
  /** item → description → number of lines with it. */
  descriptions: Map<string, Map<string, number>>;
  /** item → unit price of every kept line. */
  prices: Map<string, number[]>;
  /** invoiceNo → item → summed quantity and value (quantity × unit price) over its lines. */
  lines: Map<string, Map<string, { quantity: number; value: number }>>;
}

export function emptyLineDetails(): LineDetails {
  return { descriptions: new Map(), prices: new Map(), lines: new Map() };
}

/**
 * Adds one CSV row (already split into fields, `col` from the header) with exactly the cleaning of
 * loadInvoices (data.ts): cancellations, non-positive quantity/price, non-product codes and rows
 * without invoice number or date are skipped. Returns whether the row was kept.
 */
export function addLine(d: LineDetails, f: readonly string[], col: Readonly<Record<string, number>>): boolean {
  if (f.length < 8) return false;
  const invoiceNo = f[col.InvoiceNo].trim();
  if (invoiceNo.toUpperCase().startsWith('C')) return false;
  const quantity = Number(f[col.Quantity]);
  const price = Number(f[col.UnitPrice]);
  if (!(quantity > 0) || !(price > 0)) return false;
  const code = normalizeStockCode(f[col.StockCode]);
  if (code === null || invoiceNo === '' || parseInvoiceDate(f[col.InvoiceDate]) === null) return false;

  const description = f[col.Description].trim();
  let descriptions = d.descriptions.get(code);
  if (!descriptions) d.descriptions.set(code, (descriptions = new Map()));
  if (description !== '') descriptions.set(description, (descriptions.get(description) ?? 0) + 1);
  let prices = d.prices.get(code);
  if (!prices) d.prices.set(code, (prices = []));
  prices.push(price);
  let lines = d.lines.get(invoiceNo);
  if (!lines) d.lines.set(invoiceNo, (lines = new Map()));
  const line = lines.get(code);
  if (line) {
    line.quantity += quantity;
    line.value += quantity * price;
  } else {
    lines.set(code, { quantity, value: quantity * price });
  }
  return true;
}

/** Streams the CSV once more (gunzip + the RFC-4180 reader of csv.ts) into LineDetails. */
export async function loadLineDetails(path: string): Promise<LineDetails> {
  const d = emptyLineDetails();
  const joiner = new CsvRecordJoiner();
  const lines = createInterface({ input: createReadStream(path).pipe(createGunzip()), crlfDelay: Infinity });
  let col: Record<string, number> | null = null;
  for await (const line of lines) {
    const record = joiner.push(line);
    if (record === null) continue;
    const f = parseCsvRecord(record);
    if (col === null) {
      col = {};
      for (const [i, name] of f.entries()) col[name.trim()] = i;
      continue;
    }
    addLine(d, f, col);
  }
  return d;
}

export function median(values: readonly number[]): number {
  if (values.length === 0) return NaN;
  const s = [...values].sort((a, b) => a - b);
  const m = s.length >> 1;
  return s.length % 2 ? s[m] : (s[m - 1] + s[m]) / 2;
}

/** The most frequent description; ties go to the alphabetically first, so the title is stable. */
export function mostFrequent(counts: ReadonlyMap<string, number> | undefined): string | undefined {
  let best: string | undefined;
  let bestN = 0;
  for (const [value, n] of counts ?? []) if (n > bestN || (n === bestN && best !== undefined && value < best)) [best, bestN] = [value, n];
  return best;
}

const round = (x: number, digits: number): number => Math.round(x * 10 ** digits) / 10 ** digits;

/**
 * The store's catalog: every item of the data (train and test), title = its most frequent
 * description, price = median unit price, GBP, in stock, no categories. createdAt = shifted time of
 * its first sale, but never after the shifted cutoff (just before now): an item first sold in the
 * test window is already listed when the test window starts (and a catalog date in the future
 * would be nonsense).
 */
export function buildCatalog(invoices: readonly Invoice[], d: LineDetails, shift: number, cutoff: number): ProductInput[] {
  const firstAt = new Map<string, number>();
  for (const inv of invoices) for (const item of inv.items) if (!firstAt.has(item)) firstAt.set(item, inv.at);
  const products: ProductInput[] = [];
  for (const [productId, at] of [...firstAt].sort(([a], [b]) => (a < b ? -1 : a > b ? 1 : 0))) {
    const title = (mostFrequent(d.descriptions.get(productId)) ?? productId).slice(0, 512);
    const price = median(d.prices.get(productId) ?? []);
    if (!Number.isFinite(price)) throw new Error(`no price for item ${productId}`);
    products.push({
      productId,
      title,
      categories: [],
      price: round(price, 4),
      currency: 'GBP',
      inStock: true,
      createdAt: shiftedIso(Math.min(at, cutoff - MINUTE_MS), shift),
    });
  }
  return products;
}

export const PURCHASE_LIMITS = {
  /** `purchase.items` maxItems in libs/contracts/src/events.ts. */
  maxItems: 500,
  /** LineItem quantity maximum in the contract. */
  maxQuantity: 10_000,
  /** Serialized event budget: below the gateway's EVENT_MAX_BYTES (32 KiB, which counts the storeId and receivedAt it adds). */
  maxEventBytes: 30_000,
} as const;

export const anonymousIdOf = (inv: Pick<Invoice, 'invoiceNo' | 'customerId'>): string =>
  inv.customerId === null ? `uci-guest-${inv.invoiceNo}` : `uci-c${inv.customerId}`;

/**
 * One train invoice as `purchase` event(s). eventId `uci-<invoiceNo>` (deterministic: a retried
 * batch is deduplicated by ingest), occurredAt shifted, anonymousId `uci-c<CustomerID>` or
 * `uci-guest-<invoiceNo>`, customerId when known. Per item: summed quantity over its lines (capped
 * at the contract's 10,000; two lines in the data exceed it), price = paid value / quantity; value
 * = the invoice total paid.
 *
 * The contract allows 500 items per purchase and the gateway 32 KiB per event; the few invoices
 * beyond that (the largest has 1,106 items) are split into parts `uci-<invoiceNo>`,
 * `uci-<invoiceNo>-2`, ... with orderIds `<invoiceNo>`, `<invoiceNo>-2`, ... (an orderId is
 * unique per store) and the value split along the lines.
 */
export function purchaseEvents(inv: Invoice, lines: ReadonlyMap<string, { quantity: number; value: number }> | undefined, shift: number): TrackedEvent[] {
  const items = inv.items.map((productId) => {
    const line = lines?.get(productId);
    if (!line) throw new Error(`invoice ${inv.invoiceNo}: no line for item ${productId}`);
    return { item: { productId, quantity: Math.min(Math.round(line.quantity), PURCHASE_LIMITS.maxQuantity), price: round(line.value / line.quantity, 4) }, value: line.value };
  });
  const base = {
    type: 'purchase' as const,
    occurredAt: shiftedIso(inv.at, shift),
    anonymousId: anonymousIdOf(inv),
    ...(inv.customerId === null ? {} : { customerId: String(inv.customerId) }),
  };
  const make = (part: number, slice: typeof items): TrackedEvent => {
    const suffix = part === 1 ? '' : `-${part}`;
    return {
      eventId: `uci-${inv.invoiceNo}${suffix}`,
      ...base,
      properties: {
        orderId: `${inv.invoiceNo}${suffix}`,
        value: round(slice.reduce((s, x) => s + x.value, 0), 2),
        currency: 'GBP',
        items: slice.map((x) => x.item),
      },
    };
  };
  const events: TrackedEvent[] = [];
  let start = 0;
  while (start < items.length) {
    // Greedy: as many items as fit the item and byte budgets (at least one).
    let end = Math.min(items.length, start + PURCHASE_LIMITS.maxItems);
    while (end - start > 1 && Buffer.byteLength(JSON.stringify(make(events.length + 1, items.slice(start, end)))) > PURCHASE_LIMITS.maxEventBytes) {
      end = start + Math.max(1, Math.floor((end - start) * 0.9));
    }
    events.push(make(events.length + 1, items.slice(start, end)));
    start = end;
  }
  return events;
}

/** Consecutive batches of at most `maxCount` elements and about `maxBytes` of JSON (one element may exceed it alone). */
export function batches<T>(values: readonly T[], maxCount: number, maxBytes: number): T[][] {
  const out: T[][] = [];
  let current: T[] = [];
  let bytes = 0;
  for (const v of values) {
    const size = Buffer.byteLength(JSON.stringify(v)) + 1;
    if (current.length > 0 && (current.length >= maxCount || bytes + size > maxBytes)) {
      out.push(current);
      current = [];
      bytes = 0;
    }
    current.push(v);
    bytes += size;
  }
  if (current.length) out.push(current);
  return out;
}

/**
 * The request for one test case. bought_together: the case's basket as `cart` (the API takes at
 * most 100 items: the first 100 of the basket, in invoice order, are kept; `truncated` says so)
 * and a fresh anonymousId per case (a visitor nothing is known about, so the answer depends on
 * the basket only). next_purchase / home: the customer's id, as a storefront of a signed-in
 * shopper sends it.
 */
export function caseRequest(c: TestCase, k: number): { request: RecommendationRequest; truncated: boolean } {
  if (c.task === 'bought_together') {
    const cart = c.input.items.slice(0, RECOMMENDATION_LIMITS.maxCart);
    return { request: { placement: 'bought_together', cart, anonymousId: `uci-bt-${c.id}`, limit: k }, truncated: cart.length < c.input.items.length };
  }
  if (c.input.customerId === undefined) throw new Error(`${c.task} case ${c.id} without a customer`);
  return { request: { placement: c.task satisfies Placement, customerId: String(c.input.customerId), limit: k }, truncated: false };
}

export interface LatencySummary {
  n: number;
  p50: number;
  p90: number;
  p99: number;
  max: number;
  mean: number;
}

/** Nearest-rank percentiles (as bench/ingest/probes.ts), in ms rounded to 0.1. */
export function latencySummary(ms: readonly number[]): LatencySummary {
  const s = [...ms].sort((a, b) => a - b);
  const r = (x: number) => (Number.isFinite(x) ? Math.round(x * 10) / 10 : NaN);
  return {
    n: s.length,
    p50: r(percentile(s, 50)),
    p90: r(percentile(s, 90)),
    p99: r(percentile(s, 99)),
    max: r(s.length ? s[s.length - 1] : NaN),
    mean: r(s.length ? s.reduce((a, b) => a + b, 0) / s.length : NaN),
  };
}

/** Runs `fn` over `items` with at most `concurrency` calls in flight; results in input order. */
export async function mapLimit<T, R>(items: readonly T[], concurrency: number, fn: (item: T, index: number) => Promise<R>): Promise<R[]> {
  const out = new Array<R>(items.length);
  let next = 0;
  const worker = async () => {
    while (next < items.length) {
      const i = next++;
      out[i] = await fn(items[i], i);
    }
  };
  await Promise.all(Array.from({ length: Math.max(1, Math.min(concurrency, items.length)) }, worker));
  return out;
}

export interface PartitionEnd {
  partition: number;
  high: string;
  low: string;
}
export interface PartitionCommitted {
  partition: number;
  offset: string;
}

/**
 * Messages of one topic a group has not consumed yet: Σ (end − committed offset). A partition
 * without a committed offset (-1) counts from its low watermark (the services subscribe
 * fromBeginning).
 */
export function topicLag(ends: readonly PartitionEnd[], committed: readonly PartitionCommitted[]): number {
  const at = new Map(committed.map((c) => [c.partition, Number(c.offset)]));
  let lag = 0;
  for (const p of ends) {
    const c = at.get(p.partition) ?? -1;
    lag += Math.max(0, Number(p.high) - (c < 0 ? Number(p.low) : c));
  }
  return lag;
}

// ---------------------------------------------------------------------------------------------
// Settings

function need(name: string): string {
  const v = process.env[name];
  if (!v) throw new Error(`${name} is required (bench/recs-eval/replay.sh sets it)`);
  return v;
}

function settings() {
  const root = repoRoot();
  const noRecommender = process.env.RECS_REPLAY_NO_RECOMMENDER === '1';
  return {
    root,
    dataPath: resolve(root, process.env.RECS_EVAL_DATA ?? '../shared/data/uci-online-retail/online_retail.csv.gz'),
    k: intEnv('RECS_EVAL_K', 10),
    seed: intEnv('RECS_EVAL_SEED', 42),
    testDays: intEnv('RECS_EVAL_TEST_DAYS', 30),
    neighbours: intEnv('RECS_EVAL_NEIGHBOURS', 200),
    baselines: process.env.RECS_REPLAY_BASELINES !== '0',
    noRecommender,
    gatewayUrl: need('RECS_REPLAY_GATEWAY_URL'),
    recommenderUrl: noRecommender ? undefined : need('RECS_REPLAY_RECOMMENDER_URL'),
    storeId: need('RECS_REPLAY_STORE'),
    writeKey: need('RECS_REPLAY_WRITE_KEY'),
    secretKey: need('RECS_REPLAY_SECRET_KEY'),
    brokers: (process.env.KAFKA_BROKERS || '127.0.0.1:9092').split(','),
    ingestGroup: process.env.RECS_REPLAY_INGEST_GROUP || 'ingest',
    recommenderGroup: process.env.RECS_REPLAY_RECOMMENDER_GROUP || 'recommender',
    buildScript: resolve(root, process.env.RECS_REPLAY_BUILD_SCRIPT ?? 'dist/apps/recommender/src/build-models.js'),
    concurrency: intEnv('RECS_REPLAY_CONCURRENCY', 8),
    sendConcurrency: intEnv('RECS_REPLAY_SEND_CONCURRENCY', 4),
    readTimeoutMs: intEnv('RECS_REPLAY_TIMEOUT_MS', 10_000),
    warmup: countEnv('RECS_REPLAY_WARMUP', 50),
    drainTimeoutMs: intEnv('RECS_REPLAY_DRAIN_TIMEOUT_S', 1_800) * 1000,
    buildTimeoutMs: intEnv('RECS_REPLAY_BUILD_TIMEOUT_S', 3_600) * 1000,
    outDir: resolve(root, process.env.RECS_REPLAY_OUT_DIR ?? '.cache/bench/recs-eval'),
  };
}
type Settings = ReturnType<typeof settings>;

// ---------------------------------------------------------------------------------------------
// Steps

const log = (msg: string) => console.log(`[recs-replay] ${msg}`);
const timings: Record<string, number> = {};
async function timed<T>(label: string, fn: () => T | Promise<T>): Promise<T> {
  const t0 = performance.now();
  const out = await fn();
  timings[label] = Math.round(performance.now() - t0);
  log(`${label}: ${timings[label]} ms`);
  return out;
}
const sleep = (ms: number) => new Promise((ok) => setTimeout(ok, ms));
const day = (ms: number): string => new Date(ms).toISOString().slice(0, 16).replace('T', ' ');

async function groupLag(admin: Admin, groupId: string, topics: readonly string[]): Promise<Record<string, number>> {
  const committed = await admin.fetchOffsets({ groupId, topics: [...topics] });
  const out: Record<string, number> = {};
  for (const topic of topics) {
    const ends = await admin.fetchTopicOffsets(topic);
    out[topic] = topicLag(ends, committed.find((t) => t.topic === topic)?.partitions ?? []);
  }
  return out;
}

const sumOf = (r: Record<string, number>) => Object.values(r).reduce((a, b) => a + b, 0);
const fmtLag = (r: Record<string, number>) =>
  Object.entries(r)
    .map(([t, n]) => `${t} ${n}`)
    .join(', ');

/**
 * Polls consumer-group lag until every group has consumed its topics. Ingest's lag is read before
 * the recommender's end offsets, so once both are 0 in one round, everything ingest enriched from
 * our events is already counted in events.enriched.v1's end offsets.
 */
async function waitForDrain(admin: Admin, groups: { group: string; topics: string[] }[], timeoutMs: number): Promise<{ ms: number; rounds: number }> {
  const t0 = performance.now();
  let lastLog = 0;
  for (let round = 1; ; round++) {
    const lags: { group: string; lag: Record<string, number> }[] = [];
    for (const g of groups) lags.push({ group: g.group, lag: await groupLag(admin, g.group, g.topics) });
    const total = lags.reduce((s, l) => s + sumOf(l.lag), 0);
    const elapsed = performance.now() - t0;
    const line = lags.map((l) => `${l.group}: ${fmtLag(l.lag)}`).join('; ');
    if (total === 0) {
      log(`drained after ${(elapsed / 1000).toFixed(1)} s (${line})`);
      return { ms: Math.round(elapsed), rounds: round };
    }
    if (elapsed > timeoutMs) throw new Error(`consumers still lagging after ${Math.round(elapsed / 1000)} s: ${line}`);
    if (elapsed - lastLog >= 5_000) {
      log(`waiting for consumers: ${line}`);
      lastLog = elapsed;
    }
    await sleep(1_000);
  }
}

async function dlqEnd(admin: Admin): Promise<number> {
  return (await admin.fetchTopicOffsets(TOPICS.EventsDeadLetter)).reduce((s, p) => s + Number(p.high), 0);
}

/** The model job, separate from serving: `node build-models.js --store <store>` with the service's env; output to a log. */
function runModelJob(cfg: Settings, logPath: string): Promise<{ ms: number; code: number | null; signal: NodeJS.Signals | null }> {
  if (!existsSync(cfg.buildScript)) throw new Error(`model job not found: ${cfg.buildScript} (build the recommender: npm run build)`);
  const t0 = performance.now();
  const out = createWriteStream(logPath);
  const tail: string[] = [];
  return new Promise((ok, fail) => {
    const child = spawn(process.execPath, [cfg.buildScript, '--store', cfg.storeId], { env: process.env, stdio: ['ignore', 'pipe', 'pipe'] });
    const keep = (chunk: Buffer) => {
      out.write(chunk);
      tail.push(...chunk.toString('utf8').split('\n').filter(Boolean));
      if (tail.length > 40) tail.splice(0, tail.length - 40);
    };
    child.stdout.on('data', keep);
    child.stderr.on('data', keep);
    const timer = setTimeout(() => {
      log(`model job still running after ${cfg.buildTimeoutMs / 1000} s: SIGTERM`);
      child.kill('SIGTERM');
    }, cfg.buildTimeoutMs);
    const progress = setInterval(() => log(`model job running (${Math.round((performance.now() - t0) / 1000)} s; log ${logPath})`), 30_000);
    child.on('error', (e) => {
      clearTimeout(timer);
      clearInterval(progress);
      out.end();
      fail(e);
    });
    child.on('close', (code, signal) => {
      clearTimeout(timer);
      clearInterval(progress);
      out.end();
      if (code !== 0) {
        console.error(tail.join('\n'));
        fail(new Error(`model job failed (exit ${code ?? signal}); log ${logPath}`));
        return;
      }
      ok({ ms: Math.round(performance.now() - t0), code, signal });
    });
  });
}

interface HttpStats {
  requests: number;
  non200: number;
  errors: Record<string, number>;
  fallback: number;
  fallbackReasons: Record<string, number>;
  personalized: number;
  /** Answers with fewer than K items (HTTP 200 only). */
  short: number;
  /** Recommended slots (top K) that the case's product rule forbids: already bought / in the cart. */
  excludedSlots: number;
  /** bought_together cases whose basket was cut to the API's 100-item cart. */
  cartTruncated: number;
  latencyMs: LatencySummary;
}

function httpStats(cases: readonly TestCase[], results: readonly RecommendationResult[], truncated: number, k: number): HttpStats {
  const stats: HttpStats = { requests: results.length, non200: 0, errors: {}, fallback: 0, fallbackReasons: {}, personalized: 0, short: 0, excludedSlots: 0, cartTruncated: truncated, latencyMs: latencySummary(results.map((r) => r.ms)) };
  results.forEach((r, i) => {
    if (r.status !== 200) {
      stats.non200++;
      const key = r.status === 0 ? (r.error ?? 'error').split(':')[0] : `HTTP ${r.status}`;
      stats.errors[key] = (stats.errors[key] ?? 0) + 1;
    }
    const a = r.answer;
    if (!a) return;
    if (a.fallback !== undefined) {
      stats.fallback++;
      stats.fallbackReasons[a.fallback] = (stats.fallbackReasons[a.fallback] ?? 0) + 1;
    }
    if (a.personalized) stats.personalized++;
    if (a.items.length < k) stats.short++;
    for (const item of a.items.slice(0, k)) if (cases[i].exclude.has(item.productId)) stats.excludedSlots++;
  });
  return stats;
}

interface Row {
  task: TaskName;
  method: string;
  ms: number;
  metrics: MetricsResult;
  http?: HttpStats;
}

async function main(): Promise<void> {
  const cfg = settings();
  if (!existsSync(cfg.dataPath)) throw new Error(`data not found: ${cfg.dataPath} (set RECS_EVAL_DATA)`);
  mkdirSync(cfg.outDir, { recursive: true });
  const started = performance.now();

  // 1. load, exactly as run.ts
  const { invoices, stats } = await timed('load', () => loadInvoices(cfg.dataPath));
  const details = await timed('load line details', () => loadLineDetails(cfg.dataPath));
  const split = temporalSplit(invoices, cfg.testDays);
  const { train, test } = split;
  const counts = invoiceCounts(train);
  const catalog = new Set(counts.keys());
  const tasks: Record<TaskName, TestCase[]> = {
    bought_together: boughtTogetherCases(test, cfg.seed),
    next_purchase: nextPurchaseCases(train, test),
    home: homeCases(train, test),
  };

  // 2. shift
  const shift = timeShift(split.cutoff, Date.now());
  const shiftInfo = {
    ms: shift,
    days: round(shift / DAY_MS, 3),
    cutoff: day(split.cutoff),
    shiftedCutoff: shiftedIso(split.cutoff, shift),
    oldestTrainEvent: shiftedIso(train[0].at, shift),
    newestTrainEvent: shiftedIso(train[train.length - 1].at, shift),
  };
  log(`time shift +${shiftInfo.days} days: train ${day(train[0].at)} .. ${day(train[train.length - 1].at)} is replayed as ${shiftInfo.oldestTrainEvent} .. ${shiftInfo.newestTrainEvent}`);

  // 3. publish
  const products = buildCatalog(invoices, details, shift, split.cutoff);
  const events = train.flatMap((inv) => purchaseEvents(inv, details.lines.get(inv.invoiceNo), shift));
  const splitInvoices = events.length - train.length;
  const data = {
    path: cfg.dataPath,
    ...stats,
    invoices: invoices.length,
    trainInvoices: train.length,
    testInvoices: test.length,
    trainCatalog: catalog.size,
    products: products.length,
    purchaseEvents: events.length,
    invoicesSplitIntoParts: splitInvoices,
    testWindow: { from: day(split.cutoff), to: day(split.maxAt) },
    cases: Object.fromEntries(Object.entries(tasks).map(([t, c]) => [t, c.length])),
  };
  log(`data: ${JSON.stringify(data)}`);

  const gateway = new GatewayClient({ baseUrl: cfg.gatewayUrl, writeKey: cfg.writeKey, secretKey: cfg.secretKey, readTimeoutMs: cfg.readTimeoutMs });
  const kafka = new Kafka({ clientId: 'bench-recs-replay', brokers: cfg.brokers, logLevel: logLevel.WARN });
  const admin = kafka.admin();
  await admin.connect();
  const rows: Row[] = [];
  let drain: { ms: number; rounds: number } | undefined;
  let modelJob: { ms: number } | undefined;
  const status: { afterDrain?: unknown; afterBuild?: unknown } = {};
  let deadLettered = 0;
  try {
    const dlqBefore = await dlqEnd(admin);
    const productBatches = batches(products, 500, 900_000);
    await timed('publish catalog', async () => {
      let accepted = 0;
      for (const b of productBatches) accepted += await gateway.publishProducts(b);
      log(`catalog: ${accepted} products accepted in ${productBatches.length} request(s)`);
    });
    const eventBatches = batches(events, 500, 900_000);
    await timed('send events', async () => {
      let accepted = 0;
      let lastLog = performance.now();
      await mapLimit(eventBatches, cfg.sendConcurrency, async (b) => {
        const n = await gateway.sendEvents(b); // not `accepted += await ...`: that reads accepted before the await
        accepted += n;
        if (performance.now() - lastLog > 5_000) {
          log(`events: ${accepted} / ${events.length} accepted`);
          lastLog = performance.now();
        }
      });
      log(`events: ${accepted} purchase events (${train.length} train invoices) accepted in ${eventBatches.length} request(s)`);
      if (accepted !== events.length) throw new Error(`the gateway accepted ${accepted} of ${events.length} events`);
    });

    // 4. drain, then the model job
    const groups = [{ group: cfg.ingestGroup, topics: [TOPICS.EventsRaw] as string[] }];
    if (!cfg.noRecommender) groups.push({ group: cfg.recommenderGroup, topics: [TOPICS.EventsEnriched, TOPICS.CatalogProducts] });
    drain = await timed('drain', () => waitForDrain(admin, groups, cfg.drainTimeoutMs));
    deadLettered = (await dlqEnd(admin)) - dlqBefore;
    if (deadLettered > 0) log(`WARNING: ${deadLettered} message(s) went to ${TOPICS.EventsDeadLetter} during the replay (any store on this Kafka; see the ingest log)`);

    if (cfg.recommenderUrl) {
      const recommenderUrl = cfg.recommenderUrl;
      // Diagnostics only: a failing status page does not stop the replay.
      const statusNow = (when: string) =>
        recommenderStatus(recommenderUrl, cfg.storeId).then(
          (s) => (log(`recommender status ${when}: ${JSON.stringify(s)}`), s),
          (e: unknown) => (log(`WARNING: recommender status ${when}: ${e instanceof Error ? e.message : String(e)}`), { error: String(e) }),
        );
      status.afterDrain = await statusNow('after drain');
      modelJob = await timed('model job', () => runModelJob(cfg, join(cfg.outDir, 'build-models.log')));
      status.afterBuild = await statusNow('after the model job');

      // 5. query
      for (let i = 0; i < cfg.warmup; i++) await gateway.recommend({ placement: 'home', limit: cfg.k }); // not measured: connections, JIT
      for (const [task, cases] of Object.entries(tasks) as [TaskName, TestCase[]][]) {
        const requests = cases.map((c) => caseRequest(c, cfg.k));
        let done = 0;
        const t0 = performance.now();
        const results = await mapLimit(requests, cfg.concurrency, async ({ request }) => {
          const r = await gateway.recommend(request);
          if (++done % 1000 === 0) log(`${task}: ${done} / ${cases.length}`);
          return r;
        });
        const ms = Math.round(performance.now() - t0);
        const acc = new MetricsAccumulator(cfg.k, catalog, counts, train.length);
        cases.forEach((c, i) => acc.add((results[i].answer?.items ?? []).map((item) => item.productId), c.relevant));
        const http = httpStats(cases, results, requests.filter((r) => r.truncated).length, cfg.k);
        rows.push({ task, method: 'service', ms, metrics: acc.result(), http });
        const firstError = results.find((r) => r.error)?.error;
        log(`${task}: ${cases.length} cases in ${ms} ms, p50 ${http.latencyMs.p50} ms, p99 ${http.latencyMs.p99} ms, non-200 ${http.non200}, fallback ${http.fallback}${firstError ? ` (first error: ${firstError})` : ''}`);
      }
    }
  } finally {
    await admin.disconnect();
  }

  if (cfg.noRecommender) {
    log('RECS_REPLAY_NO_RECOMMENDER=1: catalog and events published and consumed by ingest; no recommender, no queries');
  } else if (cfg.baselines) {
    // The offline baselines on the very same cases, for reference in the same table.
    const methods: Recommender[] = [new PopularityRecommender(counts), new ItemKnnRecommender(train, counts, { neighbours: cfg.neighbours, backfill: true })];
    for (const [task, cases] of Object.entries(tasks) as [TaskName, TestCase[]][]) {
      for (const method of methods) {
        const acc = new MetricsAccumulator(cfg.k, catalog, counts, train.length);
        const t0 = performance.now();
        for (const c of cases) acc.add(method.recommend(c.input, cfg.k, c.exclude), c.relevant);
        rows.push({ task, method: method.name, ms: Math.round(performance.now() - t0), metrics: acc.result() });
      }
    }
    const order: TaskName[] = ['bought_together', 'next_purchase', 'home'];
    rows.sort((a, b) => order.indexOf(a.task) - order.indexOf(b.task));
  }
  timings.total = Math.round(performance.now() - started);

  // 6. report
  const f4 = (x: number): string => x.toFixed(4);
  const k = cfg.k;
  if (rows.length) {
    const table = [
      `| task | method | HR@${k} | NDCG@${k} | MRR@${k} | coverage | novelty (bits) | #cases | ms |`,
      '| --- | --- | ---: | ---: | ---: | ---: | ---: | ---: | ---: |',
      ...rows.map(
        (r) =>
          `| ${r.task} | ${r.method} | ${f4(r.metrics.hr)} | ${f4(r.metrics.ndcg)} | ${f4(r.metrics.mrr)} | ` +
          `${f4(r.metrics.coverage)} | ${r.metrics.novelty.toFixed(2)} | ${r.metrics.cases} | ${r.ms} |`,
      ),
    ];
    const served = rows.filter((r): r is Row & { http: HttpStats } => r.http !== undefined);
    const httpTable = [
      '| task | requests | non-200 | fallback | personalized | < K items | excluded slots | carts cut to 100 | p50 ms | p90 ms | p99 ms | max ms |',
      '| --- | ---: | ---: | ---: | ---: | ---: | ---: | ---: | ---: | ---: | ---: | ---: |',
      ...served.map(
        ({ task, http: h }) =>
          `| ${task} | ${h.requests} | ${h.non200} | ${h.fallback} | ${h.personalized} | ${h.short} | ${h.excludedSlots} | ${h.cartTruncated} | ` +
          `${h.latencyMs.p50} | ${h.latencyMs.p90} | ${h.latencyMs.p99} | ${h.latencyMs.max} |`,
      ),
    ];
    console.log(`\n${table.join('\n')}\n\n${httpTable.join('\n')}\n`);
  }
  const out = join(cfg.outDir, 'replay.json');
  const rssMb = Math.round(process.memoryUsage().rss / 2 ** 20);
  const settingsOut = { k, seed: cfg.seed, testDays: cfg.testDays, neighbours: cfg.neighbours, concurrency: cfg.concurrency, readTimeoutMs: cfg.readTimeoutMs, storeId: cfg.storeId, noRecommender: cfg.noRecommender };
  writeFileSync(out, `${JSON.stringify({ ...settingsOut, shift: shiftInfo, data, drain, deadLettered, modelJob, status, timings, rssMb, results: rows }, null, 2)}\n`);
  log(`total ${timings.total} ms, rss ${rssMb} MB; wrote ${out}`);
}

if (require.main === module) {
  main().catch((err: unknown) => {
    console.error(err instanceof Error ? err.stack : err);
    process.exit(1);
  });
}
