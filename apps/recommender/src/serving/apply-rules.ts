import type { Placement, ProductMatch, RecommendationRules } from '@signal/contracts';
import { normalizeCategory } from '../catalog/categories';
import type { CatalogProduct, CatalogSnapshot } from './catalog-snapshot';
import type { Shopper } from './shopper';

/**
 * A candidate with its score and the reason it would be shown for. One shape for every candidate
 * (and it is its own ranked entry): a shelf draws thousands of them, so each costs one object.
 */
export interface Candidate {
  productId: string;
  score: number;
  reason: string;
  /** The largest single contribution to the score (whose reason is kept). */
  best: number;
}
export type Candidates = Map<string, Candidate>;

/** Adds a candidate (or replaces the one of that id). */
export function setCandidate(c: Candidates, productId: string, score: number, reason: string): Candidate {
  const x: Candidate = { productId, score, reason, best: score };
  c.set(productId, x);
  return x;
}

/** Adds to a candidate's score; the reason of the largest single contribution wins. */
export function credit(c: Candidates, productId: string, score: number, reason: string): void {
  if (!(score > 0)) return;
  const x = c.get(productId);
  if (!x) {
    setCandidate(c, productId, score, reason);
    return;
  }
  x.score += score;
  if (score > x.best) {
    x.reason = reason;
    x.best = score;
  }
}

/** Scales a candidate's score and its largest contribution alike. */
export function scale(x: Candidate, factor: number): void {
  x.score *= factor;
  x.best *= factor;
}

export interface RuleInput {
  placement: Placement;
  rules: RecommendationRules;
  catalog: CatalogSnapshot;
  shopper: Shopper;
  /** Context products (viewed product, cart) and the caller's exclude list. */
  exclude: ReadonlySet<string>;
  limit: number;
  nowMs: number;
}

export interface Ranked {
  productId: string;
  score: number;
  reason: string;
}

const appliesTo = (placements: readonly Placement[] | undefined, p: Placement) => !placements || placements.includes(p);

function matches(m: ProductMatch, p: CatalogProduct): boolean {
  if (m.productIds?.includes(p.id)) return true;
  const brand = p.brand?.toLowerCase();
  if (m.brands && brand && m.brands.some((b) => b.toLowerCase() === brand)) return true;
  return !!m.categories?.some((c) => p.categories.includes(normalizeCategory(c)));
}

/**
 * Whether this shopper may be shown this product at all: showable (listed, in stock), not in the
 * cart or the context, not excluded, and not bought, unless its category's re-buy window (for
 * consumables) has passed since the purchase.
 */
export function allowed(id: string, r: RuleInput): CatalogProduct | undefined {
  const p = r.catalog.showable(id);
  if (!p || r.exclude.has(id) || r.shopper.cart.has(id)) return undefined;
  const boughtAt = r.shopper.purchased.get(id);
  if (boughtAt !== undefined) {
    // The most specific matching category decides ("TV: 365 days" over "Electronics: 30 days").
    let window: { days: number; depth: number } | undefined;
    for (const w of r.rules.rebuyDays) {
      const c = normalizeCategory(w.category);
      const depth = c.split(' > ').length;
      if (p.categories.includes(c) && (!window || depth > window.depth)) window = { days: w.days, depth };
    }
    if (!window || r.nowMs - boughtAt < window.days * 86_400_000) return undefined;
  }
  return p;
}

/**
 * The rules every placement goes through, in order: eligibility, boost and bury, ranking, one item
 * per variant group, the brand and category caps, then pins at their positions, cut to the limit.
 */
export function applyRules(candidates: Candidates, r: RuleInput): Ranked[] {
  const scored = ranked(candidates, r);

  // One pin per product (the first rule wins), and only products this shopper may be shown.
  const pins = r.rules.pin
    .filter((p) => appliesTo(p.placements, r.placement))
    .filter((p, i, all) => all.findIndex((q) => q.productId === p.productId) === i)
    .filter((p) => allowed(p.productId, r));
  const pinned = new Set(pins.map((p) => p.productId));
  const groups = new Set<string>();
  const brands = new Map<string, number>();
  const categories = new Map<string, number>();
  for (const id of pinned) {
    const g = r.catalog.products.get(id)?.variantGroup;
    if (g) groups.add(g);
  }
  const out: Ranked[] = [];
  for (const s of scored) {
    if (out.length + pins.length >= r.limit) break;
    if (pinned.has(s.productId)) continue;
    const product = s.product ?? allowed(s.productId, r);
    if (!product) continue;
    const { variantGroup, brand, leaf } = product;
    if (variantGroup && groups.has(variantGroup)) continue;
    const brandKey = brand?.toLowerCase();
    if (brandKey && (brands.get(brandKey) ?? 0) >= r.rules.maxPerBrand) continue;
    if (leaf && (categories.get(leaf) ?? 0) >= r.rules.maxPerCategory) continue;
    if (variantGroup) groups.add(variantGroup);
    if (brandKey) brands.set(brandKey, (brands.get(brandKey) ?? 0) + 1);
    if (leaf) categories.set(leaf, (categories.get(leaf) ?? 0) + 1);
    out.push({ productId: s.productId, score: s.score, reason: s.reason });
  }
  for (const pin of [...pins].sort((a, b) => a.position - b.position)) {
    const at = Math.min(pin.position, out.length);
    out.splice(at, 0, { productId: pin.productId, score: out[at]?.score ?? out[at - 1]?.score ?? 1, reason: 'Featured' });
  }
  return out.slice(0, r.limit);
}

type Scored = Ranked & { product?: CatalogProduct };

/** Whether `a` ranks before `b`: higher score, then product id (a total order, so shelves are stable). */
const before = (a: Ranked, b: Ranked) => a.score > b.score || (a.score === b.score && a.productId < b.productId);

/**
 * Candidates best first. With boost or bury rules for this placement every candidate's product is
 * needed for its score, so all are checked first; without them (the usual case) eligibility is
 * checked lazily, while the shelf fills: a shopper with a long history brings thousands of
 * candidates for ten slots. So they are not sorted either: a heap hands them out best first, and
 * a shelf takes a few dozen of thousands.
 */
function ranked(candidates: Candidates, r: RuleInput): Iterable<Scored> {
  const reweighed = r.rules.boost.some((b) => appliesTo(b.placements, r.placement)) || r.rules.bury.some((b) => appliesTo(b.placements, r.placement));
  const scored: Scored[] = [];
  if (!reweighed) {
    candidates.forEach((c) => {
      if (c.score > 0) scored.push(c);
    });
    return bestFirst(scored);
  }
  candidates.forEach((c, id) => {
    const product = allowed(id, r);
    if (!product) return;
    let score = c.score;
    for (const b of r.rules.boost) if (appliesTo(b.placements, r.placement) && matches(b.match, product)) score *= b.factor;
    for (const b of r.rules.bury) if (appliesTo(b.placements, r.placement) && matches(b.match, product)) score *= b.factor;
    if (score > 0) scored.push({ productId: id, score, reason: c.reason, product });
  });
  return bestFirst(scored);
}

/** The items in ranking order, lazily: a binary heap built in place (O(n)), then one pop per item taken. */
export function* bestFirst<T extends Ranked>(items: T[]): Generator<T> {
  const h = items;
  let n = h.length;
  const down = (at: number) => {
    for (;;) {
      const l = 2 * at + 1;
      if (l >= n) return;
      const top = l + 1 < n && before(h[l + 1], h[l]) ? l + 1 : l;
      if (!before(h[top], h[at])) return;
      [h[at], h[top]] = [h[top], h[at]];
      at = top;
    }
  };
  for (let i = (n >> 1) - 1; i >= 0; i--) down(i);
  while (n > 0) {
    const first = h[0];
    h[0] = h[--n];
    down(0);
    yield first;
  }
}
