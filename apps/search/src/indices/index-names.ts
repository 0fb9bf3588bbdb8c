/**
 * The OpenSearch indices the search service owns. Every name starts with a prefix
 * (SEARCH_INDEX_PREFIX) so tests and several deployments can share one cluster.
 *
 * Products are read and written through aliases over versioned concrete indices
 * (`<prefix>products-v<mapping version>-<stamp>`), so a mapping change is a reindex into a
 * new index and an atomic alias swap, never downtime.
 */
export interface IndexNames {
  /** Alias the service searches and writes products through. */
  products: string;
  /** Alias on the index being filled during a reindex; writes go to it too. */
  productsNext: string;
  /** Pattern the products index template applies to. */
  productsPattern: string;
  /** Prefix of the concrete product indices: `<prefix>products-v<version>-`. */
  productsConcrete: (version: number) => string;
  /** One document per (store, normalized query): counts, trending heat, what sells for it, suggestions. */
  queries: string;
  /** Store synonyms and learned rewrites. */
  rewrites: string;
  /** Shopper affinities (brands, categories) from profiles.changed.v1, one document per profile. */
  shoppers: string;
  /** Recent searches of a shopper, to attribute clicks and learn reformulations. */
  sessions: string;
}

export const indexNames = (prefix: string): IndexNames => ({
  products: `${prefix}products`,
  productsNext: `${prefix}products-next`,
  productsPattern: `${prefix}products-v*`,
  productsConcrete: (version) => `${prefix}products-v${version}-`,
  queries: `${prefix}queries`,
  rewrites: `${prefix}rewrites`,
  shoppers: `${prefix}shoppers`,
  sessions: `${prefix}sessions`,
});

export const SEARCH_INDICES = Symbol('SEARCH_INDICES');

/** Document id of a per-store document. Store ids cannot contain '|'. */
export const docId = (storeId: string, key: string): string => `${storeId}|${key}`;
