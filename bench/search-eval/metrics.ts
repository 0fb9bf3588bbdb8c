/**
 * Metrics of the search evaluation. Pure.
 *
 * Search: a query is a hit at k when its intended product, or a product with the identical
 * normalized title (UCI lists near-duplicates such as colour variants under one description), is
 * among the first k hits. An empty result page is an answer with no hit at all; a request that
 * failed (no answer, non-200) is counted apart and as a miss, never as empty.
 *
 * Autocomplete: the reciprocal rank of the intended query among the suggestions (both normalized),
 * 0 when absent; MRR = the mean over the test queries, per number of typed characters.
 */
import { normalizeQuery } from './normalize';

/** 0-based rank of the first hit in `equivalent`, or -1. */
export function firstRank(hits: readonly string[], equivalent: ReadonlySet<string>): number {
  return hits.findIndex((id) => equivalent.has(id));
}

/** 1 / (1 + rank) of the intended query among the suggestions after normalization, 0 when absent. */
export function reciprocalRank(suggestions: readonly string[], intended: string): number {
  const want = normalizeQuery(intended);
  const i = suggestions.findIndex((s) => normalizeQuery(s) === want);
  return i < 0 ? 0 : 1 / (i + 1);
}

export interface SearchOutcome {
  /** Product ids of the first page, in order; empty for a failed request. */
  hits: readonly string[];
  /** false: the request failed (network, timeout, non-200, unparsable). */
  ok: boolean;
  /** The answer named a fallback (e.g. a relaxed query). */
  fallback?: string;
}

export interface SearchMetrics {
  n: number;
  top1: number;
  top5: number;
  top24: number;
  /** Answers with no hit. */
  empty: number;
  /** Requests without an answer. */
  failed: number;
  fallbacks: Record<string, number>;
  /** Shares (0-1) of n. */
  top1Share: number;
  top5Share: number;
  top24Share: number;
}

export class SearchAccumulator {
  private n = 0;
  private top1 = 0;
  private top5 = 0;
  private top24 = 0;
  private empty = 0;
  private failed = 0;
  private readonly fallbacks: Record<string, number> = {};

  /** Returns the 0-based rank of the intended product (or an equivalent), -1 when not on the page. */
  add(o: SearchOutcome, equivalent: ReadonlySet<string>): number {
    this.n++;
    if (!o.ok) {
      this.failed++;
      return -1;
    }
    if (o.hits.length === 0) this.empty++;
    if (o.fallback) this.fallbacks[o.fallback] = (this.fallbacks[o.fallback] ?? 0) + 1;
    const r = firstRank(o.hits, equivalent);
    if (r === 0) this.top1++;
    if (r >= 0 && r < 5) this.top5++;
    if (r >= 0 && r < 24) this.top24++;
    return r;
  }

  result(): SearchMetrics {
    const share = (x: number) => (this.n ? x / this.n : NaN);
    return {
      n: this.n,
      top1: this.top1,
      top5: this.top5,
      top24: this.top24,
      empty: this.empty,
      failed: this.failed,
      fallbacks: { ...this.fallbacks },
      top1Share: share(this.top1),
      top5Share: share(this.top5),
      top24Share: share(this.top24),
    };
  }
}

export interface MrrMetrics {
  n: number;
  /** Mean reciprocal rank. */
  mrr: number;
  /** Share of queries whose intended query was suggested at all. */
  found: number;
  /** Share suggested first. */
  first: number;
  failed: number;
}

export class MrrAccumulator {
  private n = 0;
  private sum = 0;
  private found = 0;
  private first = 0;
  private failed = 0;

  /** `suggestions` null: the request failed (counts as rank 0). */
  add(suggestions: readonly string[] | null, intended: string): number {
    this.n++;
    if (suggestions === null) {
      this.failed++;
      return 0;
    }
    const rr = reciprocalRank(suggestions, intended);
    this.sum += rr;
    if (rr > 0) this.found++;
    if (rr === 1) this.first++;
    return rr;
  }

  result(): MrrMetrics {
    const share = (x: number) => (this.n ? x / this.n : NaN);
    return { n: this.n, mrr: share(this.sum), found: share(this.found), first: share(this.first), failed: this.failed };
  }
}

/** Distinct values in order of first appearance, at most `k`. */
export function distinctTop(values: readonly string[], k: number): string[] {
  const seen = new Set<string>();
  const out: string[] = [];
  for (const v of values) {
    if (seen.has(v)) continue;
    seen.add(v);
    out.push(v);
    if (out.length >= k) break;
  }
  return out;
}

/** Nearest-rank percentile of sorted values (p in 0-100). */
export function percentileSorted(sorted: readonly number[], p: number): number {
  if (sorted.length === 0) return NaN;
  const rank = Math.ceil((p / 100) * sorted.length);
  return sorted[Math.min(sorted.length - 1, Math.max(0, rank - 1))];
}
