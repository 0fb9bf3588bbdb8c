import type { Placement, RecommendationQuery, RecommendationRules } from '@signal/contracts';
import { normalizeCategory } from '../catalog/categories';
import type { NeighbourKind } from '../models/model-kinds';
import { credit, scale, setCandidate, type Candidates } from './apply-rules';
import type { CatalogSnapshot } from './catalog-snapshot';
import type { Shopper, Signal } from './shopper';

export interface NeighbourList {
  items: readonly string[];
  scores: ArrayLike<number>;
}
export type NeighbourLookup = (kind: NeighbourKind, productId: string) => NeighbourList | undefined;

export interface PlacementInput {
  placement: Placement;
  query: RecommendationQuery;
  shopper: Shopper;
  catalog: CatalogSnapshot;
  rules: RecommendationRules;
  neighbours: NeighbourLookup;
  /** Trending among shoppers in the query's country, hottest first (fetched when a country is given). */
  countryTrending?: readonly string[];
  nowMs: number;
}

export interface PlacementResult {
  candidates: Candidates;
  personalized: boolean;
  /** Set when the placement's own strategy had nothing to go on. */
  fallback?: string;
}

/** Tuned on the recs-eval benchmark (bench/recs-eval, docs/benchmarks.md). */
export const SCORING = {
  /** Products of the shopper's history that seed personal placements, most recent first. */
  maxSeeds: 100,
  /** A seed's weight halves for every this many days it lies before the shopper's latest interaction. */
  seedHalfLifeDays: 30,
  /** How much each kind of interaction says, next to a purchase. */
  seedKind: { purchase: 1, heart: 0.8, cart_add: 0.8, click: 0.6, view: 0.5 } as Partial<Record<string, number>>,
  /** Weight of each neighbour kind in home and next_purchase ("bought after" only seeds from purchases). */
  history: { bought_after: 1, co_purchase: 0.6, also_viewed: 0.6 },
  /** Trending (normalized to the hottest product) added to the normalized personal score. */
  historyTrend: 1,
  basketTrend: 0.1,
  /** A bought_together candidate in the context item's own leaf category is likely a substitute. */
  substitutePenalty: 0.3,
  /** Reciprocal-rank constant for mixing ranked lists. */
  rrfK: 20,
  /** Candidates drawn from ranked lists (trending, best sellers, new arrivals). */
  poolSize: 300,
  /** Seeds of my_mix: the latest hearts. */
  maxHearts: 20,
} as const;

const title = (c: CatalogSnapshot, id: string) => c.products.get(id)?.title ?? id;

/** Adds a ranked list by reciprocal rank: weight / (k + rank). */
function addRanked(out: Candidates, ids: readonly string[], weight: number, reason: (id: string) => string): void {
  ids.forEach((id, rank) => credit(out, id, weight / (SCORING.rrfK + rank + 1), reason(id)));
}

/** Best sellers and trending, with what is hot in the shopper's country first: for anyone. */
function popular(i: PlacementInput, out: Candidates = new Map(), weight = 1): Candidates {
  if (i.countryTrending?.length) addRanked(out, i.countryTrending.slice(0, SCORING.poolSize), weight * 1.5, () => `Popular in your country`);
  addRanked(out, i.catalog.trending('', undefined, SCORING.poolSize), weight, () => 'Trending now');
  addRanked(out, i.catalog.bestSellers(SCORING.poolSize), weight * 0.5, () => 'Best seller');
  return out;
}

const verb: Record<string, string> = { purchase: 'bought', heart: 'hearted', cart_add: 'added to your cart', click: 'viewed', view: 'viewed' };

interface Seed {
  id: string;
  weight: number;
  reason: string;
  purchased: boolean;
}

/**
 * Each candidate takes the best single contribution (max, not sum) over seeds and neighbour kinds:
 * summing lets generic "hub" products that neighbour everything win (docs/benchmarks.md).
 */
function spreadMax(i: PlacementInput, out: Candidates, seeds: readonly Seed[], kinds: Partial<Record<NeighbourKind, number>>, purchasedOnly: readonly NeighbourKind[] = []): void {
  const weighted = Object.entries(kinds) as [NeighbourKind, number][];
  for (const s of seeds) {
    for (const [kind, kw] of weighted) {
      if (!kw || (purchasedOnly.includes(kind) && !s.purchased)) continue;
      const nb = i.neighbours(kind, s.id);
      if (!nb) continue;
      for (let x = 0; x < nb.items.length; x++) best(out, nb.items[x], s.weight * kw * nb.scores[x], s.reason);
    }
  }
}

/** Keeps the larger of the candidate's score and this one (with its reason). */
function best(out: Candidates, id: string, score: number, reason: string): void {
  if (!(score > 0)) return;
  const x = out.get(id);
  if (!x) setCandidate(out, id, score, reason);
  else if (score > x.score) {
    x.score = x.best = score;
    x.reason = reason;
  }
}

/** Seeds from the shopper's signals: the most recent first, weighted by kind and by age relative to their latest one. */
function seedsOf(i: PlacementInput, signals: readonly Signal[]): Seed[] {
  const recent = [...signals].sort((a, b) => b.lastAtMs - a.lastAtMs).slice(0, SCORING.maxSeeds);
  const latest = recent[0]?.lastAtMs ?? 0;
  return recent.map((s) => ({
    id: s.productId,
    weight: (SCORING.seedKind[s.kind] ?? 0.5) * 2 ** (-(latest - s.lastAtMs) / (SCORING.seedHalfLifeDays * 86_400_000)),
    reason: `Because you ${verb[s.kind] ?? 'viewed'} ${title(i.catalog, s.productId)}`,
    purchased: i.shopper.purchased.has(s.productId),
  }));
}

/**
 * Adds trending, normalized to the hottest product (so 1 for it), with `weight`, to every candidate
 * and to a pool of the hottest products big enough to survive the shopper's exclusions.
 */
function addTrend(i: PlacementInput, out: Candidates, weight: number): void {
  const excluded = i.shopper.purchased.size + i.shopper.cart.size + (i.query.exclude?.length ?? 0) + (i.query.cart?.length ?? 0);
  const pool = i.catalog.trending('', undefined, Math.min(2_000, (i.query.limit ?? 10) + excluded + 50));
  if (pool.length === 0) return;
  const heats = i.catalog.heatsIn('');
  const top = heats.get(pool[0])?.heat ?? -Infinity;
  for (const id of pool) if (!out.has(id)) setCandidate(out, id, 0, 'Trending now');
  out.forEach((c, id) => {
    const heat = heats.get(id)?.heat;
    if (heat === undefined) return;
    const t = 2 ** (heat - top);
    if (t > 0) credit(out, id, weight * t, c.score === 0 ? 'Trending now' : c.reason);
  });
}

/** Personal score from seeds, normalized, plus trending: home and next_purchase. */
function fromHistory(i: PlacementInput, seeds: readonly Seed[]): { candidates: Candidates; personal: boolean } {
  const out: Candidates = new Map();
  spreadMax(i, out, seeds, SCORING.history, ['bought_after']);
  const personal = out.size > 0;
  normalized(out);
  addTrend(i, out, SCORING.historyTrend);
  return { candidates: out, personal };
}

/** Normalizes scores to a max of 1, so blends mean the same whatever the raw scale. */
function normalized(c: Candidates): Candidates {
  let max = 0;
  for (const x of c.values()) max = Math.max(max, x.score);
  if (max > 0) for (const x of c.values()) scale(x, 1 / max);
  return c;
}

function home(i: PlacementInput): PlacementResult {
  if (!i.shopper.known) return { candidates: popular(i), personalized: false };
  // Nothing they touched has neighbours yet: trending, and the shelf says it is not personal.
  const { candidates, personal } = fromHistory(i, seedsOf(i, i.shopper.signals));
  return { candidates, personalized: personal };
}

function productPlacement(i: PlacementInput, kind: 'similar' | 'also_viewed'): PlacementResult {
  const id = i.query.productId ?? '';
  const out: Candidates = new Map();
  const name = title(i.catalog, id);
  const reason = kind === 'similar' ? `Similar to ${name}` : `Shoppers who viewed ${name} also viewed this`;
  spreadMax(i, out, [{ id, weight: 1, reason, purchased: false }], { [kind]: 1 });
  if (kind === 'also_viewed' && out.size < (i.query.limit ?? 10)) {
    // Few co-views yet: content neighbours fill the shelf, each below the weakest co-view.
    const floor = Math.min(1, ...[...out.values()].map((c) => c.score));
    const similar: Candidates = new Map();
    spreadMax(i, similar, [{ id, weight: 1, reason: `Similar to ${name}`, purchased: false }], { similar: 1 });
    normalized(similar);
    for (const [sid, c] of similar) if (!out.has(sid)) setCandidate(out, sid, (floor * c.score) / 2, c.reason);
  }
  if (out.size > 0) return { candidates: out, personalized: false };
  const p = i.catalog.products.get(id);
  const leaf = p?.leaf;
  if (leaf) {
    addRanked(out, i.catalog.trending('', leaf, SCORING.poolSize).filter((x) => x !== id), 1, () => `Trending in ${leaf}`);
    if (out.size) return { candidates: out, personalized: false, fallback: `no ${kind} data for this product: trending in its category` };
  }
  return { candidates: popular(i), personalized: false, fallback: p ? `no ${kind} data for this product: trending` : 'unknown product: trending' };
}

/** Context of bought_together: the cart or product given, else the shopper's cart, else their latest order. */
function basketOf(query: RecommendationQuery, shopper: Shopper): readonly string[] {
  const context = query.cart?.length ? query.cart : query.productId ? [query.productId] : shopper.cart.size ? [...shopper.cart] : shopper.lastOrder;
  return context.slice(0, 50);
}

function boughtTogether(i: PlacementInput): PlacementResult {
  const { shopper, query } = i;
  const context = basketOf(query, shopper);
  const personalized = !query.cart?.length && !query.productId && context.length > 0;
  if (context.length === 0) return { candidates: popular(i), personalized: false, fallback: 'no cart, product or order: trending' };
  const out: Candidates = new Map();
  for (const id of context) {
    const nb = i.neighbours('bought_together', id);
    if (!nb) continue;
    const leaf = i.catalog.products.get(id)?.leaf;
    const reason = `Often bought with ${title(i.catalog, id)}`;
    for (let x = 0; x < nb.items.length; x++) {
      const same = leaf && i.catalog.products.get(nb.items[x])?.leaf === leaf;
      best(out, nb.items[x], nb.scores[x] * (same ? SCORING.substitutePenalty : 1), reason);
    }
  }
  normalized(out);
  if (out.size < (query.limit ?? 10)) {
    // Thin co-purchase data: complements are what sells in sibling categories (phone → phone accessories).
    for (const id of context.slice(0, 5)) {
      const p = i.catalog.products.get(id);
      const leaf = p?.leaf;
      if (!p || !leaf) continue;
      const parent = p.categories.filter((c) => c !== leaf && leaf.startsWith(c)).sort((a, b) => b.length - a.length)[0];
      if (!parent) continue;
      const siblings = i.catalog.trending('', parent, SCORING.poolSize).filter((x) => i.catalog.products.get(x)?.leaf !== p.leaf);
      addRanked(out, siblings, 0.5, () => `Goes with ${p.title}`);
    }
  }
  if (out.size === 0) return { candidates: popular(i), personalized: false, fallback: 'no co-purchases for these products: trending' };
  addTrend(i, out, SCORING.basketTrend);
  return { candidates: out, personalized };
}

function nextPurchase(i: PlacementInput): PlacementResult {
  const bought = i.shopper.signals.filter((s) => i.shopper.purchased.has(s.productId));
  if (bought.length === 0) return { ...home(i), fallback: i.shopper.known ? 'no purchases yet: home' : undefined };
  const seeds = seedsOf(i, bought).map((s) => ({ ...s, reason: `Shoppers who bought ${title(i.catalog, s.id)} bought this next` }));
  const { candidates, personal } = fromHistory(i, seeds);
  return { candidates, personalized: personal };
}

function myMix(i: PlacementInput): PlacementResult {
  const hearted = i.shopper.hearted;
  if (hearted.length === 0) return { ...home(i), fallback: i.shopper.known ? 'nothing hearted yet: home' : undefined };
  const out: Candidates = new Map();
  hearted.slice(0, SCORING.maxHearts).forEach((id, rank) => credit(out, id, 10 / (1 + rank), 'You hearted this'));
  const inspired: Candidates = new Map();
  spreadMax(
    i,
    inspired,
    hearted.slice(0, SCORING.maxHearts).map((id, rank) => ({ id, weight: 1 / (1 + rank), reason: `Inspired by ${title(i.catalog, id)}, which you hearted`, purchased: false })),
    { similar: 1, also_viewed: 1, co_purchase: 0.6 },
  );
  for (const [id, c] of normalized(inspired)) credit(out, id, c.score, c.reason);
  return { candidates: out, personalized: true };
}

function newForYou(i: PlacementInput): PlacementResult {
  const fresh = i.catalog.newArrivals(i.rules.newArrivalDays).filter((id) => !i.query.category || i.catalog.products.get(id)?.categories.includes(normalizeCategory(i.query.category)));
  const out: Candidates = new Map();
  if (!i.shopper.known) {
    addRanked(out, fresh, 1, (id) => `New in ${i.catalog.products.get(id)?.leaf ?? 'the store'}`);
    return { candidates: out, personalized: false };
  }
  // Affinity: each category level and brand of the products they showed interest in.
  const affinity = new Map<string, number>();
  for (const s of i.shopper.signals.slice(0, 50)) {
    const p = i.catalog.products.get(s.productId);
    if (!p) continue;
    for (const c of p.categories) affinity.set(`c:${c}`, (affinity.get(`c:${c}`) ?? 0) + s.weight);
    if (p.brand) affinity.set(`b:${p.brand.toLowerCase()}`, (affinity.get(`b:${p.brand.toLowerCase()}`) ?? 0) + s.weight);
  }
  let matched = false;
  fresh.forEach((id, rank) => {
    const p = i.catalog.products.get(id);
    if (!p) return;
    // Every matching level adds up, so a match deep in the tree beats one at the top.
    let score = 0;
    let why = `New in ${p.leaf ?? 'the store'}`;
    let deepest = -1;
    for (const c of p.categories) {
      const a = affinity.get(`c:${c}`) ?? 0;
      score += a;
      if (a > 0 && c.length > deepest) [deepest, why] = [c.length, `New in ${c}, which you like`];
    }
    const b = p.brand ? (affinity.get(`b:${p.brand.toLowerCase()}`) ?? 0) : 0;
    if (b > score) why = `New from ${p.brand}`;
    if (score + b > 0) matched = true;
    credit(out, id, score + b + 0.1 / (1 + rank), why);
  });
  return { candidates: out, personalized: matched };
}

function trending(i: PlacementInput): PlacementResult {
  const cat = i.query.category ? normalizeCategory(i.query.category) : undefined;
  const out: Candidates = new Map();
  addRanked(out, i.catalog.trending('', cat, SCORING.poolSize), 1, () => (cat ? `Trending in ${cat}` : 'Trending now'));
  return { candidates: out, personalized: false };
}

/** Candidates (with scores and reasons) of one placement, before the rules. */
export function placementCandidates(i: PlacementInput): PlacementResult {
  switch (i.placement) {
    case 'home':
      return home(i);
    case 'similar':
      return productPlacement(i, 'similar');
    case 'also_viewed':
      return productPlacement(i, 'also_viewed');
    case 'bought_together':
      return boughtTogether(i);
    case 'next_purchase':
      return nextPurchase(i);
    case 'my_mix':
      return myMix(i);
    case 'new_for_you':
      return newForYou(i);
    case 'trending':
      return trending(i);
  }
}

/** Which neighbour lists a placement will look up, so they can be fetched in one round trip first. */
export function neededNeighbours(placement: Placement, query: RecommendationQuery, shopper: Shopper): { kind: NeighbourKind; productIds: string[] }[] {
  const recent = (signals: readonly Signal[]) => [...signals].sort((a, b) => b.lastAtMs - a.lastAtMs).slice(0, SCORING.maxSeeds).map((s) => s.productId);
  const history = (ids: string[]) => (Object.keys(SCORING.history) as NeighbourKind[]).map((kind) => ({ kind, productIds: ids }));
  switch (placement) {
    case 'home':
      return history(recent(shopper.signals));
    case 'similar':
      return query.productId ? [{ kind: 'similar', productIds: [query.productId] }] : [];
    case 'also_viewed':
      return query.productId ? [{ kind: 'also_viewed', productIds: [query.productId] }, { kind: 'similar', productIds: [query.productId] }] : [];
    case 'bought_together':
      return [{ kind: 'bought_together', productIds: [...basketOf(query, shopper)] }];
    case 'next_purchase': {
      const bought = shopper.signals.filter((s) => shopper.purchased.has(s.productId));
      return history(recent(bought.length ? bought : shopper.signals));
    }
    case 'my_mix':
      return shopper.hearted.length
        ? (['similar', 'also_viewed', 'co_purchase'] as const).map((kind) => ({ kind, productIds: shopper.hearted.slice(0, SCORING.maxHearts) }))
        : history(recent(shopper.signals));
    default:
      return [];
  }
}
