import { ENGAGEMENT_WEIGHTS, type BehaviourEvent, type EngagementAction } from './behaviour-event';

/**
 * A shopper's recent searches, in the sessions index (id `storeId|profileId`). It is where clicks,
 * carts and purchases find the search they came from, where exits and reformulations are seen, and
 * the ledger that makes redelivered events no-ops (event ids and the Kafka offset applied).
 */
export interface SessionDoc {
  storeId: string;
  profileId: string;
  /** Wall clock of the last write (indexed: exit sweeps and expiry). */
  updatedAt: string;
  /** occurredAt of the latest event applied. */
  lastEventAt?: string;
  /** Oldest first; at most MAX_SEARCHES, none older than the window before lastEventAt. */
  searches: SessionSearch[];
  /** Ids of the latest events applied, oldest first (at most MAX_SEEN). */
  seen: string[];
  /** The highest offset applied: one shopper's events share a key, so a partition, and arrive in order. */
  offset?: { partition: number; offset: string };
  /** `from|to` reformulations this shopper already taught (support counts a shopper once). */
  taught: string[];
}

export interface SessionSearch {
  searchId?: string;
  /** Query key (normalized). */
  query: string;
  /** occurredAt, ISO. */
  at: string;
  resultsCount?: number;
  /** A click, cart or purchase was attributed to it. */
  engaged: boolean;
  /** Its exit was decided (a later search, or the window passed). */
  settled: boolean;
  /** Settled with no engagement: counted as an exit (taken back if engagement still comes). */
  exited: boolean;
  /** Products clicked or carted from it (carts and purchases of them are attributed to it). */
  products: string[];
}

/** What applying events to sessions means for the shared documents; summed per document in effects.ts. */
export type Effect =
  | { kind: 'search'; storeId: string; query: string; at: number; resultsCount?: number }
  | { kind: 'engage'; storeId: string; query: string; action: EngagementAction; products: Record<string, number> }
  | { kind: 'exit'; storeId: string; query: string; delta: 1 | -1 }
  | { kind: 'teach'; storeId: string; from: string; to: string }
  | { kind: 'product'; storeId: string; productId: string; weight: number; sold: number; at: number };

export interface SessionRules {
  /** Attribution window and idle time after which a search is settled. */
  windowMs: number;
  /** Longest gap between an abandoned search and the reformulation that teaches a rewrite. */
  rewriteWindowMs: number;
}

export const MAX_SEARCHES = 10;
export const MAX_SEEN = 100;
export const MAX_TAUGHT = 50;
const MAX_SEARCH_PRODUCTS = 20;
/** A click may carry a timestamp a little before its search's (client and server clocks). */
const CLOCK_SKEW_MS = 60_000;

export interface SessionResult {
  doc: SessionDoc;
  effects: Effect[];
  /** False when nothing is worth writing (no document is created for events that change nothing). */
  changed: boolean;
}

const ms = (iso: string): number => Date.parse(iso);
const iso = (t: number): string => new Date(t).toISOString();

export const emptySession = (storeId: string, profileId: string, nowIso: string): SessionDoc => ({ storeId, profileId, updatedAt: nowIso, searches: [], seen: [], taught: [] });

/** True when `offset` on `partition` was applied already. */
function applied(doc: SessionDoc, e: BehaviourEvent): boolean {
  if (doc.seen.includes(e.eventId)) return true;
  if (!doc.offset || doc.offset.partition !== e.partition) return false;
  return BigInt(e.offset) <= BigInt(doc.offset.offset);
}

/**
 * Applies one shopper's events (in Kafka order) to their session document. Events applied before
 * (same event id, or an offset at or below the one recorded) are skipped, so a redelivered batch
 * changes nothing. Returns the new document and the effects on queries, products and rewrites.
 */
export function applyEvents(previous: SessionDoc | null, events: readonly BehaviourEvent[], rules: SessionRules, nowIso: string): SessionResult {
  const first = events[0];
  const doc: SessionDoc = previous ? structuredClone(previous) : emptySession(first.storeId, first.profileId, nowIso);
  doc.searches ??= [];
  doc.seen ??= [];
  doc.taught ??= [];
  const effects: Effect[] = [];
  let changed = false;
  for (const e of events) {
    if (applied(doc, e)) continue;
    const before = effects.length;
    const horizon = Math.max(doc.lastEventAt ? ms(doc.lastEventAt) : -Infinity, e.at);
    if (expire(doc, horizon, rules, effects)) changed = true;
    for (const p of e.products) effects.push({ kind: 'product', storeId: doc.storeId, productId: p.productId, weight: p.weight, sold: p.sold, at: e.at });
    if (e.search) {
      applySearch(doc, e, effects);
      // A search older than the window (a late replay) is settled at once.
      expire(doc, horizon, rules, effects);
    }
    if (e.engage) applyEngagement(doc, e, e.engage, rules, effects);
    // Only events that did something are remembered: a page view of an unknown shopper writes nothing.
    if (effects.length > before) {
      changed = true;
      doc.seen.push(e.eventId);
      if (doc.seen.length > MAX_SEEN) doc.seen.splice(0, doc.seen.length - MAX_SEEN);
    }
    doc.lastEventAt = iso(horizon);
    if (!doc.offset || doc.offset.partition !== e.partition || BigInt(e.offset) > BigInt(doc.offset.offset)) doc.offset = { partition: e.partition, offset: e.offset };
  }
  if (changed) doc.updatedAt = nowIso;
  return { doc, effects, changed };
}

/**
 * Settles what the window has passed at `nowMs` (an exit sweep for shoppers who did not come back):
 * the same rule as an event at that time, without the event.
 */
export function settleIdle(previous: SessionDoc, nowMs: number, rules: SessionRules, nowIso: string): SessionResult {
  const doc = structuredClone(previous);
  doc.searches ??= [];
  const effects: Effect[] = [];
  const changed = expire(doc, nowMs, rules, effects);
  if (changed) doc.updatedAt = nowIso;
  return { doc, effects, changed };
}

/** True when the session has a search whose exit is still open. */
export const hasOpenSearches = (doc: Pick<SessionDoc, 'searches'>): boolean => (doc.searches ?? []).some((s) => !s.settled);

function settle(doc: SessionDoc, s: SessionSearch, effects: Effect[]): void {
  if (s.settled) return;
  s.settled = true;
  if (!s.engaged) {
    s.exited = true;
    effects.push({ kind: 'exit', storeId: doc.storeId, query: s.query, delta: 1 });
  }
}

/** Settles and drops the searches the window has passed at `horizon`. True when something changed. */
function expire(doc: SessionDoc, horizon: number, rules: SessionRules, effects: Effect[]): boolean {
  const kept = doc.searches.filter((s) => ms(s.at) >= horizon - rules.windowMs);
  if (kept.length === doc.searches.length) return false;
  for (const s of doc.searches) if (!kept.includes(s)) settle(doc, s, effects);
  doc.searches = kept;
  return true;
}

function applySearch(doc: SessionDoc, e: BehaviourEvent, effects: Effect[]): void {
  const { query, searchId, resultsCount } = e.search as NonNullable<BehaviourEvent['search']>;
  if (!query) return;
  // The same answer reported twice (a re-render) is one search.
  if (searchId && doc.searches.some((s) => s.searchId === searchId)) return;
  const search: SessionSearch = { query, at: iso(e.at), engaged: false, settled: false, exited: false, products: [] };
  if (searchId) search.searchId = searchId;
  if (resultsCount !== undefined) search.resultsCount = resultsCount;
  effects.push({ kind: 'search', storeId: doc.storeId, query, at: e.at, ...(resultsCount !== undefined ? { resultsCount } : {}) });
  // Searching again settles the searches before this one; a late (out-of-order) search is settled
  // at once when the shopper had searched again since.
  let later = false;
  for (const s of doc.searches) {
    if (ms(s.at) <= e.at) settle(doc, s, effects);
    else later = true;
  }
  if (later) settle(doc, search, effects);
  const at = doc.searches.findIndex((s) => ms(s.at) > e.at);
  doc.searches.splice(at === -1 ? doc.searches.length : at, 0, search);
  while (doc.searches.length > MAX_SEARCHES) settle(doc, doc.searches.shift() as SessionSearch, effects);
}

/**
 * The search an engagement belongs to, among the shopper's searches of the window before it: the
 * one it names (searchId, else query); else, for carts and purchases, the latest search the
 * product was clicked or carted from; else the latest search. An event that names a search the
 * session does not hold is not attributed (it came from a search we did not see).
 */
export function findSearch(doc: SessionDoc, at: number, productId: string, engage: NonNullable<BehaviourEvent['engage']>, rules: SessionRules): SessionSearch | null {
  const candidates = doc.searches.filter((s) => ms(s.at) <= at + CLOCK_SKEW_MS && ms(s.at) >= at - rules.windowMs);
  const latest = (match: (s: SessionSearch) => boolean) => candidates.findLast(match) ?? null;
  if (engage.searchId) {
    const byId = latest((s) => s.searchId === engage.searchId);
    if (byId) return byId;
  }
  if (engage.query) {
    const byQuery = latest((s) => s.query === engage.query);
    if (byQuery) return byQuery;
  }
  if (engage.searchId || engage.query) return null;
  if (engage.action !== 'click') {
    const byProduct = latest((s) => s.products.includes(productId));
    if (byProduct) return byProduct;
  }
  return latest(() => true);
}

function applyEngagement(doc: SessionDoc, e: BehaviourEvent, engage: NonNullable<BehaviourEvent['engage']>, rules: SessionRules, effects: Effect[]): void {
  const bySearch = new Map<SessionSearch, string[]>();
  for (const productId of engage.productIds) {
    const target = findSearch(doc, e.at, productId, engage, rules);
    if (!target) continue;
    const list = bySearch.get(target);
    if (list) list.push(productId);
    else bySearch.set(target, [productId]);
  }
  const weight = ENGAGEMENT_WEIGHTS[engage.action];
  for (const [search, productIds] of bySearch) {
    effects.push({ kind: 'engage', storeId: doc.storeId, query: search.query, action: engage.action, products: Object.fromEntries(productIds.map((p) => [p, weight])) });
    if (engage.action !== 'purchase') {
      search.products = [...search.products.filter((p) => !productIds.includes(p)), ...productIds].slice(-MAX_SEARCH_PRODUCTS);
    }
    if (search.engaged) continue;
    search.engaged = true;
    if (search.exited) {
      search.exited = false;
      effects.push({ kind: 'exit', storeId: doc.storeId, query: search.query, delta: -1 });
    }
    teach(doc, search, rules, effects);
  }
}

/**
 * `to` was just engaged: the searches the shopper abandoned shortly before it (back to the previous
 * engaged search) were reformulated into it. Continuations (`to` is `from` typed further, while
 * `from` found something) teach nothing: they are autocomplete and narrowing, not corrections.
 */
function teach(doc: SessionDoc, to: SessionSearch, rules: SessionRules, effects: Effect[]): void {
  const index = doc.searches.indexOf(to);
  for (let i = index - 1; i >= 0; i--) {
    const from = doc.searches[i];
    if (from.engaged) break;
    if (ms(to.at) - ms(from.at) > rules.rewriteWindowMs) break;
    if (!isReformulation(from, to.query)) continue;
    const pair = `${from.query}|${to.query}`;
    if (doc.taught.includes(pair)) continue;
    doc.taught.push(pair);
    if (doc.taught.length > MAX_TAUGHT) doc.taught.splice(0, doc.taught.length - MAX_TAUGHT);
    effects.push({ kind: 'teach', storeId: doc.storeId, from: from.query, to: to.query });
  }
}

/** Whether abandoning `from` for `to` may teach a rewrite from → to. */
export function isReformulation(from: Pick<SessionSearch, 'query' | 'resultsCount'>, to: string): boolean {
  if (from.query === to || from.query.length < 2 || to.length < 1) return false;
  return !(to.startsWith(from.query) && from.resultsCount !== 0);
}
