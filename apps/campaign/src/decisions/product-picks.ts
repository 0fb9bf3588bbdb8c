import { Injectable } from '@nestjs/common';
import { InjectDataSource } from '@nestjs/typeorm';
import { categoryPaths, normalizeCategory } from '@signal/contracts';
import type { DataSource } from 'typeorm';
import { isNewVisitor, type Shopper } from './rules';

export interface PickedProduct {
  productId: string;
  title: string;
  price: number;
  salePrice?: number;
  currency: string;
  imageUrl?: string;
}

export interface CatalogRow {
  product_id: string;
  title: string;
  categories: string[];
  price: number;
  sale_price: number | null;
  currency: string;
  image_url: string | null;
}

/** Most products read per decision: the cheapest end of the catalog plus the best sellers is all a shelf of 12 needs. */
const SCAN = 500;

const effective = (p: CatalogRow) => p.sale_price ?? p.price;

/**
 * The products a `products` variant lists, from in-stock, visible products of the shopper's
 * strongest category (their affinity, else the store's best-selling category). A new visitor
 * gets entry-price products, cheapest first: a first impression at the top of the price range
 * scares more than it sells. Anyone else gets the category's best sellers.
 */
export function pickProducts(catalog: readonly CatalogRow[], buyers: ReadonlyMap<string, number>, shopper: Shopper, limit: number): PickedProduct[] {
  const owned = new Set(shopper.purchased);
  const candidates = catalog.filter((p) => !owned.has(p.product_id));
  const category = shopper.affinityCategories.map(normalizeCategory).find((c) => candidates.some((p) => categoryPaths(p.categories).includes(c))) ?? bestSellingCategory(candidates, buyers);
  const inCategory = category === null ? candidates : candidates.filter((p) => categoryPaths(p.categories).includes(category));
  const pool = inCategory.length > 0 ? inCategory : candidates;
  const sorted = isNewVisitor(shopper)
    ? [...pool].sort((a, b) => effective(a) - effective(b) || a.product_id.localeCompare(b.product_id))
    : [...pool].sort((a, b) => (buyers.get(b.product_id) ?? 0) - (buyers.get(a.product_id) ?? 0) || effective(a) - effective(b) || a.product_id.localeCompare(b.product_id));
  return sorted.slice(0, limit).map((p) => ({
    productId: p.product_id,
    title: p.title,
    price: p.price,
    ...(p.sale_price === null ? {} : { salePrice: p.sale_price }),
    currency: p.currency,
    ...(p.image_url === null ? {} : { imageUrl: p.image_url }),
  }));
}

/** The most specific category whose products the most shoppers bought; null when nothing sold yet. */
export function bestSellingCategory(catalog: readonly CatalogRow[], buyers: ReadonlyMap<string, number>): string | null {
  const sold = new Map<string, number>();
  for (const p of catalog) {
    const n = buyers.get(p.product_id) ?? 0;
    if (n === 0) continue;
    for (const c of categoryPaths(p.categories)) sold.set(c, (sold.get(c) ?? 0) + n);
  }
  let best: string | null = null;
  let most = 0;
  // Ties go to the deeper path: "home > rugs" says more than "home".
  for (const [c, n] of sold) if (n > most || (n === most && best !== null && c.length > best.length)) [best, most] = [c, n];
  return best;
}

@Injectable()
export class ProductPicks {
  constructor(@InjectDataSource() private readonly db: DataSource) {}

  async for(storeId: string, shopper: Shopper, limit: number): Promise<PickedProduct[]> {
    // The cheapest in-stock products and the best sellers: every shelf pickProducts can build draws from these.
    const [catalog, sold]: [CatalogRow[], { product_id: string; buyers: number }[]] = await Promise.all([
      this.db.query(
        `SELECT "product_id", "title", "categories", "price", "sale_price", "currency", "image_url" FROM "campaign"."products"
         WHERE "store_id" = $1 AND "in_stock" AND NOT "hidden" ORDER BY COALESCE("sale_price", "price"), "product_id" LIMIT ${SCAN}`,
        [storeId],
      ),
      this.db.query(
        `SELECT p AS "product_id", count(*)::int AS "buyers" FROM "campaign"."shoppers", unnest("purchased") AS p
         WHERE "store_id" = $1 GROUP BY p ORDER BY count(*) DESC LIMIT ${SCAN}`,
        [storeId],
      ),
    ]);
    const buyers = new Map(sold.map((r) => [r.product_id, r.buyers]));
    const missing = sold.filter((s) => !catalog.some((p) => p.product_id === s.product_id)).map((s) => s.product_id);
    if (missing.length > 0) {
      const more: CatalogRow[] = await this.db.query(
        `SELECT "product_id", "title", "categories", "price", "sale_price", "currency", "image_url" FROM "campaign"."products"
         WHERE "store_id" = $1 AND "product_id" = ANY($2) AND "in_stock" AND NOT "hidden"`,
        [storeId, missing],
      );
      catalog.push(...more);
    }
    return pickProducts(catalog, buyers, shopper, limit);
  }
}
