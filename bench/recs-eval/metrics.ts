/**
 * Ranking metrics for one test case (a ranked list vs the set of relevant items) and the
 * list-level metrics over a whole run (catalog coverage, novelty). Per-case metrics only look at
 * the top K, so a recommender that returns more than K items is not rewarded for it.
 */

/** 1 if any of the top K is relevant. With a single relevant item this is the usual hit rate. */
export function hitRate(ranked: readonly string[], relevant: ReadonlySet<string>, k: number): number {
  const n = Math.min(k, ranked.length);
  for (let i = 0; i < n; i++) if (relevant.has(ranked[i])) return 1;
  return 0;
}

/**
 * Binary-relevance NDCG: DCG = sum over relevant hits at 0-based position i of 1/log2(i+2),
 * normalised by the DCG of a perfect list (min(K, |relevant|) hits at the top).
 */
export function ndcg(ranked: readonly string[], relevant: ReadonlySet<string>, k: number): number {
  if (relevant.size === 0) return 0;
  const n = Math.min(k, ranked.length);
  let dcg = 0;
  for (let i = 0; i < n; i++) if (relevant.has(ranked[i])) dcg += 1 / Math.log2(i + 2);
  let ideal = 0;
  const m = Math.min(k, relevant.size);
  for (let i = 0; i < m; i++) ideal += 1 / Math.log2(i + 2);
  return dcg / ideal;
}

/** Reciprocal rank of the first relevant item in the top K, 0 if none. */
export function mrr(ranked: readonly string[], relevant: ReadonlySet<string>, k: number): number {
  const n = Math.min(k, ranked.length);
  for (let i = 0; i < n; i++) if (relevant.has(ranked[i])) return 1 / (i + 1);
  return 0;
}

/**
 * Share of the train catalog that appears in at least one top-K list. Items outside the catalog
 * (a plugged-in recommender could return them) are not counted, so the value stays in [0, 1].
 */
export function catalogCoverage(recommended: Iterable<string>, catalog: ReadonlySet<string>): number {
  if (catalog.size === 0) return 0;
  const seen = new Set<string>();
  for (const item of recommended) if (catalog.has(item)) seen.add(item);
  return seen.size / catalog.size;
}

/**
 * Self-information of an item: -log2(share of train invoices that contain it). Popular items
 * carry little information, long-tail items much. Items never seen in train are treated as seen
 * once, so the value stays finite (and maximal) rather than infinite.
 */
export function selfInformation(count: number, totalInvoices: number): number {
  return -Math.log2(Math.max(count, 1) / totalInvoices);
}

/** Accumulates per-case metrics and the list-level ones for one (task, method) pair. */
export class MetricsAccumulator {
  private cases = 0;
  private hr = 0;
  private ndcgSum = 0;
  private mrrSum = 0;
  private noveltySum = 0;
  private recommendedSlots = 0;
  private readonly recommended = new Set<string>();

  constructor(
    private readonly k: number,
    private readonly catalog: ReadonlySet<string>,
    private readonly popularity: ReadonlyMap<string, number>,
    private readonly totalInvoices: number,
  ) {}

  add(ranked: readonly string[], relevant: ReadonlySet<string>): void {
    const top = ranked.slice(0, this.k);
    this.cases++;
    this.hr += hitRate(top, relevant, this.k);
    this.ndcgSum += ndcg(top, relevant, this.k);
    this.mrrSum += mrr(top, relevant, this.k);
    for (const item of top) {
      this.recommended.add(item);
      this.noveltySum += selfInformation(this.popularity.get(item) ?? 0, this.totalInvoices);
      this.recommendedSlots++;
    }
  }

  result(): MetricsResult {
    const mean = (x: number): number => (this.cases ? x / this.cases : 0);
    return {
      cases: this.cases,
      hr: mean(this.hr),
      ndcg: mean(this.ndcgSum),
      mrr: mean(this.mrrSum),
      coverage: catalogCoverage(this.recommended, this.catalog),
      novelty: this.recommendedSlots ? this.noveltySum / this.recommendedSlots : 0,
    };
  }
}

export interface MetricsResult {
  cases: number;
  hr: number;
  ndcg: number;
  mrr: number;
  coverage: number;
  /** Mean self-information (bits) over all recommended slots. */
  novelty: number;
}
