/**
 * Search by image, offline: precision@5 on Fashion-MNIST for the search service's image
 * embedding against two simple baselines, for two kinds of query (README.md).
 *
 *   npm run bench:image-eval          (= npm run -s build && node dist/bench/image-eval/run.js)
 */
import { mkdirSync, writeFileSync } from 'node:fs';
import { cpus } from 'node:os';
import { join } from 'node:path';
import { positiveIntEnv as intEnv, prng, repoRoot } from '../common';
import { histogramVector, pixelVector } from './baselines';
import { CLASS_NAMES, loadFashionMnist } from './data';
import { embedWithService } from './embed-client';
import { nearest, overlap, precisionAtK } from './metrics';
import { buildKnnIndex } from './opensearch';
import { catalogPng, shopperPhoto } from './pictures';

const PER_CLASS = intEnv('IMAGE_EVAL_PER_CLASS', 200);
const QUERIES = intEnv('IMAGE_EVAL_QUERIES', 50);
const SEED = intEnv('IMAGE_EVAL_SEED', 42);
const K = intEnv('IMAGE_EVAL_K', 5);
const OPENSEARCH_URL = process.env.IMAGE_EVAL_OPENSEARCH_URL ?? process.env.OPENSEARCH_URL;

type Condition = 'catalog' | 'photo';
interface MethodVectors {
  name: string;
  gallery: Float32Array[];
  photos: Float32Array[];
  msPerImage: number;
}
interface Row {
  method: string;
  condition: Condition;
  precision: number;
  perClass: number[];
}

const serviceMethod = (methods: MethodVectors[]) => methods[methods.length - 1];
const seconds = (t: number) => ((Date.now() - t) / 1000).toFixed(1);

async function main(): Promise<void> {
  if (QUERIES > PER_CLASS) throw new Error('IMAGE_EVAL_QUERIES must not exceed IMAGE_EVAL_PER_CLASS');
  const started = Date.now();
  const items = loadFashionMnist(PER_CLASS, SEED);
  const labels = items.map((i) => i.label);
  // The first QUERIES of every class ask; everything else (and the other queries) is the catalog.
  const queries = items.map((_, i) => i).filter((i) => i % PER_CLASS < QUERIES);
  const random = prng(SEED + 1);
  const pngs = await Promise.all(items.map((i) => catalogPng(i.pixels)));
  const photos: Buffer[] = [];
  for (const q of queries) photos.push(await shopperPhoto(items[q].pixels, random));
  console.log(`fashion-mnist: ${items.length} catalog pictures (${PER_CLASS} per class), ${queries.length} queries (${QUERIES} per class) in ${seconds(started)} s`);

  const methods: MethodVectors[] = [];
  for (const [name, vectorOf] of [['pixels (28×28 grey, cosine)', pixelVector], ['grey histogram (32 bins)', histogramVector]] as const) {
    const t = Date.now();
    const gallery = await Promise.all(pngs.map(vectorOf));
    const photoVectors = await Promise.all(photos.map(vectorOf));
    methods.push({ name, gallery, photos: photoVectors, msPerImage: (Date.now() - t) / (pngs.length + photos.length) });
  }
  const t = Date.now();
  const model = await embedWithService(repoRoot(), [...pngs, ...photos]);
  console.log(`image model ${model.model} (${model.dims}-d): ${pngs.length + photos.length} pictures in ${seconds(t)} s, ${model.msPerImage.toFixed(1)} ms each inside the embedder`);
  methods.push({ name: `search service (${model.model})`, gallery: model.vectors.slice(0, pngs.length), photos: model.vectors.slice(pngs.length), msPerImage: model.msPerImage });

  const rows: Row[] = [];
  const exactModel: Record<Condition, number[][]> = { catalog: [], photo: [] };
  for (const m of methods) {
    for (const condition of ['catalog', 'photo'] as const) {
      const results = queries.map((q, j) => {
        const query = condition === 'catalog' ? m.gallery[q] : m.photos[j];
        return { label: labels[q], retrieved: nearest(query, m.gallery, K, q).map((n) => n.index) };
      });
      if (m === methods[methods.length - 1]) exactModel[condition] = results.map((r) => r.retrieved);
      const perClass = CLASS_NAMES.map((_, c) => precisionAtK(results.filter((r) => r.label === c), labels, K));
      rows.push({ method: m.name, condition, precision: precisionAtK(results, labels, K), perClass });
    }
  }

  let knn: { condition: Condition; candidates: number; precision: number; recall: number; msPerQuery: number }[] = [];
  if (OPENSEARCH_URL && process.env.IMAGE_EVAL_OPENSEARCH !== '0') knn = await viaOpenSearch(OPENSEARCH_URL, methods[methods.length - 1], queries, labels, exactModel);

  console.log(`\nP@${K} (share of the ${K} nearest catalog pictures of the query's class; the query's own catalog picture left out)\n`);
  console.log(`| method | catalog picture as query | shopper photo as query | ms per picture |`);
  console.log(`| --- | ---: | ---: | ---: |`);
  const row = (m: MethodVectors, c: Condition) => rows.find((r) => r.method === m.name && r.condition === c) as Row;
  for (const m of methods) {
    const p = (c: Condition) => row(m, c).precision.toFixed(3);
    console.log(`| ${m.name} | ${p('catalog')} | ${p('photo')} | ${m.msPerImage.toFixed(1)} |`);
  }
  if (knn.length) {
    console.log(`\nThe service's vectors through OpenSearch k-NN (Lucene HNSW), ${serviceMethod(methods).gallery.length} vectors:\n`);
    console.log(`| queries | candidates (knn k) | P@${K} | recall@${K} vs exact | ms per query |`);
    console.log(`| --- | ---: | ---: | ---: | ---: |`);
    for (const k of knn) console.log(`| ${k.condition} | ${k.candidates} | ${k.precision.toFixed(3)} | ${k.recall.toFixed(3)} | ${k.msPerQuery.toFixed(1)} |`);
  }
  console.log(`\nper class, P@${K} (catalog / photo):\n`);
  console.log(`| class | ${methods.map((m) => m.name.split(' (')[0]).join(' | ')} |`);
  console.log(`| --- |${methods.map(() => ' ---: |').join('')}`);
  CLASS_NAMES.forEach((name, c) => {
    const cell = (m: MethodVectors) => (['catalog', 'photo'] as const).map((cond) => row(m, cond).perClass[c].toFixed(2)).join(' / ');
    console.log(`| ${name} | ${methods.map(cell).join(' | ')} |`);
  });

  const out = join(repoRoot(), '.cache/bench/image-eval');
  mkdirSync(out, { recursive: true });
  const settings = { perClass: PER_CLASS, queriesPerClass: QUERIES, seed: SEED, k: K, cpus: cpus().length, node: process.version };
  writeFileSync(join(out, 'results.json'), JSON.stringify({ settings, rows, knn, totalSeconds: Number(seconds(started)) }, null, 2));
  console.log(`\nwrote ${join(out, 'results.json')}; total ${seconds(started)} s`);
}

async function viaOpenSearch(url: string, m: MethodVectors, queries: number[], labels: number[], exact: Record<Condition, number[][]>) {
  const index = await buildKnnIndex(url, m.gallery);
  try {
    const out = [];
    // As the service asks (KNN_CANDIDATES = 50 in image-vector-store.ts), and with exactly k.
    for (const candidates of [K, 50]) {
      for (const condition of ['catalog', 'photo'] as const) {
        const t = Date.now();
        const results = [];
        let recall = 0;
        for (const [j, q] of queries.entries()) {
          const retrieved = await index.nearest(condition === 'catalog' ? m.gallery[q] : m.photos[j], K, q, candidates);
          recall += overlap(retrieved, exact[condition][j]);
          results.push({ label: labels[q], retrieved });
        }
        out.push({ condition, candidates, precision: precisionAtK(results, labels, K), recall: recall / queries.length, msPerQuery: (Date.now() - t) / queries.length });
      }
    }
    return out;
  } finally {
    await index.drop();
  }
}

main().catch((e: unknown) => {
  console.error(e instanceof Error ? e.stack : e);
  process.exit(1);
});
