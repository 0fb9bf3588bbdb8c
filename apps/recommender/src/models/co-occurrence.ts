/**
 * Item-to-item neighbours from co-occurrence, computed one item at a time over an inverted index
 * (item → the transactions holding it) with one dense accumulator: memory is the postings plus
 * one array of the catalog's size, whatever the number of distinct pairs.
 */

/** A transaction is a list of distinct item indexes (an order, a browsing session). */
export type Transaction = readonly number[];

export interface Neighbours {
  items: Int32Array;
  scores: Float32Array;
}

export interface CoOccurrenceOptions {
  /** Neighbours kept per item. */
  topK: number;
  /**
   * score(a → b) = co(a, b) / (n(a)^alpha · n(b)^(1 − alpha) + shrink). alpha 0.5 is cosine; a
   * smaller alpha damps popular b's less and popular a's more: a favourite for cross-sell.
   */
  alpha: number;
  /** Damps pairs seen a few times only (a one-off basket says little). */
  shrink: number;
  /** Pairs seen fewer times are ignored. */
  minCount: number;
}

/** The inverted index: for each item, the transactions (by index) holding it. */
function postings(transactions: readonly Transaction[], items: number): Int32Array[] {
  const counts = new Int32Array(items);
  for (const t of transactions) for (const i of t) counts[i]++;
  const lists = Array.from({ length: items }, (_, i) => new Int32Array(counts[i]));
  const fill = new Int32Array(items);
  transactions.forEach((t, ti) => {
    for (const i of t) lists[i][fill[i]++] = ti;
  });
  return lists;
}

/** The `k` best (index, score) of the touched entries of `acc`, best first; ties by lower index. */
export function topOf(touched: readonly number[], score: (j: number) => number, k: number): Neighbours {
  const scored = touched.map((j) => ({ j, s: score(j) })).filter((x) => x.s > 0);
  scored.sort((a, b) => b.s - a.s || a.j - b.j);
  const n = Math.min(k, scored.length);
  const out = { items: new Int32Array(n), scores: new Float32Array(n) };
  for (let x = 0; x < n; x++) {
    out.items[x] = scored[x].j;
    out.scores[x] = scored[x].s;
  }
  return out;
}

/** Symmetric co-occurrence within transactions (bought together, viewed together), scored one or more ways. */
export function coOccurrenceNeighbours(transactions: readonly Transaction[], items: number, variants: readonly CoOccurrenceOptions[]): (Neighbours | null)[][] {
  const lists = postings(transactions, items);
  const n = lists.map((l) => l.length);
  const acc = new Float64Array(items);
  const out: (Neighbours | null)[][] = variants.map(() => new Array(items).fill(null));
  for (let a = 0; a < items; a++) {
    if (n[a] === 0) continue;
    const touched: number[] = [];
    for (const ti of lists[a]) {
      for (const b of transactions[ti]) {
        if (b === a) continue;
        if (acc[b] === 0) touched.push(b);
        acc[b]++;
      }
    }
    variants.forEach((o, v) => {
      const na = n[a] ** o.alpha;
      out[v][a] = topOf(touched, (b) => (acc[b] < o.minCount ? 0 : acc[b] / (na * n[b] ** (1 - o.alpha) + o.shrink)), o.topK);
    });
    for (const b of touched) acc[b] = 0;
  }
  return out;
}

/** One shopper's orders: time and distinct item indexes. */
export interface TimedOrder {
  at: number;
  items: readonly number[];
}

export interface SequenceOptions {
  topK: number;
  /** a leads to b only if b was first bought within this many days after a purchase of a. */
  windowDays: number;
  /** Each (shopper, a, b) counts 2^(−age of b's purchase / halfLife): the table follows the season. */
  halfLifeDays: number;
  /** The build's "now", for those ages. */
  nowMs: number;
}

const DAY = 86_400_000;

/**
 * "Bought after": after(a, b) sums, over shoppers whose FIRST purchase of b came in a later order
 * than a purchase of a (within the window), the recency weight of that purchase of b; a shopper
 * counts once per pair and re-buys never count. score(a → b) = after(a, b) / √(u(a) · u(b)),
 * u = distinct shoppers who bought the item. Orders at the same instant are one order.
 */
export function sequenceNeighbours(shoppers: readonly (readonly TimedOrder[])[], items: number, o: SequenceOptions): (Neighbours | null)[] {
  const buyers = new Int32Array(items);
  // Pairs grouped by antecedent a: for each a, (b, weight) entries.
  const byFrom: { b: number[]; w: number[] }[] = Array.from({ length: items }, () => ({ b: [], w: [] }));
  const window = o.windowDays * DAY;
  for (const orders of shoppers) {
    const sorted = [...orders].sort((x, y) => x.at - y.at);
    const lastSeen = new Map<number, number>();
    for (let j = 0; j < sorted.length; ) {
      const at = sorted[j].at;
      const group = new Set<number>();
      for (; j < sorted.length && sorted[j].at === at; j++) for (const i of sorted[j].items) group.add(i);
      const w = 2 ** (-(o.nowMs - at) / (o.halfLifeDays * DAY));
      for (const b of group) {
        if (lastSeen.has(b)) continue;
        for (const [a, ta] of lastSeen) {
          if (at - ta > window) continue;
          byFrom[a].b.push(b);
          byFrom[a].w.push(w);
        }
      }
      for (const b of group) lastSeen.set(b, at);
    }
    for (const a of lastSeen.keys()) buyers[a]++;
  }
  const acc = new Float64Array(items);
  const out: (Neighbours | null)[] = new Array(items).fill(null);
  for (let a = 0; a < items; a++) {
    const { b: bs, w: ws } = byFrom[a];
    if (bs.length === 0) continue;
    const touched: number[] = [];
    for (let x = 0; x < bs.length; x++) {
      if (acc[bs[x]] === 0) touched.push(bs[x]);
      acc[bs[x]] += ws[x];
    }
    out[a] = topOf(touched, (b) => acc[b] / Math.sqrt(buyers[a] * buyers[b]), o.topK);
    for (const b of touched) acc[b] = 0;
    byFrom[a] = { b: [], w: [] };
  }
  return out;
}
