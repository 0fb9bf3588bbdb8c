/**
 * Shapes of the documents in the search indices (see index-names.ts). Written by the catalog
 * indexer (products), the behaviour consumer (queries, product popularity, sessions, learned
 * rewrites), the profile consumer (shoppers) and the synonyms API (rewrites).
 */

/** Half-lives of the decayed counters, in hours. Heat is log2 Σ weight·2^(t/halfLife), t in hours since the epoch. */
export const HEAT_HALF_LIFE_HOURS = {
  /** Product popularity used in ranking. */
  product: 7 * 24,
  /** "Rising now" for trending searches. */
  queryShort: 6,
  /** The baseline a rising query is compared with. */
  queryLong: 7 * 24,
} as const;

/** `<prefix>products`: id `storeId|productId`. */
export interface ProductDoc {
  storeId: string;
  productId: string;
  title: string;
  description?: string;
  brand?: string;
  /** Every level of every category path: "home", "home > kitchen". */
  categories: string[];
  /** The deepest level of the first path, as written. */
  category?: string;
  /** Words of the category paths, for text matching. */
  categoryText?: string;
  color?: string;
  size?: string;
  /** Remaining attribute values as text ("cotton", "organic"). */
  attributeText?: string;
  attributes?: Record<string, string>;
  price: number;
  salePrice?: number;
  /** What the shopper pays: the sale price when on sale. Sorting and price ranges use it. */
  effectivePrice: number;
  currency: string;
  imageUrl?: string;
  inStock: boolean;
  stockLevel?: number;
  hidden: boolean;
  variantGroupId?: string;
  createdAt: string;
  updatedAt: string;
  stockUpdatedAt?: string;
  /** Decayed interest (views, clicks, carts, purchases), log2-space, half-life HEAT_HALF_LIFE_HOURS.product. */
  heat?: number;
  /** Units sold, all time. */
  sold?: number;
}

/** `<prefix>queries`: id `storeId|normalized query`. A search-log query and/or a catalog phrase. */
export interface QueryDoc {
  storeId: string;
  /** Normalized query text (lowercase, accents folded, single spaces). */
  query: string;
  /** Set when the catalog offers it (a title, a brand or a category name); the count of products behind it. */
  catalog?: { kind: 'title' | 'brand' | 'category'; products: number };
  searches?: number;
  lastSearchedAt?: string;
  heatShort?: number;
  heatLong?: number;
  clicks?: number;
  carts?: number;
  purchases?: number;
  /** Searches that showed nothing. */
  zeroResults?: number;
  /** Searches followed by no click, cart or purchase of a result. */
  exits?: number;
  lastResultsCount?: number;
  /** What sells for this query: productId → decayed score (click 1, cart 3, purchase 5); the strongest 50. */
  products?: Record<string, number>;
}

/** `<prefix>rewrites`: id `storeId|synonyms` (one per store) or `storeId|learned|from`. */
export interface SynonymsDoc {
  storeId: string;
  kind: 'synonyms';
  /** Equivalent terms or phrases, each set matched both ways. */
  sets: string[][];
  /** One-way: a query for `from` also finds `to` (not the reverse). */
  oneWay: { from: string; to: string[] }[];
  updatedAt: string;
}

export interface LearnedRewriteDoc {
  storeId: string;
  kind: 'learned';
  /** Normalized query shoppers abandoned. */
  from: string;
  /** Normalized reformulation that led to a click, cart or purchase. */
  to: string;
  /** Distinct sessions that made this reformulation and then engaged. */
  support: number;
  /** Used by search once support reaches SEARCH_REWRITE_MIN_SUPPORT. */
  active: boolean;
  updatedAt: string;
}

export type RewriteDoc = SynonymsDoc | LearnedRewriteDoc;

/** `<prefix>shoppers`: id `storeId|profileId`. */
export interface ShopperDoc {
  storeId: string;
  profileId: string;
  /** `anonymous:<id>` and `customer:<id>`. */
  identities: string[];
  brands: { value: string; score: number }[];
  categories: { value: string; score: number }[];
  computedAt: string;
}
