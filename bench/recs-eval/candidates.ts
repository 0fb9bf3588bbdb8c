/**
 * Candidate algorithms for the real recommender, restricted to inputs the service can build from
 * its event stream (see README "Candidates"):
 *
 * - per item: number of orders containing it, and time-decayed order counts ("trending") as of
 *   the query time;
 * - item-item tables a periodic batch job computes from the order log up to the cutoff, cut to the
 *   top N neighbours per item: co-purchase (same order) and "bought after" (b first bought by a
 *   customer in a later order than a purchase of a), each with a normalisation;
 * - per shopper: their own purchases (item, time), combined with the tables at query time.
 *
 * Everything is trained on the train invoices only, and "now" is the cutoff (the test invoices are
 * never seen). Items are indexed in popularity order, so every tie falls back to the more popular
 * item and then to the code: all rankings are deterministic.
 */
import type { Invoice, RecommendInput, Recommender } from './types';

const DAY_MS = 86_400_000;
const LN2 = Math.log(2);

/** Decay factor of an event `ageMs` old under a half-life in days (Infinity = no decay). */
export function decay(ageMs: number, halfLifeDays: number): number {
  return halfLifeDays === Infinity ? 1 : Math.exp((-LN2 * Math.max(ageMs, 0)) / (halfLifeDays * DAY_MS));
}

export interface TablesOptions {
  /** "bought after" pairs count only when b's first purchase is at most this many days after a purchase of a. */
  afterWindowDays: number;
  /** Half-life (days) by which an "after" pair counts, by the age at `now` of b's purchase (Infinity = plain counts). */
  afterHalfLifeDays: number;
  /** Half-life (days) by which a co-purchase counts, by the order's age at `now` (Infinity = plain counts). */
  coHalfLifeDays: number;
}

/** Kept neighbours of every item: parallel arrays of item ids and similarities, best first. */
export interface Neighbours {
  readonly ids: readonly Int32Array[];
  readonly sims: readonly Float32Array[];
}

export interface NeighbourOptions {
  /**
   * sim(a, b) = c(a, b) / (n(a)^alpha · n(b)^beta + shrink): alpha = beta = 0.5 is cosine,
   * alpha = 1, beta = 0 the conditional probability P(b | a), beta > 0 damps popular targets, and
   * shrink damps pairs with little support (n counts orders for co-purchase, customers for "after").
   */
  alpha: number;
  beta: number;
  shrink: number;
  /** Neighbours kept per item, as the batch job would store them. */
  topN: number;
}

/**
 * The batch job's tables. Dense n×n counts are only build-time scratch (~4k items → 56 MB each);
 * a recommender keeps the cut neighbour lists.
 */
export class ItemTables {
  readonly codes: string[];
  readonly index = new Map<string, number>();
  /** Orders containing the item. */
  readonly orders: Float64Array;
  /** Orders containing the item, each weighted 2^(−age / coHalfLife): the marginals of `co`. */
  readonly coOrders: Float64Array;
  /** Distinct identified customers who bought the item. */
  readonly buyers: Float64Array;
  /** co[a·n + b] = orders containing both a and b, each weighted 2^(−age / coHalfLife) (symmetric). */
  readonly co: Float32Array;
  /**
   * after[a·n + b] = customers whose first purchase of b came in a later order, within the window,
   * than a purchase of a; each weighted 2^(−age of that purchase of b / afterHalfLife).
   */
  readonly after: Float32Array;

  constructor(
    private readonly train: readonly Invoice[],
    /** Query time: the first instant after the train data. */
    readonly now: number,
    opts: TablesOptions,
  ) {
    const counts = new Map<string, number>();
    for (const inv of train) for (const item of inv.items) counts.set(item, (counts.get(item) ?? 0) + 1);
    this.codes = [...counts.entries()].sort(([a, x], [b, y]) => y - x || (a < b ? -1 : 1)).map(([c]) => c);
    this.codes.forEach((c, i) => this.index.set(c, i));
    const n = this.codes.length;
    this.orders = Float64Array.from(this.codes, (c) => counts.get(c) ?? 0);
    this.buyers = new Float64Array(n);
    this.coOrders = new Float64Array(n);
    this.co = new Float32Array(n * n);
    this.after = new Float32Array(n * n);

    const byCustomer = new Map<number, Invoice[]>();
    for (const inv of train) {
      const ids = this.ids(inv.items);
      const w = decay(now - inv.at, opts.coHalfLifeDays);
      for (const a of ids) this.coOrders[a] += w;
      for (let x = 0; x < ids.length; x++) for (let y = 0; y < ids.length; y++) if (x !== y) this.co[ids[x] * n + ids[y]] += w;
      if (inv.customerId === null) continue;
      const list = byCustomer.get(inv.customerId);
      if (list) list.push(inv);
      else byCustomer.set(inv.customerId, [inv]);
    }
    const window = opts.afterWindowDays * DAY_MS;
    for (const list of byCustomer.values()) {
      list.sort((x, y) => x.at - y.at); // stable: same-time orders keep file order
      const lastSeen = new Map<number, number>(); // item → time of its latest purchase so far
      for (let j = 0; j < list.length; ) {
        // Orders placed at the same instant are one event: nothing in them is "after" another.
        const at = list[j].at;
        const group: number[] = [];
        for (; j < list.length && list[j].at === at; j++) group.push(...this.ids(list[j].items));
        const w = decay(now - at, opts.afterHalfLifeDays);
        for (const b of new Set(group)) {
          if (lastSeen.has(b)) continue; // a re-buy: "after" counts first purchases only
          for (const [a, ta] of lastSeen) if (at - ta <= window) this.after[a * n + b] += w;
        }
        for (const b of group) lastSeen.set(b, at);
      }
      for (const a of lastSeen.keys()) this.buyers[a]++;
    }
  }

  private ids(items: readonly string[]): number[] {
    return items.flatMap((c) => this.index.get(c) ?? []);
  }

  /** Σ over train orders containing the item of 2^(−age / half-life), as of `now`. */
  trending(halfLifeDays: number): Float64Array {
    const t = new Float64Array(this.codes.length);
    for (const inv of this.train) {
      const w = decay(this.now - inv.at, halfLifeDays);
      for (const c of inv.items) t[this.index.get(c) ?? 0] += w;
    }
    return t;
  }

  /** Normalised, top-N neighbour lists of one kind (see NeighbourOptions for the formula). */
  neighbours(kind: 'co' | 'after', o: NeighbourOptions): Neighbours {
    const n = this.codes.length;
    const counts = kind === 'co' ? this.co : this.after;
    const base = kind === 'co' ? this.coOrders : this.buyers;
    const pa = Float64Array.from(base, (x) => Math.max(x, 1e-9) ** o.alpha);
    const pb = Float64Array.from(base, (x) => Math.max(x, 1e-9) ** o.beta);
    const ids: Int32Array[] = [];
    const sims: Float32Array[] = [];
    const s = new Float64Array(n);
    for (let a = 0; a < n; a++) {
      const row: number[] = [];
      for (let b = 0; b < n; b++) {
        const c = counts[a * n + b];
        if (c === 0 || a === b) continue;
        s[b] = c / (pa[a] * pb[b] + o.shrink);
        row.push(b);
      }
      row.sort((x, y) => s[y] - s[x] || x - y);
      const top = row.slice(0, o.topN);
      ids.push(Int32Array.from(top));
      sims.push(Float32Array.from(top, (b) => s[b]));
    }
    return { ids, sims };
  }
}

/** Top k item ids by score (ties: lower id = more popular), skipping excluded codes and zero scores. */
function topK(scores: Float64Array, codes: readonly string[], k: number, exclude: ReadonlySet<string>): string[] {
  const best: number[] = [];
  for (let i = 0; i < scores.length; i++) {
    const s = scores[i];
    if (s <= 0 || exclude.has(codes[i])) continue;
    if (best.length === k && s <= scores[best[k - 1]]) continue;
    let p = best.length < k ? best.length : k - 1;
    while (p > 0 && scores[best[p - 1]] < s) p--;
    best.splice(p, 0, i);
    if (best.length > k) best.pop();
  }
  return best.map((i) => codes[i]);
}

/**
 * How the contributions of several context items to one candidate combine: 'sum' (classic
 * item-kNN) lets candidates related to many context items win, which in big baskets and long
 * histories favours generic hub items; 'max' ranks by the single strongest pair.
 */
export type Aggregation = 'sum' | 'max';

/** Folds w · sim of every kept neighbour of `a` into `scores`. */
function addNeighbours(scores: Float64Array, nb: Neighbours, a: number, w: number, agg: Aggregation): void {
  const ids = nb.ids[a];
  const sims = nb.sims[a];
  for (let j = 0; j < ids.length; j++) {
    const b = ids[j];
    const v = w * sims[j];
    scores[b] = agg === 'sum' ? scores[b] + v : Math.max(scores[b], v);
  }
}

/** Scales `v` so its maximum is 1 (no-op on an all-zero vector). */
function normalizeMax(v: Float64Array): Float64Array {
  let m = 0;
  for (const x of v) if (x > m) m = x;
  if (m > 0) for (let i = 0; i < v.length; i++) v[i] /= m;
  return v;
}

/**
 * Trending: items ranked by time-decayed order counts as of `now`,
 * trend(i) = Σ over orders o ∋ i of 2^(−(now − t_o) / halfLife). Seasonality (the test month is
 * the pre-Christmas peak) makes this a much stronger prior than all-time popularity.
 */
export class TrendingRecommender implements Recommender {
  readonly name: string;
  private readonly scores: Float64Array;

  constructor(
    private readonly tables: ItemTables,
    halfLifeDays: number,
  ) {
    this.name = `trending(h=${halfLifeDays}d)`;
    this.scores = tables.trending(halfLifeDays);
  }

  recommend(_input: RecommendInput, k: number, exclude: ReadonlySet<string>): string[] {
    return topK(this.scores, this.tables.codes, k, exclude);
  }
}

export interface BasketOptions {
  co: NeighbourOptions;
  aggregation: Aggregation;
  /** Weight of the max-normalised trending score added to every item (back-fill and tie-break). */
  trendWeight: number;
  trendHalfLifeDays: number;
}

/**
 * Basket context (bought_together): co(b) = AGG over basket items a of sim_co(a, b), AGG = sum or max;
 * score(b) = co(b) / max_b co(b) + λ · trend(b) / max trend. λ small: trending breaks ties and
 * back-fills baskets without co-purchase evidence.
 */
export class BasketRecommender implements Recommender {
  readonly name: string;
  private readonly nb: Neighbours;
  private readonly trend: Float64Array;

  constructor(
    private readonly tables: ItemTables,
    private readonly o: BasketOptions,
    name = 'basket',
  ) {
    this.name = name;
    this.nb = tables.neighbours('co', o.co);
    this.trend = normalizeMax(tables.trending(o.trendHalfLifeDays));
  }

  recommend(input: RecommendInput, k: number, exclude: ReadonlySet<string>): string[] {
    const scores = new Float64Array(this.tables.codes.length);
    for (const item of input.items) {
      const a = this.tables.index.get(item);
      if (a !== undefined) addNeighbours(scores, this.nb, a, 1, this.o.aggregation);
    }
    normalizeMax(scores);
    for (let i = 0; i < scores.length; i++) scores[i] += this.o.trendWeight * this.trend[i];
    return topK(scores, this.tables.codes, k, exclude);
  }
}

export interface HistoryOptions {
  after: NeighbourOptions;
  co: NeighbourOptions;
  /** Weight of the co-purchase neighbours relative to the "bought after" ones. */
  coWeight: number;
  aggregation: Aggregation;
  /** Half-life (days) of a past item's weight, by the age of its latest purchase. */
  historyHalfLifeDays: number;
  trendWeight: number;
  trendHalfLifeDays: number;
}

/**
 * Customer shelves (next_purchase, home): a recency-weighted item-to-item score blended with trending.
 * w(a) = 2^(−(t_last − t_a) / h_hist) for each distinct past item a (t_a its latest purchase,
 * t_last the shopper's latest purchase);
 * personal(b) = AGG over past items a and kinds of { w(a) · sim_after(a, b), γ · w(a) · sim_co(a, b) }
 * (AGG = sum or max); score(b) = personal(b) / max personal + λ · trend(b) / max trend.
 * Shoppers without history get pure trending.
 */
export class HistoryRecommender implements Recommender {
  readonly name: string;
  private readonly after: Neighbours;
  private readonly co: Neighbours | null;
  private readonly trend: Float64Array;

  constructor(
    private readonly tables: ItemTables,
    private readonly o: HistoryOptions,
    name = 'history',
  ) {
    this.name = name;
    this.after = tables.neighbours('after', o.after);
    this.co = o.coWeight > 0 ? tables.neighbours('co', o.co) : null;
    this.trend = normalizeMax(tables.trending(o.trendHalfLifeDays));
  }

  recommend(input: RecommendInput, k: number, exclude: ReadonlySet<string>): string[] {
    const scores = new Float64Array(this.tables.codes.length);
    const latest = new Map<number, number>();
    let tLast = -Infinity;
    for (const h of input.history ?? []) {
      const a = this.tables.index.get(h.item);
      if (a === undefined) continue;
      latest.set(a, Math.max(latest.get(a) ?? -Infinity, h.at));
      tLast = Math.max(tLast, h.at);
    }
    for (const [a, at] of latest) {
      const w = decay(tLast - at, this.o.historyHalfLifeDays);
      addNeighbours(scores, this.after, a, w, this.o.aggregation);
      if (this.co) addNeighbours(scores, this.co, a, w * this.o.coWeight, this.o.aggregation);
    }
    normalizeMax(scores);
    for (let i = 0; i < scores.length; i++) scores[i] += this.o.trendWeight * this.trend[i];
    return topK(scores, this.tables.codes, k, exclude);
  }
}

/** Cosine (alpha = beta = 0.5), no shrinkage, top 200 per item. */
const COSINE: NeighbourOptions = { alpha: 0.5, beta: 0.5, shrink: 0, topN: 200 };

/**
 * The candidates measured by run.ts (RECS_EVAL_CANDIDATES=1), with the parameters found best on
 * this benchmark. `now` = the query time = the cutoff. Building the tables takes ~2 s and two
 * dense n×n scratch matrices (~110 MB with ~3.8k items).
 */
export function candidateRecommenders(train: readonly Invoice[], now: number): Recommender[] {
  // "after" pairs: any gap within the year of data, each counted by the recency of b's purchase
  // (half-life 60 d), so the table follows the season; co-purchases are plain order counts.
  const tables = new ItemTables(train, now, { afterWindowDays: 365, afterHalfLifeDays: 60, coHalfLifeDays: Infinity });
  const history = (aggregation: Aggregation): HistoryOptions => ({
    after: COSINE,
    co: COSINE,
    coWeight: 0.6,
    aggregation,
    historyHalfLifeDays: 30,
    trendWeight: 1,
    trendHalfLifeDays: 7,
  });
  return [
    new TrendingRecommender(tables, 7),
    new BasketRecommender(tables, { co: COSINE, aggregation: 'sum', trendWeight: 0.2, trendHalfLifeDays: 7 }, 'coSum+trend'),
    // alpha > beta: a rare basket item is a sharper signal than a common one.
    new BasketRecommender(
      tables,
      { co: { ...COSINE, alpha: 0.7, beta: 0.3 }, aggregation: 'max', trendWeight: 0.1, trendHalfLifeDays: 7 },
      'coMax+trend',
    ),
    new HistoryRecommender(tables, history('sum'), 'historySum+trend'),
    new HistoryRecommender(tables, history('max'), 'historyMax+trend'),
  ];
}
