/**
 * A realistic search log made from the real sales, for the autocomplete evaluation. Pure and
 * deterministic for a seed.
 *
 * Each logged search stands for one sale (an invoice line) drawn uniformly from the sales of a time
 * window, so a product is searched as often as it sells. Its query is, with probability
 * `fullShare`, the product's full normalized title, otherwise a short phrase of it: a contiguous run
 * of 1-3 words that starts and ends with a content word (letters, at least 3 of them, not a
 * stop word): "white hanging heart t-light holder" gives "heart", "hanging heart", "white hanging
 * heart", "holder", ... (length drawn first: 1 word 30%, 2 words 45%, 3 words 25%; then the start,
 * uniformly; a title with no content word is searched in full).
 *
 * The log is sent to the service as enriched events: `search` (the query, a searchId), then
 * `search_result_click` of the sold product 60 s later (position 0, same searchId and query), and
 * for `purchaseShare` of the searches a `purchase` of it (the sale's quantity and price) 120 s
 * later. One visitor and session per search.
 */
import { profileIdFor, shopperKey, type EnrichedEvent } from '@signal/contracts';
import type { EvalProduct, Sale } from './catalog';
import { words } from './normalize';

/** Words a short query never starts or ends with. */
export const STOP_WORDS: ReadonlySet<string> = new Set(['of', 'and', 'the', 'with', 'for', 'in', 'on', 'to', 'a', 'an', 'set', 'pack', 'box', 'assorted', 'design', 'w', 's', 'no']);

export const isContentWord = (w: string): boolean => /^[a-z]{3,}$/.test(w) && !STOP_WORDS.has(w);

const LENGTH_WEIGHTS: readonly [number, number][] = [
  [1, 0.3],
  [2, 0.45],
  [3, 0.25],
];

/** The valid short phrases of a normalized title, by length (1-3 words). */
export function shortPhrases(query: string): Map<number, string[]> {
  const ws = words(query);
  const out = new Map<number, string[]>();
  for (const [n] of LENGTH_WEIGHTS) {
    const xs: string[] = [];
    for (let i = 0; i + n <= ws.length; i++) if (isContentWord(ws[i]) && isContentWord(ws[i + n - 1])) xs.push(ws.slice(i, i + n).join(' '));
    if (xs.length) out.set(n, xs);
  }
  return out;
}

/** A short phrase of the title (see the header), or null when it has no content word. */
export function shortPhrase(query: string, rand: () => number): string | null {
  const byLength = shortPhrases(query);
  if (byLength.size === 0) return null;
  const options = LENGTH_WEIGHTS.filter(([n]) => byLength.has(n));
  const total = options.reduce((s, [, w]) => s + w, 0);
  let x = rand() * total;
  let n = options[options.length - 1][0];
  for (const [len, w] of options) {
    if (x < w) {
      n = len;
      break;
    }
    x -= w;
  }
  const xs = byLength.get(n) as string[];
  return xs[Math.floor(rand() * xs.length)];
}

export interface LoggedSearch {
  /** Data time of the sale it stands for. */
  at: number;
  productId: string;
  /** Normalized query. */
  query: string;
  kind: 'full' | 'short';
  sale: Sale;
}

/** The query a shopper typed for `product`: its title (fullShare) or a short phrase of it. */
export function queryFor(product: EvalProduct, rand: () => number, fullShare: number): { query: string; kind: 'full' | 'short' } {
  if (rand() < fullShare) return { query: product.query, kind: 'full' };
  const short = shortPhrase(product.query, rand);
  return short === null ? { query: product.query, kind: 'full' } : { query: short, kind: 'short' };
}

/**
 * `count` sales drawn uniformly without replacement from those with from <= at < to (all of them
 * when there are fewer), in time order, each with its query.
 */
export function sampleSearches(sales: readonly Sale[], products: ReadonlyMap<string, EvalProduct>, o: { from: number; to: number; count: number; fullShare: number; rand: () => number }): LoggedSearch[] {
  const window = sales.filter((s) => s.at >= o.from && s.at < o.to);
  // Partial Fisher-Yates over indices: the first `count` of a uniform permutation.
  const idx = window.map((_, i) => i);
  const n = Math.min(o.count, idx.length);
  for (let i = 0; i < n; i++) {
    const j = i + Math.floor(o.rand() * (idx.length - i));
    [idx[i], idx[j]] = [idx[j], idx[i]];
  }
  const chosen = idx.slice(0, n).sort((a, b) => a - b);
  return chosen.map((i) => {
    const sale = window[i];
    const product = products.get(sale.productId);
    if (!product) throw new Error(`sale of unknown product ${sale.productId}`);
    return { at: sale.at, productId: sale.productId, ...queryFor(product, o.rand, o.fullShare), sale };
  });
}

/** The time that splits the data: `share` of the way from the first to the last invoice. */
export const splitTime = (minAt: number, maxAt: number, share: number): number => Math.round(minAt + (maxAt - minAt) * share);

/** Enriched events (as ingest publishes them) of one logged search, with their Kafka keys. */
export function searchSessionEvents(
  s: LoggedSearch,
  n: number,
  o: { storeId: string; runTag: string; shiftMs: number; purchase: boolean },
): { key: string; event: EnrichedEvent }[] {
  const anonymousId = `se-${o.runTag}-v${n}`;
  const profileId = profileIdFor(o.storeId, { anonymousId });
  const searchId = `se-${o.runTag}-s${n}`;
  const t0 = s.at + o.shiftMs - 180_000;
  const make = (suffix: string, offsetMs: number, type: EnrichedEvent['type'], properties: Record<string, unknown>): { key: string; event: EnrichedEvent } => {
    const at = new Date(t0 + offsetMs).toISOString();
    return {
      key: shopperKey(o.storeId, profileId),
      event: {
        eventId: `se-${o.runTag}-${n}-${suffix}`,
        type,
        occurredAt: at,
        anonymousId,
        sessionId: `se-${o.runTag}-x${n}`,
        properties,
        storeId: o.storeId,
        receivedAt: at,
        profileId,
        enrichment: { device: { type: 'desktop' } },
        enrichedAt: at,
      },
    };
  };
  const out = [
    make('s', 0, 'search', { query: s.query, searchId }),
    make('c', 60_000, 'search_result_click', { productId: s.productId, position: 0, searchId, query: s.query }),
  ];
  if (o.purchase) {
    const price = s.sale.price;
    out.push(
      make('p', 120_000, 'purchase', {
        orderId: `se-${o.runTag}-o${n}`,
        value: Math.round(price * s.sale.quantity * 100) / 100,
        currency: 'GBP',
        items: [{ productId: s.productId, quantity: s.sale.quantity, price }],
      }),
    );
  }
  return out;
}

/**
 * "Most popular completion", the autocomplete baseline that needs no search engine: the logged
 * queries (normalized) counted, and for a prefix the `k` most frequent that start with it (ties
 * alphabetical).
 */
export class CompletionCounts {
  private readonly counts = new Map<string, number>();
  private ranked: [string, number][] | null = null;

  add(query: string): void {
    this.counts.set(query, (this.counts.get(query) ?? 0) + 1);
    this.ranked = null;
  }

  has(query: string): boolean {
    return this.counts.has(query);
  }

  get size(): number {
    return this.counts.size;
  }

  top(prefix: string, k: number): string[] {
    if (!this.ranked) this.ranked = [...this.counts].sort((a, b) => b[1] - a[1] || (a[0] < b[0] ? -1 : a[0] > b[0] ? 1 : 0));
    const out: string[] = [];
    for (const [q] of this.ranked) {
      if (q.startsWith(prefix)) out.push(q);
      if (out.length >= k) break;
    }
    return out;
  }
}
