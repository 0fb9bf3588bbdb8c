/**
 * A recommender replica's first seconds (`npm run bench:recs-cold-start`, after `npm run
 * bench:recs-serve` has loaded its store): a fresh recommender on the loaded database, and from the
 * moment its readiness probe answers, 200 requests/s through a gateway, as Kubernetes would route
 * them. Counts the shelves the gateway had to answer with its fallback and the latency by 5-second
 * window: cold (WARM_UP_STORES=0), with the replica's warm-up (its defaults), and cold again.
 * Then the same for the 20 s after the model job swaps a new model in, under that traffic.
 */
import { spawn, type ChildProcess } from 'node:child_process';
import { Agent, request } from 'node:http';
import { createServer } from 'node:net';
import { Client } from 'pg';
import { percentile } from '../ingest/probes';
import { runOpenLoop, type Timed } from './stats';
import { EventStream, generateCatalog, generateRequests, generateShoppers } from './workload';

const env = (name: string, fallback: string) => process.env[name] || fallback;
const int = (name: string, fallback: number) => Number.parseInt(env(name, String(fallback)), 10);
const cfg = {
  pgUrl: env('BENCH_PG_URL', 'postgres://postgres@127.0.0.1:5432/postgres'),
  db: env('BENCH_DB', 'signal_bench_recs_serve'),
  kafka: env('BENCH_KAFKA_BROKERS', '127.0.0.1:9092'),
  group: env('BENCH_RECOMMENDER_GROUP', 'bench-recs-serve-recommender'),
  rate: int('BENCH_RATE', 200),
  seconds: int('BENCH_SECONDS', 20),
  seed: int('BENCH_SEED', 1),
  products: int('BENCH_PRODUCTS', 50_000),
  events: int('BENCH_EVENTS', 1_000_000),
  shoppers: int('BENCH_SHOPPERS', 50_000),
  eventDays: int('BENCH_EVENT_DAYS', 25),
  nodeOptions: env('BENCH_NODE_OPTIONS', '--max-semi-space-size=64').split(' ').filter(Boolean),
  outDir: env('BENCH_OUT_DIR', '.cache/bench/recs-serve'),
};
const dbUrl = `${cfg.pgUrl.replace(/\/[^/]*$/, '')}/${cfg.db}`;
const log = (msg: string) => console.log(`[${new Date().toISOString().slice(11, 23)}] ${msg}`);
const sleep = (ms: number) => new Promise((r) => setTimeout(r, ms));
const agent = new Agent({ keepAlive: true, maxSockets: 256 });

function freePort(): Promise<number> {
  return new Promise((resolve, reject) => {
    const s = createServer();
    s.listen(0, '127.0.0.1', () => {
      const { port } = s.address() as { port: number };
      s.close(() => resolve(port));
    });
    s.on('error', reject);
  });
}

function get(url: string, headers: Record<string, string> = {}, method = 'GET'): Promise<{ status: number; text: string }> {
  return new Promise((resolve) => {
    const req = request(url, { agent, headers, method, timeout: 10_000 }, (res) => {
      const parts: Buffer[] = [];
      res.on('data', (d: Buffer) => parts.push(d));
      res.on('end', () => resolve({ status: res.statusCode ?? 0, text: Buffer.concat(parts).toString() }));
    });
    req.on('timeout', () => req.destroy(new Error('timeout')));
    req.on('error', () => resolve({ status: 0, text: '' }));
    req.end();
  });
}

function start(name: 'recommender' | 'gateway', vars: Record<string, string>): ChildProcess {
  const child = spawn('node', [...cfg.nodeOptions, `dist/apps/${name}/src/main.js`], { env: { ...process.env, LOG_LEVEL: 'warn', DATABASE_URL: dbUrl, KAFKA_BROKERS: cfg.kafka, ...vars }, stdio: ['ignore', 'inherit', 'inherit'] });
  return child;
}

async function ready(base: string, child: ChildProcess): Promise<void> {
  for (let i = 0; i < 1_200; i++) {
    if (child.exitCode !== null) throw new Error(`exited with ${child.exitCode} during start-up`);
    if ((await get(`${base}/health/ready`)).status === 200) return;
    await sleep(50);
  }
  throw new Error(`${base} not ready after 60 s`);
}

async function stop(child: ChildProcess): Promise<void> {
  if (child.exitCode !== null) return;
  child.kill('SIGTERM');
  for (let i = 0; i < 200 && child.exitCode === null; i++) await sleep(50);
  if (child.exitCode === null) child.kill('SIGKILL');
}

interface Outcome {
  status: number;
  fallback: boolean;
}

function windows(results: Timed<Outcome>[], start: number, windowMs: number): string[] {
  const rows: string[] = [];
  for (let from = 0; from < cfg.seconds * 1000; from += windowMs) {
    const inWindow = results.filter((r) => r.due - start >= from && r.due - start < from + windowMs);
    const lat = inWindow.map((r) => r.done - r.due).sort((a, b) => a - b);
    const fallbacks = inWindow.filter((r) => r.value.fallback || r.value.status !== 200).length;
    rows.push(`| ${from / 1000}-${(from + windowMs) / 1000} s | ${inWindow.length} | ${fallbacks} | ${percentile(lat, 50).toFixed(1)} | ${percentile(lat, 99).toFixed(1)} | ${(lat[lat.length - 1] ?? 0).toFixed(1)} |`);
  }
  return rows;
}

async function main(): Promise<void> {
  const db = new Client({ connectionString: dbUrl });
  await db.connect().catch(() => {
    throw new Error(`database ${cfg.db} not found: run npm run bench:recs-serve first (it loads the store this measures)`);
  });
  const [latest] = (await db.query<{ store_id: string }>(`SELECT "store_id" FROM "recommender"."models" ORDER BY "built_at" DESC LIMIT 1`)).rows;
  await db.end();
  if (!latest) throw new Error(`no store with a model in ${cfg.db}: run npm run bench:recs-serve first`);
  const storeId = latest.store_id;

  // The same shoppers and products as the run that loaded the store (same seed): known shoppers are known.
  const now = Date.now();
  const catalog = generateCatalog(cfg.products, now, cfg.seed * 100 + 11);
  const { shoppers, activityCum } = generateShoppers(cfg.shoppers, catalog, cfg.seed * 100 + 12);
  const stream = new EventStream(catalog, shoppers, activityCum, cfg.events, now, cfg.eventDays, `e${cfg.seed}`, cfg.seed * 100 + 13);
  while (stream.next(10_000).length > 0);
  log(`store ${storeId}: workload regenerated (seed ${cfg.seed})`);

  const [gwPort, rcPort] = [await freePort(), await freePort()];
  const adminToken = `bench-${Math.random().toString(36).slice(2)}${Math.random().toString(36).slice(2)}`;
  const gateway = start('gateway', { PORT: String(gwPort), ADMIN_TOKEN: adminToken, RECOMMENDER_URL: `http://127.0.0.1:${rcPort}` });
  const results: string[] = [];
  try {
    await ready(`http://127.0.0.1:${gwPort}`, gateway);
    const keys = await get(`http://127.0.0.1:${gwPort}/admin/v1/stores/${encodeURIComponent(storeId)}/keys`, { 'x-admin-token': adminToken }, 'POST');
    const writeKey = (JSON.parse(keys.text) as { writeKey: string }).writeKey;
    // Cold, warm, cold again: the second cold run shows what is left once the gateway itself is warm.
    // Then a new model swapped in under traffic (BENCH_SWAP=0 skips it; the job takes about 30 s).
    const scenarios: [string, Record<string, string>, boolean][] = [
      ['cold (WARM_UP_STORES=0)', { WARM_UP_STORES: '0' }, false],
      ['warm-up (defaults)', {}, false],
      ['cold again (WARM_UP_STORES=0)', { WARM_UP_STORES: '0' }, false],
    ];
    if (process.env.BENCH_SWAP !== '0') scenarios.push(['new model under traffic', {}, true]);
    for (const [mode, vars, swap] of scenarios) {
      const t0 = Date.now();
      const recommender = start('recommender', { PORT: String(rcPort), KAFKA_GROUP_ID: cfg.group, ...vars });
      try {
        await ready(`http://127.0.0.1:${rcPort}`, recommender);
        const readyMs = Date.now() - t0;
        let segment = 0;
        const send = (query: string) => async (): Promise<Outcome> => {
          const res = await get(`http://127.0.0.1:${gwPort}/v1/recommendations?${query}`, { 'x-api-key': writeKey });
          return { status: res.status, fallback: res.status === 200 && res.text.includes('"fallback"') };
        };
        /**
         * Open-loop traffic in back-to-back 5 s segments (each starts where the last one's timetable
         * ends, whatever is still in flight) from `start` until `until(segment start)`, so a caller
         * can stop at a moment it learns of later.
         */
        const traffic = async (start: number, until: (segmentStart: number) => boolean): Promise<Timed<Outcome>[]> => {
          const segments: Promise<{ results: Timed<Outcome>[] }>[] = [];
          let next = start;
          while (!until(next)) {
            const requests = generateRequests(cfg.rate * 5, catalog, shoppers, stream.seen, { seed: cfg.seed + 300 + results.length * 1000 + segment, tag: `c${results.length}-${segment++}` });
            segments.push(runOpenLoop({ rate: cfg.rate, count: requests.length, startDelayMs: Math.max(0, next - performance.now()), send: (i) => send(requests[i].query)() }));
            next += 5_000;
            await sleep(Math.max(0, next - performance.now() - 20));
          }
          return (await Promise.all(segments)).flatMap((r) => r.results);
        };
        let from = performance.now() + 5;
        let label = `${mode}: ready after ${(readyMs / 1000).toFixed(1)} s`;
        let measured: Timed<Outcome>[];
        if (!swap) {
          log(`${mode}: ready ${(readyMs / 1000).toFixed(1)} s after start; ${cfg.rate} requests/s through the gateway for ${cfg.seconds} s`);
          measured = await traffic(from, (t) => t >= from + cfg.seconds * 1000);
        } else {
          // Traffic first, then the model job on the same store while it runs; measured from the job's exit.
          log(`${mode}: ${cfg.rate} requests/s through the gateway; the model job starts in 10 s`);
          let exitAt = Infinity;
          let jobMs = 0;
          const job = (async () => {
            await sleep(10_000);
            const j0 = performance.now();
            const child = spawn('node', ['dist/apps/recommender/src/build-models.js', '--store', storeId], { env: { ...process.env, LOG_LEVEL: 'warn', DATABASE_URL: dbUrl, KAFKA_BROKERS: cfg.kafka, KAFKA_GROUP_ID: cfg.group }, stdio: ['ignore', 'ignore', 'inherit'] });
            const code = await new Promise<number | null>((resolve) => child.on('exit', resolve));
            if (code !== 0) throw new Error(`model job exited with ${code}`);
            exitAt = performance.now();
            jobMs = exitAt - j0;
          })();
          let failed = false;
          job.catch(() => (failed = true));
          const all = await traffic(from, (t) => failed || t >= exitAt + cfg.seconds * 1000);
          await job;
          from = exitAt;
          measured = all.filter((r) => r.due >= exitAt && r.due < exitAt + cfg.seconds * 1000);
          label = `${mode}: model job ${(jobMs / 1000).toFixed(1)} s; from its exit`;
        }
        const lat = measured.map((r) => r.done - r.due).sort((a, b) => a - b);
        const fallbacks = measured.filter((r) => r.value.fallback || r.value.status !== 200).length;
        const summary = `${label}: fallbacks ${fallbacks} of ${measured.length}; p50 ${percentile(lat, 50).toFixed(1)} ms, p99 ${percentile(lat, 99).toFixed(1)} ms, max ${(lat[lat.length - 1] ?? 0).toFixed(1)} ms`;
        log(summary);
        results.push([`### ${summary}`, '', '| window | requests | fallbacks | p50 ms | p99 ms | max ms |', '| --- | ---: | ---: | ---: | ---: | ---: |', ...windows(measured, from, 5_000), ''].join('\n'));
      } finally {
        await stop(recommender);
      }
    }
  } finally {
    await stop(gateway);
  }
  console.log(`\n## A recommender replica's first seconds, and a new model (${cfg.rate} requests/s through the gateway)\n\n${results.join('\n')}`);
}

main().then(
  () => process.exit(0),
  (e: unknown) => {
    console.error(`[bench:recs-cold-start] ${e instanceof Error ? e.message : String(e)}`);
    process.exit(1);
  },
);
