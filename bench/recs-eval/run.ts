/**
 * Offline recommender evaluation (`npm run bench:recs-eval`): UCI Online Retail → clean →
 * temporal split → test cases per task → every recommender → markdown table on stdout and
 * .cache/bench/recs-eval/results.json. See bench/recs-eval/README.md.
 *
 * Env: RECS_EVAL_DATA (../shared/data/uci-online-retail/online_retail.csv.gz, relative to the repo
 * root), RECS_EVAL_K (10), RECS_EVAL_SEED (42), RECS_EVAL_NEIGHBOURS (200), RECS_EVAL_TEST_DAYS (30),
 * RECS_EVAL_CANDIDATES (unset; 1 = also measure the candidate algorithms of candidates.ts).
 */
import { existsSync, mkdirSync, writeFileSync } from 'node:fs';
import { join, resolve } from 'node:path';
import { positiveIntEnv as intEnv, repoRoot } from '../common';
import { ItemKnnRecommender, PopularityRecommender, invoiceCounts } from './baselines';
import { candidateRecommenders } from './candidates';
import { loadInvoices } from './data';
import { MetricsAccumulator, type MetricsResult } from './metrics';
import { temporalSplit } from './split';
import { boughtTogetherCases, homeCases, nextPurchaseCases } from './tasks';
import type { Recommender, TaskName, TestCase } from './types';

const timings: Record<string, number> = {};
async function timed<T>(label: string, fn: () => T | Promise<T>): Promise<T> {
  const t0 = performance.now();
  const out = await fn();
  timings[label] = Math.round(performance.now() - t0);
  console.log(`[recs-eval] ${label}: ${timings[label]} ms`);
  return out;
}

const day = (ms: number): string => new Date(ms).toISOString().slice(0, 16).replace('T', ' ');
const f3 = (x: number): string => x.toFixed(4);

async function main(): Promise<void> {
  const root = repoRoot();
  const dataPath = resolve(root, process.env.RECS_EVAL_DATA ?? '../shared/data/uci-online-retail/online_retail.csv.gz');
  const k = intEnv('RECS_EVAL_K', 10);
  const seed = intEnv('RECS_EVAL_SEED', 42);
  const neighbours = intEnv('RECS_EVAL_NEIGHBOURS', 200);
  const testDays = intEnv('RECS_EVAL_TEST_DAYS', 30);
  if (!existsSync(dataPath)) throw new Error(`data not found: ${dataPath} (set RECS_EVAL_DATA)`);
  const started = performance.now();

  const { invoices, stats } = await timed('load', () => loadInvoices(dataPath));
  const split = temporalSplit(invoices, testDays);
  const { train, test } = split;
  const items = new Set(invoices.flatMap((i) => i.items));
  const customers = new Set(invoices.flatMap((i) => (i.customerId === null ? [] : [i.customerId])));
  const counts = invoiceCounts(train);
  const catalog = new Set(counts.keys());
  const data = {
    path: dataPath,
    ...stats,
    invoices: invoices.length,
    customers: customers.size,
    items: items.size,
    trainInvoices: train.length,
    testInvoices: test.length,
    trainCatalog: catalog.size,
    testItemsUnseenInTrain: [...new Set(test.flatMap((i) => i.items))].filter((i) => !catalog.has(i)).length,
    testWindow: { from: day(split.cutoff), to: day(split.maxAt) },
  };
  console.log(`[recs-eval] data: ${JSON.stringify(data)}`);

  const tasks = await timed('tasks', () => ({
    bought_together: boughtTogetherCases(test, seed),
    next_purchase: nextPurchaseCases(train, test),
    home: homeCases(train, test),
  }));
  const popularity = new PopularityRecommender(counts);
  const knn = await timed('train itemKnn', () => new ItemKnnRecommender(train, counts, { neighbours, backfill: true }));
  const methods: Recommender[] = [popularity, knn];
  if (process.env.RECS_EVAL_CANDIDATES === '1') {
    methods.push(...(await timed('train candidates', () => candidateRecommenders(train, split.cutoff))));
  }

  const results: { task: TaskName; method: string; ms: number; metrics: MetricsResult }[] = [];
  for (const [task, cases] of Object.entries(tasks) as [TaskName, TestCase[]][]) {
    for (const method of methods) {
      const acc = new MetricsAccumulator(k, catalog, counts, train.length);
      const t0 = performance.now();
      for (const c of cases) acc.add(method.recommend(c.input, k, c.exclude), c.relevant);
      results.push({ task, method: method.name, ms: Math.round(performance.now() - t0), metrics: acc.result() });
    }
  }
  timings.total = Math.round(performance.now() - started);

  const lines = [
    `| task | method | HR@${k} | NDCG@${k} | MRR@${k} | coverage | novelty (bits) | #cases | ms |`,
    '| --- | --- | ---: | ---: | ---: | ---: | ---: | ---: | ---: |',
    ...results.map(
      (r) =>
        `| ${r.task} | ${r.method} | ${f3(r.metrics.hr)} | ${f3(r.metrics.ndcg)} | ${f3(r.metrics.mrr)} | ` +
        `${f3(r.metrics.coverage)} | ${r.metrics.novelty.toFixed(2)} | ${r.metrics.cases} | ${r.ms} |`,
    ),
  ];
  console.log(`\n${lines.join('\n')}\n`);

  const outDir = join(root, '.cache/bench/recs-eval');
  mkdirSync(outDir, { recursive: true });
  const out = join(outDir, 'results.json');
  const rssMb = Math.round(process.memoryUsage().rss / 2 ** 20);
  writeFileSync(out, `${JSON.stringify({ k, seed, neighbours, testDays, data, timings, rssMb, results }, null, 2)}\n`);
  console.log(`[recs-eval] total ${timings.total} ms, rss ${rssMb} MB; wrote ${out}`);
}

main().catch((err: unknown) => {
  console.error(err instanceof Error ? err.stack : err);
  process.exit(1);
});
