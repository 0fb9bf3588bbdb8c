import { createHash } from 'node:crypto';
import { HEAT_HALF_LIFE_HOURS } from '../indices/documents';
import { docId } from '../indices/index-names';
import { heatOf, logAdd2, PAINLESS_LOG_ADD } from './heat';
import type { Effect } from './session';

/** Products kept per query in QueryDoc.products: the strongest. */
export const MAX_QUERY_PRODUCTS = 50;

export interface QueryCounts {
  searches: number;
  zeroResults: number;
  clicks: number;
  carts: number;
  purchases: number;
  exits: number;
}

/** What a batch adds to one QueryDoc. */
export interface QueryDelta {
  storeId: string;
  query: string;
  counts: QueryCounts;
  heatShort: number | null;
  heatLong: number | null;
  lastSearchedAt: string | null;
  lastResultsCount: number | null;
  products: Record<string, number>;
}

/** What a batch adds to one product's popularity. */
export interface ProductDelta {
  storeId: string;
  productId: string;
  heat: number;
  sold: number;
}

/** Distinct shoppers who reformulated `from` into `to` in this batch. */
export interface TeachDelta {
  storeId: string;
  from: string;
  to: string;
  support: number;
}

export interface Deltas {
  queries: QueryDelta[];
  products: ProductDelta[];
  teaches: TeachDelta[];
}

const ACTION_COUNTS = { click: 'clicks', cart: 'carts', purchase: 'purchases' } as const;

/** Sums effects per document: each document is written once per batch. */
export function aggregate(effects: readonly Effect[]): Deltas {
  const queries = new Map<string, QueryDelta & { lastAt: number }>();
  const products = new Map<string, ProductDelta>();
  const teaches = new Map<string, TeachDelta>();
  const query = (storeId: string, q: string) => {
    const key = `${storeId}|${q}`;
    let d = queries.get(key);
    if (!d) {
      d = { storeId, query: q, counts: { searches: 0, zeroResults: 0, clicks: 0, carts: 0, purchases: 0, exits: 0 }, heatShort: null, heatLong: null, lastSearchedAt: null, lastResultsCount: null, products: {}, lastAt: -Infinity };
      queries.set(key, d);
    }
    return d;
  };
  for (const e of effects) {
    switch (e.kind) {
      case 'search': {
        const d = query(e.storeId, e.query);
        d.counts.searches += 1;
        if (e.resultsCount === 0) d.counts.zeroResults += 1;
        d.heatShort = logAdd2(d.heatShort, heatOf(1, e.at, HEAT_HALF_LIFE_HOURS.queryShort));
        d.heatLong = logAdd2(d.heatLong, heatOf(1, e.at, HEAT_HALF_LIFE_HOURS.queryLong));
        if (e.at >= d.lastAt) {
          d.lastAt = e.at;
          d.lastSearchedAt = new Date(e.at).toISOString();
          d.lastResultsCount = e.resultsCount ?? null;
        }
        break;
      }
      case 'engage': {
        const d = query(e.storeId, e.query);
        d.counts[ACTION_COUNTS[e.action]] += 1;
        for (const [productId, w] of Object.entries(e.products)) d.products[productId] = (d.products[productId] ?? 0) + w;
        break;
      }
      case 'exit':
        query(e.storeId, e.query).counts.exits += e.delta;
        break;
      case 'teach': {
        const key = `${e.storeId}|${e.from}|${e.to}`;
        const t = teaches.get(key);
        if (t) t.support += 1;
        else teaches.set(key, { storeId: e.storeId, from: e.from, to: e.to, support: 1 });
        break;
      }
      case 'product': {
        if (e.weight <= 0 && e.sold <= 0) break;
        const key = `${e.storeId}|${e.productId}`;
        const heat = heatOf(Math.max(e.weight, Number.MIN_VALUE), e.at, HEAT_HALF_LIFE_HOURS.product);
        const p = products.get(key);
        if (p) {
          p.heat = logAdd2(p.heat, heat);
          p.sold += e.sold;
        } else products.set(key, { storeId: e.storeId, productId: e.productId, heat, sold: e.sold });
        break;
      }
    }
  }
  return {
    queries: [...queries.values()].map(({ lastAt: _lastAt, ...d }) => d),
    products: [...products.values()],
    teaches: [...teaches.values()],
  };
}

/** Search-log statistics of a query (scripted upsert; the catalog indexer owns `catalog`). */
export const QUERY_STATS_SCRIPT = `${PAINLESS_LOG_ADD}
def s = ctx._source;
if (s.query == null) { s.storeId = params.storeId; s.query = params.query; }
for (String f : params.counts.keySet()) {
  long v = ((Number) params.counts.get(f)).longValue();
  if (v != 0) { long old = s[f] == null ? 0L : ((Number) s[f]).longValue(); s[f] = Math.max(0L, old + v); }
}
if (params.heatShort != null) { s.heatShort = logAdd2(s.heatShort, params.heatShort); }
if (params.heatLong != null) { s.heatLong = logAdd2(s.heatLong, params.heatLong); }
if (params.lastSearchedAt != null && (s.lastSearchedAt == null || s.lastSearchedAt.compareTo(params.lastSearchedAt) <= 0)) {
  s.lastSearchedAt = params.lastSearchedAt;
  if (params.lastResultsCount != null) { s.lastResultsCount = params.lastResultsCount; }
}
if (!params.products.isEmpty()) {
  Map p = s.products == null ? new HashMap() : s.products;
  for (String k : params.products.keySet()) {
    double old = p.containsKey(k) ? ((Number) p.get(k)).doubleValue() : 0.0;
    p.put(k, old + ((Number) params.products.get(k)).doubleValue());
  }
  if (p.size() > params.maxProducts) {
    List entries = new ArrayList(p.entrySet());
    entries.sort((a, b) -> Double.compare(((Number) b.getValue()).doubleValue(), ((Number) a.getValue()).doubleValue()));
    Map kept = new HashMap();
    for (int i = 0; i < params.maxProducts; i++) { kept.put(entries.get(i).getKey(), entries.get(i).getValue()); }
    p = kept;
  }
  s.products = p;
}
`;

/** Popularity of a product that exists (no upsert: the catalog creates products). */
export const PRODUCT_POPULARITY_SCRIPT = `${PAINLESS_LOG_ADD}
def s = ctx._source;
s.heat = logAdd2(s.heat, params.heat);
if (params.sold > 0) { s.sold = (s.sold == null ? 0L : ((Number) s.sold).longValue()) + params.sold; }
`;

/** Support of one reformulation from → to; a blocked one (dropped by the store) stays blocked. */
export const REWRITE_CANDIDATE_SCRIPT = `
def s = ctx._source;
if (s.kind == 'blocked') { ctx.op = 'noop'; return; }
if (s.kind == null) { s.storeId = params.storeId; s.kind = 'candidate'; s.from = params.from; s.to = params.to; s.support = 0; s.active = false; }
s.support = ((Number) s.support).intValue() + params.support;
s.updatedAt = params.now;
`;

/** The rewrite used for `from`: the reformulation with the most support (a stronger one replaces it). */
export const LEARNED_REWRITE_SCRIPT = `
def s = ctx._source;
if (s.kind == null) { s.storeId = params.storeId; s.kind = 'learned'; s.from = params.from; s.to = params.to; s.support = params.support; }
else if (s.to == params.to) { s.support = Math.max(((Number) s.support).intValue(), params.support); }
else if (params.support > ((Number) s.support).intValue()) { s.to = params.to; s.support = params.support; }
else { ctx.op = 'noop'; return; }
s.active = ((Number) s.support).intValue() >= params.minSupport && s.from != s.to;
s.updatedAt = params.now;
`;

/** Blocks a reformulation (the store dropped its learned rewrite); keeps the support it had. */
export const BLOCK_CANDIDATE_SCRIPT = `
def s = ctx._source;
if (s.kind == null) { s.storeId = params.storeId; s.from = params.from; s.to = params.to; s.support = 0; }
s.kind = 'blocked';
s.active = false;
s.updatedAt = params.now;
`;

/** Id of the learned rewrite of `from`. */
export const learnedRewriteId = (storeId: string, from: string): string => docId(storeId, `learned|${from}`);

/** Id of the support document of one reformulation (hashed: two queries may not fit in an id). */
export const rewriteCandidateId = (storeId: string, from: string, to: string): string =>
  docId(storeId, `candidate|${createHash('sha256').update(`${from}\u0000${to}`).digest('hex').slice(0, 40)}`);

export type BulkOp = Record<string, unknown>;

export const queryStatsOps = (index: string, d: QueryDelta): BulkOp[] => [
  { update: { _index: index, _id: docId(d.storeId, d.query), retry_on_conflict: 10 } },
  {
    script: {
      source: QUERY_STATS_SCRIPT,
      params: { storeId: d.storeId, query: d.query, counts: d.counts, heatShort: d.heatShort, heatLong: d.heatLong, lastSearchedAt: d.lastSearchedAt, lastResultsCount: d.lastResultsCount, products: d.products, maxProducts: MAX_QUERY_PRODUCTS },
    },
    upsert: {},
    scripted_upsert: true,
  },
];

/** One update per products write target (the alias, and the next index during a reindex). */
export const productPopularityOps = (targets: readonly string[], d: ProductDelta): BulkOp[] =>
  targets.flatMap((index) => [
    { update: { _index: index, _id: docId(d.storeId, d.productId), retry_on_conflict: 10, require_alias: true } },
    { script: { source: PRODUCT_POPULARITY_SCRIPT, params: { heat: d.heat, sold: d.sold } } },
  ]);

export const rewriteCandidateOps = (index: string, t: TeachDelta, nowIso: string): BulkOp[] => [
  { update: { _index: index, _id: rewriteCandidateId(t.storeId, t.from, t.to), retry_on_conflict: 10 } },
  { script: { source: REWRITE_CANDIDATE_SCRIPT, params: { storeId: t.storeId, from: t.from, to: t.to, support: t.support, now: nowIso } }, upsert: {}, scripted_upsert: true, _source: true },
];

export const learnedRewriteOps = (index: string, t: Omit<TeachDelta, 'support'> & { support: number }, minSupport: number, nowIso: string): BulkOp[] => [
  { update: { _index: index, _id: learnedRewriteId(t.storeId, t.from), retry_on_conflict: 10 } },
  { script: { source: LEARNED_REWRITE_SCRIPT, params: { storeId: t.storeId, from: t.from, to: t.to, support: t.support, minSupport, now: nowIso } }, upsert: {}, scripted_upsert: true },
];
