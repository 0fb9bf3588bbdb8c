/**
 * Index settings and mappings. PRODUCTS_MAPPING_VERSION names the products mapping: raise it with
 * any change to PRODUCT_SETTINGS or PRODUCT_MAPPINGS, and the service reindexes into a new
 * concrete index at start-up and swaps the alias (index-admin.ts).
 */
export const PRODUCTS_MAPPING_VERSION = 1;

const analysis = {
  filter: {
    sig_plural: { type: 'stemmer', language: 'minimal_english' },
    // "t shirt" and "tshirt", "hand bag" and "handbag" meet on the joined token.
    sig_joined: { type: 'shingle', min_shingle_size: 2, max_shingle_size: 3, output_unigrams: true, token_separator: '' },
    sig_edge: { type: 'edge_ngram', min_gram: 1, max_gram: 20 },
  },
  normalizer: {
    sig_lower: { type: 'custom', filter: ['lowercase', 'asciifolding'] },
  },
  analyzer: {
    // Words, lowercase, accents folded, plurals to singular.
    sig_text: { type: 'custom', tokenizer: 'standard', filter: ['lowercase', 'asciifolding', 'sig_plural'] },
    sig_joined: { type: 'custom', tokenizer: 'standard', filter: ['lowercase', 'asciifolding', 'sig_plural', 'sig_joined'] },
    // Prefixes of every word, for as-you-type matching; searched with sig_plain.
    sig_prefix: { type: 'custom', tokenizer: 'standard', filter: ['lowercase', 'asciifolding', 'sig_edge'] },
    sig_plain: { type: 'custom', tokenizer: 'standard', filter: ['lowercase', 'asciifolding'] },
  },
};

/** A text field matched by words, joined words and prefixes. */
const searchable = {
  type: 'text',
  analyzer: 'sig_text',
  fields: {
    joined: { type: 'text', analyzer: 'sig_joined' },
    prefix: { type: 'text', analyzer: 'sig_prefix', search_analyzer: 'sig_plain' },
  },
};

export const PRODUCT_SETTINGS = {
  number_of_shards: 1,
  number_of_replicas: 0,
  refresh_interval: '1s',
  'index.max_result_window': 10_000,
  analysis,
};

export const PRODUCT_MAPPINGS = {
  dynamic: 'strict',
  _meta: { mappingVersion: PRODUCTS_MAPPING_VERSION },
  properties: {
    storeId: { type: 'keyword' },
    productId: { type: 'keyword' },
    title: { ...searchable, fields: { ...searchable.fields, sort: { type: 'keyword', normalizer: 'sig_lower', ignore_above: 256 } } },
    description: { type: 'text', analyzer: 'sig_text' },
    brand: { ...searchable, fields: { ...searchable.fields, facet: { type: 'keyword', ignore_above: 128 }, norm: { type: 'keyword', normalizer: 'sig_lower', ignore_above: 128 } } },
    categories: { type: 'keyword', ignore_above: 256 },
    category: { type: 'keyword', ignore_above: 256 },
    categoryText: searchable,
    color: { type: 'keyword', normalizer: 'sig_lower', ignore_above: 64 },
    size: { type: 'keyword', normalizer: 'sig_lower', ignore_above: 64 },
    attributeText: { type: 'text', analyzer: 'sig_text' },
    attributes: { type: 'object', enabled: false },
    price: { type: 'double' },
    salePrice: { type: 'double' },
    effectivePrice: { type: 'double' },
    currency: { type: 'keyword' },
    imageUrl: { type: 'keyword', index: false, doc_values: false },
    inStock: { type: 'boolean' },
    stockLevel: { type: 'integer' },
    hidden: { type: 'boolean' },
    variantGroupId: { type: 'keyword' },
    createdAt: { type: 'date' },
    updatedAt: { type: 'date' },
    stockUpdatedAt: { type: 'date' },
    heat: { type: 'double' },
    sold: { type: 'long' },
  },
};

/** Search-log queries and catalog phrases: suggestions, trending, what sells per query. */
export const QUERY_INDEX = {
  settings: { number_of_shards: 1, number_of_replicas: 0, refresh_interval: '1s', analysis },
  mappings: {
    dynamic: 'strict',
    properties: {
      storeId: { type: 'keyword' },
      query: { type: 'keyword', fields: { text: searchable } },
      catalog: { properties: { kind: { type: 'keyword' }, products: { type: 'integer' } } },
      searches: { type: 'long' },
      lastSearchedAt: { type: 'date' },
      heatShort: { type: 'double' },
      heatLong: { type: 'double' },
      clicks: { type: 'long' },
      carts: { type: 'long' },
      purchases: { type: 'long' },
      zeroResults: { type: 'long' },
      exits: { type: 'long' },
      lastResultsCount: { type: 'integer' },
      products: { type: 'object', enabled: false },
    },
  },
};

export const REWRITE_INDEX = {
  settings: { number_of_shards: 1, number_of_replicas: 0, refresh_interval: '1s' },
  mappings: {
    dynamic: 'strict',
    properties: {
      storeId: { type: 'keyword' },
      kind: { type: 'keyword' },
      from: { type: 'keyword' },
      to: { type: 'keyword' },
      support: { type: 'integer' },
      active: { type: 'boolean' },
      sets: { type: 'object', enabled: false },
      oneWay: { type: 'object', enabled: false },
      updatedAt: { type: 'date' },
    },
  },
};

export const SHOPPER_INDEX = {
  settings: { number_of_shards: 1, number_of_replicas: 0, refresh_interval: '1s' },
  mappings: {
    dynamic: 'strict',
    properties: {
      storeId: { type: 'keyword' },
      profileId: { type: 'keyword' },
      identities: { type: 'keyword' },
      brands: { type: 'object', enabled: false },
      categories: { type: 'object', enabled: false },
      computedAt: { type: 'date' },
    },
  },
};

/** Its shape belongs to the behaviour consumer; OpenSearch only stores it. */
export const SESSION_INDEX = {
  settings: { number_of_shards: 1, number_of_replicas: 0, refresh_interval: '1s' },
  mappings: { dynamic: false, properties: { storeId: { type: 'keyword' }, updatedAt: { type: 'date' } } },
};
