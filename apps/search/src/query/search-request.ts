import { categoryPaths, type SearchQuery, type SearchSort } from '@signal/contracts';
import { words } from './normalize';
import { rankedQuery, type RankingContext } from './ranking';

/** Algolia's rule: one typo from 4 characters, two from 8. */
export const TYPO_FUZZINESS = 'AUTO:4,8';

/** Fields a query word may match in, with their weights. */
export const TEXT_FIELDS = ['title^3', 'title.joined^2', 'brand^2', 'brand.joined', 'categoryText^1.5', 'categoryText.joined', 'attributeText', 'description^0.3'];

export const PRICE_RANGES: { from?: number; to?: number }[] = [
  { to: 10 },
  { from: 10, to: 25 },
  { from: 25, to: 50 },
  { from: 50, to: 100 },
  { from: 100, to: 250 },
  { from: 250, to: 500 },
  { from: 500, to: 1000 },
  { from: 1000 },
];

export const FACET_SIZE = 20;

/** A query text and how much its matches count (the shopper's own words count most). */
export interface QueryVariant {
  text: string;
  boost: number;
  why: string;
}

export type Strictness = 'all_words' | 'any_word';

export interface SearchRequestInput {
  index: string;
  storeId: string;
  variants: QueryVariant[];
  strictness: Strictness;
  query: Pick<SearchQuery, 'brand' | 'category' | 'color' | 'size' | 'price_min' | 'price_max' | 'in_stock' | 'sort'>;
  from: number;
  size: number;
  ranking: RankingContext;
  /** Filters dropped entirely (the last-resort fallback). */
  ignoreFilters?: boolean;
  /** Restrict to a category (popular-in-category fallback). */
  inCategory?: string;
  facets: boolean;
}

/** Every word must match somewhere (any field, typos allowed by word length); or, relaxed, any word. */
function variantClause(v: QueryVariant, strictness: Strictness): object {
  const clauses = words(v.text).map((word) => ({
    multi_match: { query: word, fields: TEXT_FIELDS, type: 'best_fields', fuzziness: TYPO_FUZZINESS, prefix_length: 0, max_expansions: 50 },
  }));
  // Words in order score higher than the same words scattered.
  const phrase = { match_phrase: { title: { query: v.text, slop: 2, boost: 2 } } };
  return strictness === 'all_words'
    ? { bool: { must: clauses, should: [phrase], boost: v.boost, _name: v.why } }
    : { bool: { should: [...clauses, phrase], minimum_should_match: 1, boost: v.boost, _name: v.why } };
}

export function textQuery(variants: QueryVariant[], strictness: Strictness): object {
  const real = variants.filter((v) => v.text);
  if (!real.length) return { match_all: {} };
  return { bool: { should: real.map((v) => variantClause(v, strictness)), minimum_should_match: 1 } };
}

type Facet = 'brand' | 'category' | 'color' | 'size' | 'price';

/** The facet filters, each apart, so a facet's counts ignore its own selection (multi-select facets). */
function facetFilters(q: SearchRequestInput['query']): Record<Facet, object | null> {
  const categories = q.category?.flatMap((c) => categoryPaths([c]).slice(-1));
  const price: Record<string, number> = {};
  if (q.price_min !== undefined) price.gte = q.price_min;
  if (q.price_max !== undefined) price.lte = q.price_max;
  return {
    brand: q.brand?.length ? { terms: { 'brand.facet': q.brand } } : null,
    category: categories?.length ? { terms: { categories } } : null,
    color: q.color?.length ? { terms: { color: q.color.map((c) => c.toLowerCase()) } } : null,
    size: q.size?.length ? { terms: { size: q.size.map((s) => s.toLowerCase()) } } : null,
    price: Object.keys(price).length ? { range: { effectivePrice: price } } : null,
  };
}

const SORTS: Record<SearchSort, object[]> = {
  relevance: [{ _score: 'desc' }, { sold: { order: 'desc', missing: '_last' } }, { productId: 'asc' }],
  price_asc: [{ effectivePrice: 'asc' }, { _score: 'desc' }, { productId: 'asc' }],
  price_desc: [{ effectivePrice: 'desc' }, { _score: 'desc' }, { productId: 'asc' }],
  newest: [{ createdAt: 'desc' }, { _score: 'desc' }, { productId: 'asc' }],
  best_selling: [{ sold: { order: 'desc', missing: '_last' } }, { heat: { order: 'desc', missing: '_last' } }, { _score: 'desc' }, { productId: 'asc' }],
};

export const SOURCE_FIELDS = ['productId', 'title', 'brand', 'category', 'categories', 'price', 'salePrice', 'effectivePrice', 'currency', 'imageUrl', 'inStock', 'heat', 'sold'];

/** The one OpenSearch request behind `GET /v1/search` (bench/search-serve sends it bare). */
export function buildSearchRequest(input: SearchRequestInput): { index: string; body: Record<string, unknown> } {
  const base: object[] = [{ term: { storeId: input.storeId } }, { term: { hidden: false } }];
  if (input.inCategory) base.push({ term: { categories: input.inCategory } });
  if (input.query.in_stock && !input.ignoreFilters) base.push({ term: { inStock: true } });
  const facets = input.ignoreFilters ? { brand: null, category: null, color: null, size: null, price: null } : facetFilters(input.query);
  const selected = Object.values(facets).filter((f): f is object => f !== null);
  const body: Record<string, unknown> = {
    query: rankedQuery({ bool: { must: textQuery(input.variants, input.strictness), filter: base } }, input.ranking),
    from: input.from,
    size: input.size,
    sort: SORTS[input.query.sort],
    track_scores: true,
    track_total_hits: true,
    _source: SOURCE_FIELDS,
  };
  if (selected.length) body.post_filter = { bool: { filter: selected } };
  if (input.facets) {
    const others = (facet: Facet) => Object.entries(facets).filter(([k, f]) => k !== facet && f !== null).map(([, f]) => f);
    const facetAgg = (facet: Facet, agg: object) => ({ filter: { bool: { filter: others(facet) } }, aggs: { values: agg } });
    body.aggs = {
      brand: facetAgg('brand', { terms: { field: 'brand.facet', size: FACET_SIZE } }),
      category: facetAgg('category', { terms: { field: 'categories', size: FACET_SIZE } }),
      color: facetAgg('color', { terms: { field: 'color', size: FACET_SIZE } }),
      size: facetAgg('size', { terms: { field: 'size', size: FACET_SIZE } }),
      price: facetAgg('price', { range: { field: 'effectivePrice', ranges: PRICE_RANGES } }),
    };
  }
  return { index: input.index, body };
}
