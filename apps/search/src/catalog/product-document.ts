import { categoryPaths, type Product } from '@signal/contracts';
import type { ProductDoc } from '../indices/documents';

const COLOR_KEYS = ['color', 'colour'];
const SIZE_KEYS = ['size'];

const attribute = (attributes: Record<string, string>, keys: string[]): string | undefined => {
  for (const [k, v] of Object.entries(attributes)) if (keys.includes(k.toLowerCase()) && v.trim()) return v.trim();
  return undefined;
};

/** Category path levels as written, without the hierarchy marks: "Home > Kitchen" → "Home Kitchen". */
const categoryWords = (categories: readonly string[]): string =>
  [...new Set(categories.flatMap((c) => c.split(/\s*(?:>|\/)\s*/).map((s) => s.trim()).filter(Boolean)))].join(' ');

/** The deepest level of the first category path, as written ("Mugs" for "Home > Kitchen > Mugs"). */
const leafName = (categories: readonly string[]): string | undefined =>
  categories[0]?.split(/\s*(?:>|\/)\s*/).map((s) => s.trim()).filter(Boolean).at(-1);

/** A catalog product as the products index holds it. Popularity fields are left to the behaviour consumer. */
export function productDocument(p: Product): ProductDoc {
  const attributes = p.attributes ?? {};
  const color = attribute(attributes, COLOR_KEYS);
  const size = attribute(attributes, SIZE_KEYS);
  const others = Object.entries(attributes)
    .filter(([k]) => !COLOR_KEYS.includes(k.toLowerCase()) && !SIZE_KEYS.includes(k.toLowerCase()))
    .map(([, v]) => v);
  const paths = categoryPaths(p.categories);
  const doc: ProductDoc = {
    storeId: p.storeId,
    productId: p.productId,
    title: p.title,
    categories: paths,
    price: p.price,
    effectivePrice: p.salePrice !== undefined && p.salePrice < p.price ? p.salePrice : p.price,
    currency: p.currency,
    inStock: p.inStock && (p.stockLevel === undefined || p.stockLevel > 0),
    hidden: p.hidden ?? false,
    createdAt: new Date(p.createdAt).toISOString(),
    updatedAt: new Date(p.updatedAt).toISOString(),
  };
  if (p.description) doc.description = p.description;
  if (p.brand) doc.brand = p.brand;
  const leaf = leafName(p.categories);
  if (leaf) doc.category = leaf;
  if (paths.length) doc.categoryText = categoryWords(p.categories);
  if (color) doc.color = color;
  if (size) doc.size = size;
  if (others.length) doc.attributeText = others.join(' ');
  if (Object.keys(attributes).length) doc.attributes = attributes;
  if (p.salePrice !== undefined) doc.salePrice = p.salePrice;
  if (p.imageUrl) doc.imageUrl = p.imageUrl;
  if (p.stockLevel !== undefined) doc.stockLevel = p.stockLevel;
  if (p.variantGroupId) doc.variantGroupId = p.variantGroupId;
  return doc;
}

/**
 * Applies a product version unless a newer one is indexed already (out-of-order publishes), and
 * keeps what other writers own: popularity, and stock when a stock change is newer than this version.
 */
export const UPSERT_PRODUCT_SCRIPT = `
  def old = ctx._source;
  if (old.updatedAt != null && old.updatedAt.compareTo(params.doc.updatedAt) > 0) { ctx.op = 'noop'; return; }
  Map d = new HashMap(params.doc);
  if (old.heat != null) d.heat = old.heat;
  if (old.sold != null) d.sold = old.sold;
  if (old.stockUpdatedAt != null) {
    d.stockUpdatedAt = old.stockUpdatedAt;
    if (old.stockUpdatedAt.compareTo(params.doc.updatedAt) > 0) {
      d.inStock = old.inStock;
      if (old.stockLevel != null) { d.stockLevel = old.stockLevel; } else { d.remove('stockLevel'); }
    }
  }
  ctx._source.clear();
  ctx._source.putAll(d);
`;

/** A stock change, unless a newer one was applied. */
export const SET_STOCK_SCRIPT = `
  if (ctx._source.stockUpdatedAt != null && ctx._source.stockUpdatedAt.compareTo(params.at) > 0) { ctx.op = 'noop'; return; }
  ctx._source.inStock = params.inStock;
  ctx._source.stockLevel = params.stockLevel;
  ctx._source.stockUpdatedAt = params.at;
`;

/** Adds a catalog phrase to the suggestions without touching its search-log statistics. */
export const CATALOG_PHRASE_SCRIPT = `
  ctx._source.storeId = params.storeId;
  ctx._source.query = params.query;
  if (ctx._source.catalog == null) { ctx._source.catalog = params.catalog; } else { ctx.op = 'noop'; }
`;
