/**
 * Search evaluation (`npm run bench:search-eval` = bench/search-eval/run.sh, which starts the
 * search service and runs `node dist/bench/search-eval/run.js`; see bench/search-eval/README.md).
 *
 *  1. load      UCI Online Retail (recs-eval's loader and cleaning): one product per StockCode
 *               titled with its most frequent description, every sale with its time.
 *  2. build     the query sets (exact, 1-edit, 2-edit, real misspellings; queries.ts), the search
 *               log of the first 80% of the time and the autocomplete test queries of the last 20%
 *               (searchlog.ts).
 *  3. baseline  a plain index of the same products (standard analyzer) created directly in
 *               OpenSearch: `match` on the title for every search query; `match_phrase_prefix` on
 *               the title, and the most popular logged completion, for autocomplete.
 *  4. service   (when SEARCH_EVAL_SERVICE_URL is set) the catalog on catalog.products.v1 → wait
 *               until the service indexed it → every search query ("catalog only") → the search
 *               log on events.enriched.v1 → wait until consumed → every search query again ("with
 *               search log") → autocomplete after 1, 2, 3 typed characters of each test query.
 *  5. report    markdown tables on stdout, .cache/bench/search-eval.json.
 *
 * Without SEARCH_EVAL_SERVICE_URL only the baselines run (no Kafka needed, OpenSearch only).
 * Exit status: 0 targets met (or baseline-only run), 3 a target missed, other: could not run.
 */
import { existsSync, mkdirSync, writeFileSync } from 'node:fs';
import { dirname, resolve } from 'node:path';
import { TOPICS } from '@signal/contracts';
import { Kafka, logLevel } from 'kafkajs';
import { intEnv, positiveIntEnv, prng, repoRoot } from '../common';
import { mapLimit, timeShift } from '../recs-eval/replay';
import { loadEvalData } from './catalog';
import { catalogMessages, groupLag, logMessages, productCount, queryDocCount, sendAll, waitUntil } from './feed';
import { MrrAccumulator, SearchAccumulator, type MrrMetrics, type SearchMetrics, type SearchOutcome } from './metrics';
import { OpenSearchHttp, baselinePhrasePrefix, baselineSearch, createBaselineIndex } from './opensearch';
import { QUERY_SETS, type EvalQuery, type QuerySetName } from './queries';
import type { LoggedSearch } from './searchlog';
import { SearchServiceClient } from './service-client';
import { buildWorld, type World } from './world';

// ---------------------------------------------------------------------------------------------
// Settings

const pct = (name: string, fallback: number): number => {
  const v = intEnv(name, fallback);
  if (v > 100) throw new Error(`${name} is a percentage (0-100)`);
  return v / 100;
};

function settings() {
  const root = repoRoot();
  const stamp = new Date().toISOString().replace(/[-:TZ.]/g, '').slice(4, 14);
  return {
    root,
    dataPath: resolve(root, process.env.SEARCH_EVAL_DATA ?? '../shared/data/uci-online-retail/online_retail.csv.gz'),
    seed: intEnv('SEARCH_EVAL_SEED', 42),
    perSet: positiveIntEnv('SEARCH_EVAL_QUERIES', 1000),
    logSearches: intEnv('SEARCH_EVAL_LOG_SEARCHES', 30_000),
    testQueries: positiveIntEnv('SEARCH_EVAL_AC_QUERIES', 1000),
    trainShare: pct('SEARCH_EVAL_TRAIN_PCT', 80),
    fullShare: pct('SEARCH_EVAL_FULL_PCT', 30),
    purchaseShare: pct('SEARCH_EVAL_PURCHASE_PCT', 30),
    acLimit: positiveIntEnv('SEARCH_EVAL_AC_LIMIT', 10),
    pageSize: positiveIntEnv('SEARCH_EVAL_PAGE_SIZE', 24),
    concurrency: positiveIntEnv('SEARCH_EVAL_CONCURRENCY', 4),
    timeoutMs: positiveIntEnv('SEARCH_EVAL_TIMEOUT_MS', 10_000),
    indexTimeoutMs: positiveIntEnv('SEARCH_EVAL_INDEX_TIMEOUT_S', 600) * 1000,
    logTimeoutMs: positiveIntEnv('SEARCH_EVAL_LOG_TIMEOUT_S', 600) * 1000,
    settleMs: intEnv('SEARCH_EVAL_SETTLE_S', 5) * 1000,
    cold: process.env.SEARCH_EVAL_COLD !== '0',
    examples: intEnv('SEARCH_EVAL_EXAMPLES', 40),
    keepIndices: process.env.SEARCH_EVAL_KEEP_INDICES === '1',
    serviceUrl: process.env.SEARCH_EVAL_SERVICE_URL || '',
    storeId: process.env.SEARCH_EVAL_STORE || `bench-se-${stamp}`,
    prefix: process.env.SEARCH_EVAL_PREFIX || `bench-se-${stamp}-`,
    group: process.env.SEARCH_EVAL_GROUP || '',
    runTag: stamp,
    opensearchUrl: process.env.OPENSEARCH_URL || 'http://127.0.0.1:9200',
    brokers: (process.env.KAFKA_BROKERS || '127.0.0.1:9092').split(','),
    out: resolve(root, process.env.SEARCH_EVAL_OUT ?? '.cache/bench/search-eval.json'),
  };
}
type Settings = ReturnType<typeof settings>;

/** Targets of the issue: share of queries with the intended product in the top 5. */
export const TARGETS: Partial<Record<QuerySetName, number>> = { typo1: 0.98, typo2: 0.9, misspelling: 0.95 };

// ---------------------------------------------------------------------------------------------

const log = (s: string) => console.log(`[search-eval] ${s}`);
const timings: Record<string, number> = {};
async function timed<T>(label: string, fn: () => T | Promise<T>): Promise<T> {
  const t0 = performance.now();
  const out = await fn();
  timings[label] = Math.round(performance.now() - t0);
  log(`${label}: ${timings[label]} ms`);
  return out;
}
const sleep = (ms: number) => new Promise((r) => setTimeout(r, ms));
const day = (ms: number): string => new Date(ms).toISOString().slice(0, 16).replace('T', ' ');

export interface Example {
  q: string;
  intended: string;
  rank: number;
  top: string[];
}

export interface SearchRow {
  set: QuerySetName;
  method: string;
  metrics: SearchMetrics;
  /** typo2 only: by kind of the two edits. */
  byKind?: Record<string, SearchMetrics>;
  latencyMsP50?: number;
  latencyMsP99?: number;
  misses: Example[];
}

type SearchFn = (q: EvalQuery) => Promise<{ outcome: SearchOutcome; ms: number; titles: string[] }>;

async function evalSearch(method: string, set: QuerySetName, queries: readonly EvalQuery[], world: World, fn: SearchFn, cfg: Settings): Promise<SearchRow> {
  const acc = new SearchAccumulator();
  const kinds = new Map<string, SearchAccumulator>();
  const misses: Example[] = [];
  const ms: number[] = [];
  const answers = await mapLimit(queries, cfg.concurrency, fn);
  queries.forEach((q, i) => {
    const { outcome, titles } = answers[i];
    ms.push(answers[i].ms);
    const eq = world.equivalents.get(q.productId) ?? new Set([q.productId]);
    const rank = acc.add(outcome, eq);
    if (q.kind) {
      let k = kinds.get(q.kind);
      if (!k) kinds.set(q.kind, (k = new SearchAccumulator()));
      k.add(outcome, eq);
    }
    if ((rank < 0 || rank >= 5) && misses.length < cfg.examples) misses.push({ q: q.q, intended: q.intended, rank, top: titles.slice(0, 3) });
  });
  ms.sort((a, b) => a - b);
  const p = (x: number) => Math.round(ms[Math.min(ms.length - 1, Math.max(0, Math.ceil((x / 100) * ms.length) - 1))] * 10) / 10;
  return {
    set,
    method,
    metrics: acc.result(),
    ...(kinds.size ? { byKind: Object.fromEntries([...kinds].map(([k, a]) => [k, a.result()])) } : {}),
    latencyMsP50: p(50),
    latencyMsP99: p(99),
    misses,
  };
}

export interface AutocompleteRow {
  method: string;
  /** By characters typed (1, 2, 3). */
  byChars: Record<number, MrrMetrics>;
  /** By characters typed and kind of the intended query (full title / short phrase) and whether the log had it. */
  groups: Record<string, MrrMetrics>;
  /** Service only: share of test queries whose product is among the autocomplete products, by characters typed. */
  productHit?: Record<number, number>;
  /** Test queries not suggested first after 3 characters: what came instead, and what the most popular logged completions were. */
  misses: { typed: string; intended: string; kind: string; logged: boolean; rank: number; suggestions: string[]; mostPopular: string[] }[];
}

type SuggestFn = (prefix: string, intended: LoggedSearch) => Promise<{ suggestions: string[] | null; products?: string[] }>;

const CHARS = [1, 2, 3] as const;

async function evalAutocomplete(method: string, tests: readonly LoggedSearch[], world: World, fn: SuggestFn, cfg: Settings): Promise<AutocompleteRow> {
  const byChars: Record<number, MrrAccumulator> = {};
  const groups = new Map<string, MrrAccumulator>();
  const productHits: Record<number, number> = {};
  const misses: AutocompleteRow['misses'] = [];
  let withProducts = false;
  for (const k of CHARS) {
    byChars[k] = new MrrAccumulator();
    const answers = await mapLimit(tests, cfg.concurrency, (t) => fn(t.query.slice(0, k), t));
    tests.forEach((t, i) => {
      const a = answers[i];
      const rr = byChars[k].add(a.suggestions, t.query);
      if (k === 3 && rr < 1 && misses.length < cfg.examples) {
        const typed = t.query.slice(0, k);
        misses.push({ typed, intended: t.query, kind: t.kind, logged: world.completions.has(t.query), rank: rr > 0 ? Math.round(1 / rr) : 0, suggestions: (a.suggestions ?? []).slice(0, 5), mostPopular: world.completions.top(typed, 5) });
      }
      for (const g of [`${k}:${t.kind}`, `${k}:${world.completions.has(t.query) ? 'logged' : 'new'}`]) {
        let acc = groups.get(g);
        if (!acc) groups.set(g, (acc = new MrrAccumulator()));
        acc.add(a.suggestions, t.query);
      }
      if (a.products) {
        withProducts = true;
        const eq = world.equivalents.get(t.productId) ?? new Set([t.productId]);
        if (a.products.some((p) => eq.has(p))) productHits[k] = (productHits[k] ?? 0) + 1;
      }
    });
  }
  return {
    method,
    byChars: Object.fromEntries(CHARS.map((k) => [k, byChars[k].result()])),
    groups: Object.fromEntries([...groups].sort(([a], [b]) => (a < b ? -1 : 1)).map(([g, a]) => [g, a.result()])),
    ...(withProducts ? { productHit: Object.fromEntries(CHARS.map((k) => [k, (productHits[k] ?? 0) / tests.length])) } : {}),
    misses,
  };
}

// ---------------------------------------------------------------------------------------------

async function main(): Promise<number> {
  const cfg = settings();
  if (!existsSync(cfg.dataPath)) throw new Error(`data not found: ${cfg.dataPath} (set SEARCH_EVAL_DATA)`);
  const started = performance.now();

  // 1-2. load and build
  const data = await timed('load', () => loadEvalData(cfg.dataPath));
  const world = await timed('build queries and log', () => buildWorld(data, cfg));
  const setSizes = Object.fromEntries(QUERY_SETS.map((s) => [s, world.sets[s].length]));
  const typo2Kinds = world.sets.typo2.reduce<Record<string, number>>((m, q) => ((m[q.kind ?? '?'] = (m[q.kind ?? '?'] ?? 0) + 1), m), {});
  const testLogged = world.testSearches.filter((t) => world.completions.has(t.query)).length;
  const dataInfo = {
    path: cfg.dataPath,
    ...data.stats,
    skippedTitles: data.skipped.map((s) => `${s.productId} ${s.title}`),
    duplicateTitles: world.duplicateTitles,
    productsWithDuplicateTitle: world.products.filter((p) => (world.equivalents.get(p.productId)?.size ?? 1) > 1).length,
    misspellingPairs: world.misspellingPairs.length,
    misspelledWords: new Set(world.misspellingPairs.map(([, r]) => r)).size,
    querySets: setSizes,
    typo2Kinds,
    cutoff: day(world.cutoff),
    window: { from: day(data.minAt), to: day(data.maxAt) },
    log: { searches: world.trainSearches.length, distinctQueries: world.completions.size, full: world.trainSearches.filter((s) => s.kind === 'full').length },
    autocompleteTests: { n: world.testSearches.length, full: world.testSearches.filter((s) => s.kind === 'full').length, seenInLog: testLogged },
  };
  log(`data: ${JSON.stringify({ ...dataInfo, skippedTitles: dataInfo.skippedTitles.length })}`);

  const os = new OpenSearchHttp(cfg.opensearchUrl, cfg.timeoutMs);
  const baselineIndex = `${cfg.prefix}baseline-match`;
  const searchRows: SearchRow[] = [];
  const acRows: AutocompleteRow[] = [];
  const waits: Record<string, unknown> = {};
  const problems: string[] = [];

  // 3. baselines
  await timed('baseline index', () => createBaselineIndex(os, baselineIndex, world.products));
  const titleOf = (id: string) => world.byId.get(id)?.title ?? id;
  const baselineFn: SearchFn = async (q) => {
    const t0 = performance.now();
    const ids = await baselineSearch(os, baselineIndex, q.q, cfg.pageSize);
    return { outcome: { ok: ids !== null, hits: ids ?? [] }, ms: performance.now() - t0, titles: (ids ?? []).map(titleOf) };
  };
  await timed('baseline search', async () => {
    for (const set of QUERY_SETS) searchRows.push(await evalSearch('baseline: match', set, world.sets[set], world, baselineFn, cfg));
  });
  await timed('baseline autocomplete', async () => {
    acRows.push(await evalAutocomplete('baseline: match_phrase_prefix on titles', world.testSearches, world, async (prefix) => ({ suggestions: await baselinePhrasePrefix(os, baselineIndex, prefix, cfg.acLimit) }), cfg));
    acRows.push(await evalAutocomplete('baseline: most popular logged query', world.testSearches, world, async (prefix) => ({ suggestions: world.completions.top(prefix, cfg.acLimit) }), cfg));
  });

  // 4. the service
  let shiftMs: number | undefined;
  if (cfg.serviceUrl) {
    if (!cfg.group) throw new Error('SEARCH_EVAL_GROUP is required with SEARCH_EVAL_SERVICE_URL (the service consumer group, parked by setup.js kafka)');
    const service = new SearchServiceClient(cfg.serviceUrl, cfg.timeoutMs);
    const kafka = new Kafka({ clientId: 'bench-search-eval', brokers: cfg.brokers, logLevel: logLevel.WARN });
    const producer = kafka.producer({ allowAutoTopicCreation: false });
    const admin = kafka.admin();
    await Promise.all([producer.connect(), admin.connect()]);
    try {
      shiftMs = timeShift(world.cutoff, Date.now());
      const shift = shiftMs;
      log(`store ${cfg.storeId}, index prefix ${cfg.prefix}, group ${cfg.group}; time shift +${(shift / 86_400_000).toFixed(1)} days (the log ends just before now)`);
      const products = catalogMessages(world.products, cfg.storeId, shift, world.cutoff);
      await timed('publish catalog', () => sendAll(producer, TOPICS.CatalogProducts, products));
      waits.catalog = await timed('wait for indexing', () =>
        waitUntil('products indexed', () => productCount(os, cfg.prefix, cfg.storeId), (n) => n >= products.length, { timeoutMs: cfg.indexTimeoutMs, log }),
      );
      await sleep(1500); // one refresh interval and a margin: the count is on the same index

      const serviceFn: SearchFn = async (q) => {
        const a = await service.search({ storeId: cfg.storeId, q: q.q, pageSize: cfg.pageSize });
        const hits = a.body?.hits ?? [];
        return { outcome: { ok: a.body !== undefined, hits: hits.map((h) => h.productId), fallback: a.body?.fallback }, ms: a.ms, titles: hits.map((h) => h.title ?? titleOf(h.productId)) };
      };
      log(`service API: ${await service.detectStyle(cfg.storeId, world.sets.exact[0]?.q ?? 'heart')} (${service.style === 'store-path' ? 'GET /v1/stores/:storeId/search' : 'GET /v1/search?storeId='})`);
      if (cfg.cold) {
        await timed('service search (catalog only)', async () => {
          for (const set of QUERY_SETS) searchRows.push(await evalSearch('service (catalog only)', set, world.sets[set], world, serviceFn, cfg));
        });
      }

      const events = logMessages(world.trainSearches, { storeId: cfg.storeId, runTag: cfg.runTag, shiftMs: shift, purchaseShare: cfg.purchaseShare, rand: prng(cfg.seed + 300) });
      await timed('publish search log', () => sendAll(producer, TOPICS.EventsEnriched, events));
      log(`search log: ${events.length} enriched events (${world.trainSearches.length} searches)`);
      try {
        waits.logConsumed = await timed('wait for the log', () => waitUntil('events.enriched.v1 lag of the service', () => groupLag(admin, cfg.group, [TOPICS.EventsEnriched]), (n) => n === 0, { timeoutMs: cfg.logTimeoutMs, log }));
        // The service may buffer its query statistics: wait until the store's query documents stop growing.
        let last = -1;
        waits.queryDocs = await timed('wait for query documents', () =>
          waitUntil(
            'query documents still changing',
            async () => {
              const n = await queryDocCount(os, cfg.prefix, cfg.storeId);
              const changing = n !== last ? 1 : 0;
              last = n;
              return changing;
            },
            (c) => c === 0,
            { timeoutMs: cfg.logTimeoutMs, everyMs: 3000, log },
          ),
        );
        log(`query documents of the store: ${last}`);
      } catch (e) {
        // Measured anyway (the numbers then show the service without what the log teaches), but the run fails.
        problems.push(`search log not consumed: ${e instanceof Error ? e.message : String(e)}`);
        log(`WARNING: ${problems[problems.length - 1]}; measuring anyway`);
      }
      await sleep(cfg.settleMs);

      await timed('service search (with search log)', async () => {
        for (const set of QUERY_SETS) searchRows.push(await evalSearch('service (with search log)', set, world.sets[set], world, serviceFn, cfg));
      });
      await timed('service autocomplete', async () => {
        acRows.unshift(
          await evalAutocomplete('service', world.testSearches, world, async (prefix) => {
            const a = await service.autocomplete(cfg.storeId, prefix, cfg.acLimit);
            return a.body ? { suggestions: a.body.suggestions.map((s) => s.query), products: (a.body.products ?? []).map((p) => p.productId) } : { suggestions: null };
          }, cfg),
        );
      });
    } finally {
      await Promise.allSettled([producer.disconnect(), admin.disconnect()]);
    }
  } else {
    log('SEARCH_EVAL_SERVICE_URL not set: baselines only');
  }
  if (!cfg.keepIndices) await os.call('DELETE', `/${baselineIndex}`);
  timings.total = Math.round(performance.now() - started);

  // 5. report
  const order = ['service (catalog only)', 'service (with search log)', 'baseline: match'];
  searchRows.sort((a, b) => QUERY_SETS.indexOf(a.set) - QUERY_SETS.indexOf(b.set) || order.indexOf(a.method) - order.indexOf(b.method));
  const f = (x: number, d = 1) => (Number.isFinite(x) ? (x * 100).toFixed(d) + '%' : 'n/a');
  const verdicts: { set: QuerySetName; method: string; top5: number; target: number; met: boolean; empty: number }[] = [];
  const searchTable = [
    '| query set | method | top-5 | top-1 | in first page (24) | empty pages | failed | n | target (top-5) |',
    '| --- | --- | ---: | ---: | ---: | ---: | ---: | ---: | --- |',
    ...searchRows.map((r) => {
      const t = TARGETS[r.set];
      let target = '';
      if (t !== undefined) {
        const met = r.metrics.top5Share >= t && r.metrics.empty === 0 && r.metrics.failed === 0;
        if (r.method.startsWith('service')) verdicts.push({ set: r.set, method: r.method, top5: r.metrics.top5Share, target: t, met, empty: r.metrics.empty });
        target = `≥ ${f(t, 0)}: ${met ? 'met' : 'missed'}`;
      }
      const set = r.set + (r.byKind ? ` (${Object.entries(r.byKind).map(([k, m]) => `${k} ${f(m.top5Share)} of ${m.n}`).join(', ')})` : '');
      return `| ${set} | ${r.method} | ${f(r.metrics.top5Share)} | ${f(r.metrics.top1Share)} | ${f(r.metrics.top24Share)} | ${r.metrics.empty} | ${r.metrics.failed} | ${r.metrics.n} | ${target} |`;
    }),
  ];
  const mrr = (m: MrrMetrics | undefined) => (m ? m.mrr.toFixed(3) : '');
  const acTable = [
    `| autocomplete (limit ${cfg.acLimit}) | MRR after 1 char | 2 chars | 3 chars | suggested at all (3 chars) | n |`,
    '| --- | ---: | ---: | ---: | ---: | ---: |',
    ...acRows.map((r) => `| ${r.method} | ${mrr(r.byChars[1])} | ${mrr(r.byChars[2])} | ${mrr(r.byChars[3])} | ${f(r.byChars[3].found)} | ${r.byChars[1].n} |`),
  ];
  const groupNames = ['full', 'short', 'logged', 'new'];
  const acGroups = [
    '| autocomplete MRR by intended query | ' + groupNames.map((g) => `${g} 1 / 2 / 3 chars`).join(' | ') + ' |',
    '| --- |' + groupNames.map(() => ' ---: |').join(''),
    ...acRows.map((r) => `| ${r.method} | ` + groupNames.map((g) => CHARS.map((k) => mrr(r.groups[`${k}:${g}`])).join(' / ')).join(' | ') + ' |'),
    `| n | ${groupNames.map((g) => acRows[0]?.groups[`1:${g}`]?.n ?? 0).join(' | ')} |`,
  ];
  console.log(`\n${searchTable.join('\n')}\n\n${acTable.join('\n')}\n\n${acGroups.join('\n')}\n`);
  const serviceAc = acRows.find((r) => r.method === 'service');
  if (serviceAc?.productHit) log(`autocomplete products: intended product among them after 1 / 2 / 3 chars: ${CHARS.map((k) => f(serviceAc.productHit?.[k] ?? 0)).join(' / ')}`);
  const emptyPages = searchRows.filter((r) => r.method.startsWith('service')).reduce((s, r) => s + r.metrics.empty, 0);
  for (const p of problems) log(`PROBLEM: ${p}`);
  if (cfg.serviceUrl) log(`verdict: ${verdicts.map((v) => `${v.set} ${v.method} ${f(v.top5)} (target ${f(v.target, 0)}) ${v.met ? 'met' : 'MISSED'}`).join('; ')}; empty result pages of the service: ${emptyPages}`);

  mkdirSync(dirname(cfg.out), { recursive: true });
  const rssMb = Math.round(process.memoryUsage().rss / 2 ** 20);
  const settingsOut = { ...cfg, root: undefined };
  writeFileSync(
    cfg.out,
    `${JSON.stringify({ at: new Date().toISOString(), settings: settingsOut, data: dataInfo, shiftMs, waits, problems, timings, rssMb, targets: TARGETS, verdicts, emptyPages, search: searchRows, autocomplete: acRows, queries: world.sets }, null, 2)}\n`,
  );
  log(`total ${timings.total} ms, rss ${rssMb} MB; wrote ${cfg.out}`);
  if (!cfg.serviceUrl) return 0;
  if (problems.length) return 1;
  return verdicts.every((v) => v.met) && emptyPages === 0 ? 0 : 3;
}

if (require.main === module) {
  main().then(
    (code) => process.exit(code),
    (err: unknown) => {
      console.error(err instanceof Error ? err.stack : err);
      process.exit(1);
    },
  );
}
