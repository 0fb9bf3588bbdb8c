import { Type, type Static } from '@sinclair/typebox';
import { Id, StoreId } from './primitives';
import { readUrlQuery } from './url-query';
import { Validator, type Validation } from './validation';

export const SEARCH_SORTS = ['relevance', 'price_asc', 'price_desc', 'newest', 'best_selling'] as const;
export type SearchSort = (typeof SEARCH_SORTS)[number];

export const SEARCH_LIMITS = { maxQueryChars: 256, maxPageSize: 100, defaultPageSize: 24, maxPage: 100, maxFilterValues: 20, defaultSuggestions: 8, maxSuggestions: 20 } as const;

const FilterValues = (description: string) =>
  Type.Array(Type.String({ minLength: 1, maxLength: 256 }), { maxItems: SEARCH_LIMITS.maxFilterValues, description });
const Price = (description: string) => Type.Number({ minimum: 0, maximum: 1e9, description });
const Shopper = {
  anonymousId: Type.Optional(Id('Anonymous id of the shopper, for personal ranking.')),
  customerId: Type.Optional(Id('Customer id of the shopper, for personal ranking.')),
};

/** `GET /v1/search` (the gateway adds storeId from the API key). */
export const SearchQuery = Type.Object(
  {
    storeId: StoreId,
    q: Type.String({ maxLength: 4096, default: '', description: 'What the shopper typed; cut to 256 characters. Empty lists the catalog.' }),
    page: Type.Integer({ minimum: 1, maximum: SEARCH_LIMITS.maxPage, default: 1 }),
    pageSize: Type.Integer({ minimum: 1, maximum: SEARCH_LIMITS.maxPageSize, default: SEARCH_LIMITS.defaultPageSize }),
    sort: Type.Union(SEARCH_SORTS.map((s) => Type.Literal(s)), { default: 'relevance' }),
    brand: Type.Optional(FilterValues('Only these brands (exact, as in the facet).')),
    category: Type.Optional(FilterValues('Only these categories or their sub-categories (a path, as in the facet).')),
    color: Type.Optional(FilterValues('Only these colours.')),
    size: Type.Optional(FilterValues('Only these sizes.')),
    price_min: Type.Optional(Price('Lowest price paid (sale price when on sale).')),
    price_max: Type.Optional(Price('Highest price paid.')),
    in_stock: Type.Optional(Type.Boolean({ description: 'Only products in stock.' })),
    explain: Type.Boolean({ default: false, description: 'Say why each hit ranked where it did.' }),
    ...Shopper,
  },
  { additionalProperties: false, $id: 'SearchQuery' },
);
export type SearchQuery = Static<typeof SearchQuery>;

/** `GET /v1/autocomplete`. */
export const AutocompleteQuery = Type.Object(
  {
    storeId: StoreId,
    q: Type.String({ maxLength: 4096, default: '', description: 'What is typed so far; empty gives trending searches.' }),
    limit: Type.Integer({ minimum: 1, maximum: SEARCH_LIMITS.maxSuggestions, default: SEARCH_LIMITS.defaultSuggestions }),
    ...Shopper,
  },
  { additionalProperties: false, $id: 'AutocompleteQuery' },
);
export type AutocompleteQuery = Static<typeof AutocompleteQuery>;

const searchValidator = new Validator(SearchQuery);
const autocompleteValidator = new Validator(AutocompleteQuery);
const withDefaults = <T extends Record<string, unknown>>(v: T, defaults: Record<string, unknown>) => ({ ...defaults, ...v });

/** A URL query → a checked SearchQuery; a filter takes several values by repeating it (`brand=a&brand=b`). */
export function parseSearchQuery(raw: Record<string, unknown>): Validation<SearchQuery> {
  const read = readUrlQuery(raw, {
    fields: new Set(Object.keys(SearchQuery.properties)),
    repeated: ['brand', 'category', 'color', 'size'],
    numbers: ['page', 'pageSize', 'price_min', 'price_max'],
    booleans: ['in_stock', 'explain'],
  });
  if (!read.ok) return read;
  const checked = searchValidator.validate(withDefaults(read.value, { q: '', page: 1, pageSize: SEARCH_LIMITS.defaultPageSize, sort: 'relevance', explain: false }));
  if (checked.ok && checked.value.price_min !== undefined && checked.value.price_max !== undefined && checked.value.price_min > checked.value.price_max) {
    return { ok: false, errors: [{ field: 'price_min', message: 'Must not be above price_max' }] };
  }
  return checked;
}

export function parseAutocompleteQuery(raw: Record<string, unknown>): Validation<AutocompleteQuery> {
  const read = readUrlQuery(raw, { fields: new Set(Object.keys(AutocompleteQuery.properties)), numbers: ['limit'] });
  if (!read.ok) return read;
  return autocompleteValidator.validate(withDefaults(read.value, { q: '', limit: SEARCH_LIMITS.defaultSuggestions }));
}

/** One product in a search answer. */
export interface SearchHit {
  productId: string;
  title: string;
  brand?: string;
  category?: string;
  price: number;
  salePrice?: number;
  currency: string;
  imageUrl?: string;
  inStock: boolean;
  /** 0-based rank in the whole result list; send it back as `position` on search_result_click. */
  position: number;
  score: number | null;
  /** With explain=true: the parts of the score. */
  explain?: SearchHitExplain;
}

export interface SearchHitExplain {
  text: number;
  /** Boost from what shoppers clicked, carted and bought after this query. */
  sellsForQuery: number;
  popularity: number;
  stock: number;
  affinity: number;
  matched: string[];
}

export interface FacetValue {
  value: string;
  count: number;
}

export interface SearchAnswer {
  searchId: string;
  query: string;
  normalizedQuery: string;
  /** The queries actually run when synonyms, a learned rewrite or a fallback changed it. */
  rewrites: string[];
  total: number;
  page: number;
  pageSize: number;
  hits: SearchHit[];
  facets: { brand: FacetValue[]; category: FacetValue[]; color: FacetValue[]; size: FacetValue[]; price: { from?: number; to?: number; count: number }[] };
  personalized: boolean;
  /** Set when the query as typed found nothing: what was shown instead. */
  fallback?: 'relaxed' | 'popular_in_category' | 'popular';
}

export interface AutocompleteAnswer {
  searchId: string;
  query: string;
  /** Query suggestions; with an empty query, trending searches. */
  suggestions: { query: string; source: 'searches' | 'catalog'; trending?: boolean }[];
  products: Pick<SearchHit, 'productId' | 'title' | 'price' | 'salePrice' | 'currency' | 'imageUrl' | 'inStock'>[];
  categories: FacetValue[];
}

/** `search.served.v1`: every search and autocomplete answer, for click-through and exit analytics. */
export const SearchServed = Type.Object(
  {
    searchId: Type.String(),
    storeId: StoreId,
    kind: Type.Union([Type.Literal('search'), Type.Literal('autocomplete'), Type.Literal('image'), Type.Literal('similar_looking')]),
    query: Type.String({ description: 'As typed (cut to 256 characters); empty for image searches.' }),
    normalizedQuery: Type.String(),
    rewrites: Type.Array(Type.String()),
    anonymousId: Type.Optional(Type.String()),
    customerId: Type.Optional(Type.String()),
    filters: Type.Record(Type.String(), Type.Unknown(), { description: 'Filters and sort as asked.' }),
    page: Type.Integer({ minimum: 1 }),
    total: Type.Integer({ minimum: 0 }),
    items: Type.Array(Type.Object({ productId: Type.String(), position: Type.Integer({ minimum: 0 }) }), { description: 'Products shown, with their 0-based positions.' }),
    suggestions: Type.Optional(Type.Array(Type.String())),
    fallback: Type.Optional(Type.String()),
    servedAt: Type.String({ format: 'date-time' }),
  },
  { additionalProperties: false, $id: 'SearchServed' },
);
export type SearchServed = Static<typeof SearchServed>;
