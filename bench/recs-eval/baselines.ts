/**
 * Two reference recommenders trained on the train invoices only. They set the bar the real
 * service has to beat: popularity (non-personalised) and item-kNN over basket co-occurrence.
 */
import type { Invoice, RecommendInput, Recommender } from './types';

/** Train item counts = number of invoices containing the item (an invoice's quantity is ignored). */
export function invoiceCounts(train: readonly Invoice[]): Map<string, number> {
  const counts = new Map<string, number>();
  for (const inv of train) for (const item of inv.items) counts.set(item, (counts.get(item) ?? 0) + 1);
  return counts;
}

/** Most popular first; ties broken by code so rankings are identical across runs. */
function byPopularity(counts: ReadonlyMap<string, number>): string[] {
  return [...counts.entries()].sort(([a, x], [b, y]) => y - x || (a < b ? -1 : 1)).map(([item]) => item);
}

function firstAllowed(ranked: readonly string[], k: number, exclude: ReadonlySet<string>, out: string[] = []): string[] {
  const taken = new Set(out);
  for (const item of ranked) {
    if (out.length >= k) break;
    if (!exclude.has(item) && !taken.has(item)) out.push(item);
  }
  return out;
}

export class PopularityRecommender implements Recommender {
  readonly name = 'popularity';
  private readonly ranked: string[];

  constructor(counts: ReadonlyMap<string, number>) {
    this.ranked = byPopularity(counts);
  }

  recommend(_input: RecommendInput, k: number, exclude: ReadonlySet<string>): string[] {
    return firstAllowed(this.ranked, k, exclude);
  }
}

export interface ItemKnnOptions {
  /** Neighbours kept per item: bounds memory and scoring time (sum over input items × neighbours). */
  neighbours: number;
  /** Fill lists shorter than k with popular items so every method returns k items. */
  backfill: boolean;
}

/**
 * Item-kNN: an item's vector is the set of train invoices containing it, so
 * cosine(a, b) = co(a, b) / sqrt(n(a) · n(b)). score(c) = sum over input items i of cosine(i, c),
 * keeping only each input item's top neighbours.
 */
export class ItemKnnRecommender implements Recommender {
  readonly name = 'itemKnn';
  private readonly index = new Map<string, number>();
  private readonly codes: string[];
  private readonly neighbourIds: Int32Array[] = [];
  private readonly neighbourSims: Float32Array[] = [];
  private readonly popular: string[];
  /** Scratch buffers reused across calls: scoring touches few items, so resetting only those is cheap. */
  private readonly scores: Float64Array;
  private readonly touched: Int32Array;

  constructor(train: readonly Invoice[], counts: ReadonlyMap<string, number>, private readonly opts: ItemKnnOptions) {
    this.popular = byPopularity(counts);
    // Indices in popularity order: equal scores then fall back to the more popular item.
    this.codes = this.popular;
    this.codes.forEach((c, i) => this.index.set(c, i));
    const n = this.codes.length;
    // A dense co-occurrence matrix: ~4k items → 16M uint32 = 64 MB, far faster than nested maps,
    // and released as soon as the neighbour lists are cut. Only the upper triangle is written.
    const co = new Uint32Array(n * n);
    for (const inv of train) {
      // Every train item is indexed (counts come from the same invoices); the guard only keeps types honest.
      const ids = inv.items.flatMap((c) => this.index.get(c) ?? []).sort((a, b) => a - b);
      for (let x = 0; x < ids.length; x++) {
        const row = ids[x] * n;
        for (let y = x + 1; y < ids.length; y++) co[row + ids[y]]++;
      }
    }
    const norm = this.codes.map((c) => Math.sqrt(counts.get(c) ?? 1));
    const sims = new Float64Array(n);
    const order = new Int32Array(n);
    for (let a = 0; a < n; a++) {
      let m = 0;
      for (let b = 0; b < n; b++) {
        if (a === b) continue;
        const c = a < b ? co[a * n + b] : co[b * n + a];
        if (c === 0) continue;
        sims[b] = c / (norm[a] * norm[b]);
        order[m++] = b;
      }
      const top = Array.from(order.subarray(0, m))
        .sort((x, y) => sims[y] - sims[x] || x - y)
        .slice(0, opts.neighbours);
      this.neighbourIds.push(Int32Array.from(top));
      this.neighbourSims.push(Float32Array.from(top, (b) => sims[b]));
    }
    this.scores = new Float64Array(n);
    this.touched = new Int32Array(n);
  }

  recommend(input: RecommendInput, k: number, exclude: ReadonlySet<string>): string[] {
    let t = 0;
    for (const item of input.items) {
      const a = this.index.get(item);
      if (a === undefined) continue; // unseen in train: no co-occurrence evidence
      const ids = this.neighbourIds[a];
      const sims = this.neighbourSims[a];
      for (let j = 0; j < ids.length; j++) {
        const b = ids[j];
        if (this.scores[b] === 0) this.touched[t++] = b;
        this.scores[b] += sims[j];
      }
    }
    const candidates: number[] = [];
    for (let j = 0; j < t; j++) {
      const b = this.touched[j];
      if (!exclude.has(this.codes[b])) candidates.push(b);
    }
    candidates.sort((x, y) => this.scores[y] - this.scores[x] || x - y);
    const out = candidates.slice(0, k).map((b) => this.codes[b]);
    for (let j = 0; j < t; j++) this.scores[this.touched[j]] = 0;
    return this.opts.backfill ? firstAllowed(this.popular, k, exclude, out) : out;
  }
}
