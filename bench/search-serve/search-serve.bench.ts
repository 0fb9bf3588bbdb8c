/**
 * Search serving benchmark: p50 / p95 / p99 latency and requests/s of `GET /v1/search` and
 * `GET /v1/autocomplete` with the full UCI catalog indexed (and the eval's search log learned),
 * next to the bare OpenSearch requests the service issues, built by the service's own exported
 * builders, sent straight to OpenSearch in the same run. Target: the service's p99 at most
 * SEARCH_SERVE_TARGET (1.5) × OpenSearch's own. Entry point: bench/search-serve/run.sh; see
 * bench/search-serve/README.md.
 *
 *  1. feed      bench/search-eval's catalog (one product per StockCode) on catalog.products.v1 and
 *               its search log on events.enriched.v1; waits until the service has both.
 *  2. prepare   request lists (workload.ts); for each, the bare request: the service's context
 *               read (synonyms, query statistics, learned rewrite: one mget, as the service does it)
 *               then buildSearchRequest / buildAutocompleteRequests from dist; serialized once.
 *  3. check     the first SEARCH_SERVE_CHECK searches and autocompletes through both paths: the
 *               first page (or suggestions) must agree, else the bare request is not the service's.
 *  4. measure   closed loop, SEARCH_SERVE_CONCURRENCY clients, rounds of four interleaved phases
 *               (stats.ts `schedule`), after a warm-up of every phase.
 *  5. report    tables on stdout, .cache/bench/search-serve/results.json. Exit 0 target met, 3 missed.
 */
import { mkdirSync, writeFileSync } from 'node:fs';
import { Agent, request } from 'node:http';
import { join, resolve } from 'node:path';
import { TOPICS } from '@signal/contracts';
import { Kafka, logLevel } from 'kafkajs';
import { intEnv, positiveIntEnv, prng, repoRoot, requiredEnv } from '../common';
import { CpuProbe, type CpuSnapshot } from '../ingest/probes';
import { timeShift } from '../recs-eval/replay';
import { runClosedLoop, runOpenLoop } from '../recs-serve/stats';
import { loadEvalData } from '../search-eval/catalog';
import { catalogMessages, groupLag, logMessages, productCount, queryDocCount, sendAll, waitUntil } from '../search-eval/feed';
import { OpenSearchHttp } from '../search-eval/opensearch';
import { SearchServiceClient, autocompletePath, searchPath, type PathStyle } from '../search-eval/service-client';
import { buildWorld } from '../search-eval/world';
import { loadBuilders, ndjson, type SearchBuilders } from './builder';
import { pidListeningOn } from './procs';
import { compare, schedule, summarize, type Comparison, type Endpoint, type Phase, type Sample, type Target } from './stats';
import { autocompleteRequests, searchRequests, type ServeRequest } from './workload';

// ---------------------------------------------------------------------------------------------
// Settings

const need = (name: string) => requiredEnv(name, 'bench/search-serve/run.sh');
const root = repoRoot();
const cfg = {
  rounds: positiveIntEnv('SEARCH_SERVE_ROUNDS', 4),
  phaseSeconds: positiveIntEnv('SEARCH_SERVE_PHASE_SECONDS', 15),
  warmupSeconds: intEnv('SEARCH_SERVE_WARMUP_SECONDS', 5),
  concurrency: positiveIntEnv('SEARCH_SERVE_CONCURRENCY', 8),
  /** Open loop at this many requests/s instead of the closed loop (0: closed loop). */
  rates: { search: intEnv('SEARCH_SERVE_RATE_SEARCH', 0), autocomplete: intEnv('SEARCH_SERVE_RATE_AUTOCOMPLETE', 0) } as Record<Endpoint, number>,
  endpoints: (process.env.SEARCH_SERVE_ENDPOINTS || 'search,autocomplete').split(',').map((e) => e.trim()) as Endpoint[],
  requests: positiveIntEnv('SEARCH_SERVE_REQUESTS', 5000),
  maxChars: positiveIntEnv('SEARCH_SERVE_MAX_CHARS', 12),
  pageSize: positiveIntEnv('SEARCH_SERVE_PAGE_SIZE', 24),
  acLimit: positiveIntEnv('SEARCH_SERVE_AC_LIMIT', 8),
  acProducts: positiveIntEnv('SEARCH_SERVE_AC_PRODUCTS', 4),
  check: intEnv('SEARCH_SERVE_CHECK', 200),
  target: Number(process.env.SEARCH_SERVE_TARGET || '1.5'),
  timeoutMs: positiveIntEnv('SEARCH_SERVE_TIMEOUT_MS', 10_000),
  indexTimeoutMs: positiveIntEnv('SEARCH_EVAL_INDEX_TIMEOUT_S', 600) * 1000,
  logTimeoutMs: positiveIntEnv('SEARCH_EVAL_LOG_TIMEOUT_S', 600) * 1000,
  seed: intEnv('SEARCH_EVAL_SEED', 42),
  world: {
    seed: intEnv('SEARCH_EVAL_SEED', 42),
    perSet: positiveIntEnv('SEARCH_EVAL_QUERIES', 1000),
    logSearches: intEnv('SEARCH_EVAL_LOG_SEARCHES', 30_000),
    testQueries: positiveIntEnv('SEARCH_EVAL_AC_QUERIES', 1000),
    trainShare: intEnv('SEARCH_EVAL_TRAIN_PCT', 80) / 100,
    fullShare: intEnv('SEARCH_EVAL_FULL_PCT', 30) / 100,
  },
  purchaseShare: intEnv('SEARCH_EVAL_PURCHASE_PCT', 30) / 100,
  dataPath: resolve(root, process.env.SEARCH_EVAL_DATA ?? '../shared/data/uci-online-retail/online_retail.csv.gz'),
  distRoot: resolve(root, process.env.SEARCH_SERVE_DIST ?? 'dist'),
  serviceUrl: need('SEARCH_SERVE_SERVICE_URL'),
  storeId: need('SEARCH_EVAL_STORE'),
  prefix: need('SEARCH_EVAL_PREFIX'),
  group: need('SEARCH_EVAL_GROUP'),
  opensearchUrl: process.env.OPENSEARCH_URL || 'http://127.0.0.1:9200',
  brokers: (process.env.KAFKA_BROKERS || '127.0.0.1:9092').split(','),
  servicePid: Number(process.env.SEARCH_SERVE_SERVICE_PID || 0),
  outDir: resolve(root, process.env.SEARCH_SERVE_OUT_DIR || '.cache/bench/search-serve'),
};
if (!(cfg.target > 0)) throw new Error('SEARCH_SERVE_TARGET must be a positive number');
if (!cfg.endpoints.length || cfg.endpoints.some((e) => e !== 'search' && e !== 'autocomplete')) throw new Error('SEARCH_SERVE_ENDPOINTS: a comma-separated list of search, autocomplete');
const loopOf = (e: Endpoint) => (cfg.rates[e] > 0 ? `open loop, ${cfg.rates[e]} requests/s` : `closed loop, ${cfg.concurrency} clients`);

const log = (s: string) => console.log(`[${new Date().toISOString().slice(11, 23)}] ${s}`);
const sleep = (ms: number) => new Promise((r) => setTimeout(r, ms));
const timings: Record<string, number> = {};
async function timed<T>(label: string, fn: () => T | Promise<T>): Promise<T> {
  const t0 = performance.now();
  const out = await fn();
  timings[label] = Math.round(performance.now() - t0);
  log(`${label}: ${(timings[label] / 1000).toFixed(1)} s`);
  return out;
}

// ---------------------------------------------------------------------------------------------
// HTTP: one keep-alive agent per target, the same client code for both

interface Prepared {
  method: 'GET' | 'POST';
  path: string;
  body?: Buffer;
  contentType?: string;
}

function call(base: URL, agent: Agent, p: Prepared): Promise<{ status: number; text: string }> {
  return new Promise((ok, fail) => {
    const headers: Record<string, string | number> = { accept: 'application/json' };
    if (p.body) {
      headers['content-type'] = p.contentType ?? 'application/json';
      headers['content-length'] = p.body.length;
    }
    const req = request({ host: base.hostname, port: base.port, path: p.path, method: p.method, agent, headers, timeout: cfg.timeoutMs }, (res) => {
      const parts: Buffer[] = [];
      res.on('data', (d: Buffer) => parts.push(d));
      res.on('end', () => ok({ status: res.statusCode ?? 0, text: Buffer.concat(parts).toString('utf8') }));
      res.on('error', fail);
    });
    req.on('timeout', () => req.destroy(new Error('request timed out')));
    req.on('error', fail);
    req.end(p.body);
  });
}

/** A usable answer: HTTP 200, JSON, and for msearch no failed sub-request. */
function usable(endpoint: Endpoint, target: Target, status: number, text: string): boolean {
  if (status !== 200) return false;
  try {
    const body = JSON.parse(text) as { responses?: { error?: unknown }[]; hits?: unknown; suggestions?: unknown };
    if (target === 'opensearch') return endpoint === 'autocomplete' ? Array.isArray(body.responses) && body.responses.every((r) => !r.error) : body.hits !== undefined;
    return endpoint === 'autocomplete' ? Array.isArray(body.suggestions) : Array.isArray(body.hits);
  } catch {
    return false;
  }
}

// ---------------------------------------------------------------------------------------------
// The bare requests

interface MgetAnswer {
  docs: { found?: boolean; _source?: unknown }[];
}

/** The service's context read for a query (search-context.ts): store synonyms, the query's statistics, its learned rewrite. */
async function contextOf(os: OpenSearchHttp, normalized: string): Promise<{ synonyms: unknown; stats: { products?: Record<string, number> } | null; learned: unknown }> {
  const id = (key: string) => `${cfg.storeId}|${key}`;
  const docs = [{ _index: `${cfg.prefix}rewrites`, _id: id('synonyms') }];
  if (normalized) docs.push({ _index: `${cfg.prefix}queries`, _id: id(normalized) }, { _index: `${cfg.prefix}rewrites`, _id: id(`learned|${normalized}`) });
  const r = await os.ok<MgetAnswer>('POST', '/_mget', { docs });
  const found = r.docs.map((d) => (d.found ? d._source : null));
  return { synonyms: found[0] ?? null, stats: (found[1] as { products?: Record<string, number> } | null) ?? null, learned: found[2] ?? null };
}

async function bareSearch(b: SearchBuilders, os: OpenSearchHttp, q: string): Promise<Prepared> {
  const normalized = b.normalizeQuery(q);
  const ctx = await contextOf(os, normalized);
  const variants = normalized ? b.queryVariants(normalized, ctx.synonyms, ctx.learned) : [];
  const req = b.buildSearchRequest({
    index: `${cfg.prefix}products`,
    storeId: cfg.storeId,
    variants,
    strictness: 'all_words',
    query: { sort: 'relevance' },
    from: 0,
    size: cfg.pageSize,
    ranking: { sellsForQuery: ctx.stats?.products ?? {}, affinities: null, nowHours: Date.now() / 3_600_000 },
    facets: true,
  });
  return { method: 'POST', path: `/${encodeURIComponent(req.index)}/_search`, body: Buffer.from(JSON.stringify(req.body)) };
}

function bareAutocomplete(b: SearchBuilders, q: string): Prepared {
  const lines = b.buildAutocompleteRequests({
    queriesIndex: `${cfg.prefix}queries`,
    productsIndex: `${cfg.prefix}products`,
    storeId: cfg.storeId,
    typed: b.normalizeQuery(q),
    limit: cfg.acLimit,
    productLimit: cfg.acProducts,
    ranking: { sellsForQuery: {}, affinities: null, nowHours: Date.now() / 3_600_000 },
    preferCategories: [],
  });
  return { method: 'POST', path: '/_msearch', body: Buffer.from(ndjson(lines)), contentType: 'application/x-ndjson' };
}

const servicePrepared = (r: ServeRequest, style: PathStyle): Prepared => ({
  method: 'GET',
  path: r.endpoint === 'search' ? searchPath({ storeId: cfg.storeId, q: r.q, pageSize: cfg.pageSize }, style) : autocompletePath(cfg.storeId, r.q, cfg.acLimit, style),
});

// ---------------------------------------------------------------------------------------------

interface PhaseResult {
  phase: Phase;
  samples: Sample[];
  seconds: number;
  cores: Record<string, number>;
}

async function main(): Promise<number> {
  const started = performance.now();
  mkdirSync(cfg.outDir, { recursive: true });
  const builders = loadBuilders(cfg.distRoot);
  const data = await timed('load data', () => loadEvalData(cfg.dataPath));
  const world = buildWorld(data, cfg.world);
  const os = new OpenSearchHttp(cfg.opensearchUrl, cfg.timeoutMs);

  // 1. feed
  const kafka = new Kafka({ clientId: 'bench-search-serve', brokers: cfg.brokers, logLevel: logLevel.WARN });
  const producer = kafka.producer({ allowAutoTopicCreation: false });
  const admin = kafka.admin();
  await Promise.all([producer.connect(), admin.connect()]);
  let queryDocs = 0;
  const problems: string[] = [];
  try {
    const shift = timeShift(world.cutoff, Date.now());
    const products = catalogMessages(world.products, cfg.storeId, shift, world.cutoff);
    await timed('publish catalog', () => sendAll(producer, TOPICS.CatalogProducts, products));
    await timed('wait for indexing', () => waitUntil('products indexed', () => productCount(os, cfg.prefix, cfg.storeId), (n) => n >= products.length, { timeoutMs: cfg.indexTimeoutMs, log }));
    const events = logMessages(world.trainSearches, { storeId: cfg.storeId, runTag: `ss${Date.now().toString(36)}`, shiftMs: shift, purchaseShare: cfg.purchaseShare, rand: prng(cfg.seed + 300) });
    await timed('publish search log', () => sendAll(producer, TOPICS.EventsEnriched, events));
    try {
      await timed('wait for the log', () => waitUntil('events.enriched.v1 lag of the service', () => groupLag(admin, cfg.group, [TOPICS.EventsEnriched]), (n) => n === 0, { timeoutMs: cfg.logTimeoutMs, log }));
      let last = -1;
      await timed('wait for query documents', () =>
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
      queryDocs = last;
    } catch (e) {
      problems.push(`search log not consumed: ${e instanceof Error ? e.message : String(e)}`);
      log(`WARNING: ${problems[problems.length - 1]}; measuring anyway`);
    }
    log(`indexed: ${products.length} products, ${events.length} log events (${world.trainSearches.length} searches), ${queryDocs} query documents`);
  } finally {
    await Promise.allSettled([producer.disconnect(), admin.disconnect()]);
  }

  // 2. prepare
  const rand = prng(cfg.seed + 500);
  const lists: Record<Endpoint, ServeRequest[]> = {
    search: searchRequests(world.sets, world.trainSearches, cfg.requests, rand),
    autocomplete: autocompleteRequests(world.sets, world.trainSearches, cfg.requests, cfg.maxChars, rand),
  };
  const prepared: Record<Endpoint, Record<Target, Prepared[]>> = { search: { service: [], opensearch: [] }, autocomplete: { service: [], opensearch: [] } };
  const style = await new SearchServiceClient(cfg.serviceUrl, cfg.timeoutMs).detectStyle(cfg.storeId, lists.search[0].q);
  log(`service API: ${style}`);
  await timed('prepare bare requests', async () => {
    const cache = new Map<string, Prepared>();
    for (const r of lists.search) {
      let p = cache.get(r.q);
      if (!p) cache.set(r.q, (p = await bareSearch(builders, os, r.q)));
      prepared.search.opensearch.push(p);
      prepared.search.service.push(servicePrepared(r, style));
    }
    for (const r of lists.autocomplete) {
      prepared.autocomplete.opensearch.push(bareAutocomplete(builders, r.q));
      prepared.autocomplete.service.push(servicePrepared(r, style));
    }
  });
  const sources = (xs: ServeRequest[]) => xs.reduce<Record<string, number>>((m, r) => ((m[r.source] = (m[r.source] ?? 0) + 1), m), {});
  const meanChars = lists.autocomplete.reduce((s, r) => s + r.q.length, 0) / lists.autocomplete.length;
  log(`requests: search ${JSON.stringify(sources(lists.search))}; autocomplete ${JSON.stringify(sources(lists.autocomplete))}, ${meanChars.toFixed(1)} characters typed on average`);

  const bases: Record<Target, URL> = { service: new URL(cfg.serviceUrl), opensearch: new URL(cfg.opensearchUrl) };
  const agents: Record<Target, Agent> = {
    // Open loop needs as many sockets as requests in flight; the closed loop never has more than its clients.
    service: new Agent({ keepAlive: true, maxSockets: Object.values(cfg.rates).some((r) => r > 0) ? 256 : cfg.concurrency, maxFreeSockets: 256 }),
    opensearch: new Agent({ keepAlive: true, maxSockets: Object.values(cfg.rates).some((r) => r > 0) ? 256 : cfg.concurrency, maxFreeSockets: 256 }),
  };

  // 3. check: the bare request is the service's
  const check = { search: { n: 0, samePage: 0, serviceFallbacks: 0 }, autocomplete: { n: 0, same: 0 } };
  await timed('check', async () => {
    for (let i = 0; i < Math.min(cfg.check, cfg.requests); i++) {
      for (const endpoint of ['search', 'autocomplete'] as const) {
        const [s, o] = await Promise.all([call(bases.service, agents.service, prepared[endpoint].service[i]), call(bases.opensearch, agents.opensearch, prepared[endpoint].opensearch[i])]);
        if (s.status !== 200 || o.status !== 200) throw new Error(`check: ${endpoint} "${lists[endpoint][i].q}": service HTTP ${s.status}, OpenSearch HTTP ${o.status} ${o.text.slice(0, 300)}`);
        if (endpoint === 'search') {
          const sa = JSON.parse(s.text) as { hits: { productId: string }[]; fallback?: string };
          const oa = JSON.parse(o.text) as { hits: { hits: { _source: { productId: string } }[] } };
          check.search.n++;
          if (sa.fallback) check.search.serviceFallbacks++;
          if (sa.hits.map((h) => h.productId).join() === oa.hits.hits.map((h) => h._source.productId).join()) check.search.samePage++;
        } else {
          const sa = JSON.parse(s.text) as { suggestions: { query: string }[] };
          const oa = JSON.parse(o.text) as { responses: { hits?: { hits: { _source: { query: string } }[] } }[] };
          check.autocomplete.n++;
          if (sa.suggestions.map((x) => x.query).join('|') === (oa.responses[0]?.hits?.hits ?? []).map((h) => h._source.query).join('|')) check.autocomplete.same++;
        }
      }
    }
  });
  log(`check: search first pages identical ${check.search.samePage} / ${check.search.n} (service fallbacks: ${check.search.serviceFallbacks}, they run more requests); autocomplete suggestions identical ${check.autocomplete.same} / ${check.autocomplete.n}`);

  // 4. measure
  const pids: Record<string, number> = {};
  if (cfg.servicePid) pids.service = cfg.servicePid;
  const osPid = pidListeningOn(Number(new URL(cfg.opensearchUrl).port || 9200));
  if (osPid) pids.opensearch = osPid;
  const kafkaPid = pidListeningOn(Number(cfg.brokers[0].split(':')[1] || 9092));
  if (kafkaPid) pids.kafka = kafkaPid;
  log(`processes: ${JSON.stringify(pids)} (CPU per phase is read from /proc)`);
  const probe = new CpuProbe(pids, '(no database)');
  const cursor: Record<string, number> = {};
  const runPhase = async (phase: Phase, seconds: number): Promise<PhaseResult> => {
    const list = prepared[phase.endpoint][phase.target];
    const key = `${phase.endpoint}:${phase.target}`;
    const offset = cursor[key] ?? 0;
    const before: CpuSnapshot = probe.snapshot();
    const send = async (i: number) => {
      try {
        const r = await call(bases[phase.target], agents[phase.target], list[(offset + i) % list.length]);
        return usable(phase.endpoint, phase.target, r.status, r.text);
      } catch {
        return false;
      }
    };
    const rate = cfg.rates[phase.endpoint];
    // Open loop: latency from the scheduled send time (no coordinated omission); closed loop: from the send.
    const run = rate > 0 ? await runOpenLoop({ rate, count: Math.round(rate * seconds), send }) : await runClosedLoop({ concurrency: cfg.concurrency, durationMs: seconds * 1000, send });
    cursor[key] = offset + run.results.length; // the next phase of this pair goes on with the next requests
    const cpu = CpuProbe.between(before, probe.snapshot());
    const samples = run.results.map((r) => ({ ms: r.done - r.due, ok: r.value }));
    return { phase, samples, seconds: (run.end - run.start) / 1000, cores: Object.fromEntries(Object.entries(cpu.cores).map(([k, v]) => [k, Math.round(v * 100) / 100])) };
  };

  if (cfg.warmupSeconds > 0) {
    await timed('warm-up', async () => {
      for (const phase of schedule(1).filter((p) => cfg.endpoints.includes(p.endpoint))) await runPhase(phase, cfg.warmupSeconds);
    });
  }
  const phases: PhaseResult[] = [];
  await timed('measure', async () => {
    for (const phase of schedule(cfg.rounds).filter((p) => cfg.endpoints.includes(p.endpoint))) {
      const r = await runPhase(phase, cfg.phaseSeconds);
      const s = summarize(r.samples, r.seconds);
      log(`round ${phase.round + 1} ${phase.endpoint} ${phase.target}: ${s.requests} requests, ${s.rps}/s, p50 ${s.p50} ms, p99 ${s.p99} ms, errors ${s.errors}; cores ${JSON.stringify(r.cores)}`);
      phases.push(r);
      await sleep(200);
    }
  });

  // 5. report
  const comparisons: Comparison[] = cfg.endpoints.map((e) => compare(e, phases, cfg.target));
  const meanCores = (endpoint: Endpoint, target: Target) => {
    const ps = phases.filter((p) => p.phase.endpoint === endpoint && p.phase.target === target);
    const names = [...new Set(ps.flatMap((p) => Object.keys(p.cores)))];
    return Object.fromEntries(names.map((n) => [n, Math.round((ps.reduce((s, p) => s + (p.cores[n] ?? 0), 0) / ps.length) * 100) / 100]));
  };
  const fmt = (x: number) => (Number.isFinite(x) ? String(x) : x === Infinity ? '∞' : 'n/a');
  const cpuCols = ['service', 'opensearch', 'kafka', 'bench', 'other'];
  const table = [
    `| endpoint (load) | path | requests | req/s | p50 ms | p95 ms | p99 ms | max ms | errors | cores: ${cpuCols.join(' / ')} |`,
    '| --- | --- | ---: | ---: | ---: | ---: | ---: | ---: | ---: | --- |',
    ...comparisons.flatMap((c) =>
      (['service', 'opensearch'] as const).map((t) => {
        const s = c[t];
        const cores = meanCores(c.endpoint, t);
        return `| ${c.endpoint} (${loopOf(c.endpoint)}) | ${t === 'service' ? `service GET /v1/${c.endpoint}` : `bare OpenSearch (${c.endpoint === 'search' ? '_search' : '_msearch'})`} | ${s.requests} | ${fmt(s.rps)} | ${fmt(s.p50)} | ${fmt(s.p95)} | ${fmt(s.p99)} | ${fmt(s.max)} | ${s.errors} | ${cpuCols.map((n) => (cores[n] ?? 0).toFixed(2)).join(' / ')} |`;
      }),
    ),
  ];
  const ratios = [
    `| endpoint | p50 service / OpenSearch | p99 service / OpenSearch | p99 ratio per round | target p99 ≤ ${cfg.target}× |`,
    '| --- | ---: | ---: | --- | --- |',
    ...comparisons.map((c) => `| ${c.endpoint} | ${fmt(c.p50Ratio)} | **${fmt(c.p99Ratio)}** | ${c.roundP99Ratios.map(fmt).join(', ')} (median ${fmt(c.medianRoundP99Ratio)}) | ${c.met ? 'met' : 'missed'} |`),
  ];
  console.log(`\n${table.join('\n')}\n\n${ratios.join('\n')}\n`);
  timings.total = Math.round(performance.now() - started);
  const out = join(cfg.outDir, 'results.json');
  writeFileSync(
    out,
    `${JSON.stringify(
      {
        at: new Date().toISOString(),
        settings: { ...cfg, serviceUrl: undefined },
        indexed: { products: world.products.length, logSearches: world.trainSearches.length, queryDocs },
        requests: { search: sources(lists.search), autocomplete: sources(lists.autocomplete), meanCharsTyped: meanChars },
        check,
        problems,
        pids,
        timings,
        comparisons,
        phases: phases.map((p) => ({ ...p.phase, seconds: p.seconds, cores: p.cores, stats: summarize(p.samples, p.seconds) })),
      },
      null,
      2,
    )}\n`,
  );
  log(`verdict: ${comparisons.map((c) => `${c.endpoint} p99 ${fmt(c.service.p99)} ms vs OpenSearch ${fmt(c.opensearch.p99)} ms = ${fmt(c.p99Ratio)}× (target ≤ ${cfg.target}×: ${c.met ? 'met' : 'MISSED'})`).join('; ')}`);
  log(`total ${(timings.total / 1000).toFixed(0)} s; wrote ${out}`);
  for (const a of Object.values(agents)) a.destroy();
  for (const p of problems) log(`PROBLEM: ${p}`);
  if (problems.length) return 1;
  return comparisons.every((c) => c.met) ? 0 : 3;
}

main().then(
  (code) => process.exit(code),
  (err: unknown) => {
    console.error(err instanceof Error ? err.stack : err);
    process.exit(1);
  },
);
