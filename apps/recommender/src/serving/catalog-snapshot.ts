import { leafCategory } from '../catalog/categories';
import { Leaderboard } from './leaderboard';
import { topK } from './top-k';

/** Ranked lists are recomputed at most this often: a few seconds of staleness is invisible on a shelf. */
export const RANK_TTL_MS = 5_000;
/** Store-wide trending and best sellers kept sorted, per store. */
const BOARD_SIZE = 2_000;

/** A product as serving needs it. */
export interface CatalogProduct {
  id: string;
  title: string;
  brand: string | null;
  /** Every level, normalized (catalog/categories.ts). */
  categories: string[];
  leaf: string | null;
  price: number;
  inStock: boolean;
  hidden: boolean;
  variantGroup: string | null;
  createdAtMs: number;
}

export interface ProductRow {
  product_id: string;
  title: string;
  brand: string | null;
  categories: string[];
  price: number;
  in_stock: boolean;
  hidden: boolean;
  variant_group: string | null;
  created_at: Date;
  revision: string;
}

export const productOf = (r: ProductRow): CatalogProduct => ({
  id: r.product_id,
  title: r.title,
  brand: r.brand,
  categories: r.categories,
  leaf: leafCategory(r.categories),
  price: r.price,
  inStock: r.in_stock,
  hidden: r.hidden,
  variantGroup: r.variant_group,
  createdAtMs: r.created_at.getTime(),
});

/** Popularity of one product: decayed heat (see interactions/heat.ts) and all-time orders. */
export interface Popularity {
  heat: number;
  orders: number;
}

const NO_POPULARITY: ReadonlyMap<string, Popularity> = new Map();

/**
 * One store's catalog and popularity as a serving replica holds them: a cache of Postgres, filled
 * on first use and kept current by polling `revision` (store-cache.ts). The store-wide trending and
 * best-seller lists are kept sorted as numbers change; lists per category or by age are derived
 * on demand and kept for RANK_TTL_MS.
 */
export class CatalogSnapshot {
  readonly products = new Map<string, CatalogProduct>();
  /** scope '' = everyone, 'country:GB' = shoppers in that country. */
  readonly popularity = new Map<string, Map<string, Popularity>>();
  private readonly ranked = new Map<string, { at: number; ids: string[] }>();
  private readonly hottest = new Leaderboard(BOARD_SIZE);
  private readonly bestSelling = new Leaderboard(BOARD_SIZE);

  /** Products by every category level, so a category's trending ranks its own products only. */
  private readonly byCategory = new Map<string, Set<string>>();

  setProduct(p: CatalogProduct): void {
    this.deleteProduct(p.id);
    this.products.set(p.id, p);
    for (const c of p.categories) {
      let ids = this.byCategory.get(c);
      if (!ids) this.byCategory.set(c, (ids = new Set()));
      ids.add(p.id);
    }
  }

  deleteProduct(id: string): void {
    const old = this.products.get(id);
    if (!old) return;
    this.products.delete(id);
    for (const c of old.categories) this.byCategory.get(c)?.delete(id);
  }

  setPopularity(scope: string, productId: string, value: Popularity): void {
    let m = this.popularity.get(scope);
    if (!m) this.popularity.set(scope, (m = new Map()));
    m.set(productId, value);
    if (scope === '') {
      this.hottest.update(productId, value.heat);
      if (value.orders > 0) this.bestSelling.update(productId, value.orders);
    }
  }

  /** The first `max` showable ids of a board: it holds BOARD_SIZE, enough to spare the hidden and sold out. */
  private showableOf(board: Leaderboard, max: number): string[] {
    const out: string[] = [];
    for (const id of board.top()) {
      if (out.length >= max) break;
      if (this.showable(id)) out.push(id);
    }
    return out;
  }

  private cached(key: string, compute: () => string[]): string[] {
    const now = Date.now();
    const hit = this.ranked.get(key);
    if (hit && now - hit.at < RANK_TTL_MS) return hit.ids;
    const ids = compute();
    this.ranked.set(key, { at: now, ids });
    return ids;
  }

  /** A product that may be shown at all: known, listed and in stock. */
  showable(id: string): CatalogProduct | undefined {
    const p = this.products.get(id);
    return p && p.inStock && !p.hidden ? p : undefined;
  }

  /** Heat by product for one scope, for callers that look up many products at once. */
  heatsIn(scope = ''): ReadonlyMap<string, Popularity> {
    return this.popularity.get(scope) ?? NO_POPULARITY;
  }

  heat(id: string, scope = ''): number {
    return this.heatsIn(scope).get(id)?.heat ?? -Infinity;
  }

  orders(id: string): number {
    return this.popularity.get('')?.get(id)?.orders ?? 0;
  }

  /**
   * Showable products of a scope by heat, hottest first (optionally within a category), cut at
   * `max`. Products that went out of stock since are filtered again by callers' rules.
   */
  trending(scope = '', category?: string, max = 500): string[] {
    if (scope === '' && category === undefined) return this.showableOf(this.hottest, max);
    // Lists are computed in a few sizes and sliced, so shoppers asking for different depths share them.
    const size = max <= 500 ? 500 : 2_000;
    const list = this.cached(`t\u0000${scope}\u0000${category ?? ''}\u0000${size}`, () => {
      const pop = this.popularity.get(scope);
      if (!pop) return [];
      const ids = category === undefined ? pop.keys() : (this.byCategory.get(category) ?? new Set<string>()).values();
      const hot: [string, number][] = [];
      for (const id of ids) {
        const heat = pop.get(id)?.heat;
        if (heat !== undefined && this.showable(id)) hot.push([id, heat]);
      }
      return topK(hot, size, ([, heat]) => heat, ([id]) => id).map(([id]) => id);
    });
    return list.length > max ? list.slice(0, max) : list;
  }

  /** Showable products by all-time orders (best sellers). */
  bestSellers(max = 500): string[] {
    return this.showableOf(this.bestSelling, max);
  }

  /** Showable products listed in the last `days`, newest first. */
  newArrivals(days: number, max = 2_000): string[] {
    return this.cached(`n\u0000${days}\u0000${max}`, () => {
      const sinceMs = Date.now() - days * 86_400_000;
      const fresh = [...this.products.values()].filter((p) => p.createdAtMs >= sinceMs && p.inStock && !p.hidden);
      return topK(fresh, max, (p) => p.createdAtMs, (p) => p.id).map((p) => p.id);
    });
  }
}
