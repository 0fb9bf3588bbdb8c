import { HEAT_HALF_LIFE_HOURS } from '../indices/documents';
import { rankedQuery, type RankingContext } from './ranking';
import { TYPO_FUZZINESS } from './search-request';

/**
 * A suggestion that starts with what was typed is far likelier what the shopper is typing than one
 * with a later word that does ("cal" → "calm", before "keep calm"): its score is multiplied by this.
 */
const STARTS_WITH_WEIGHT = 4;

/** Catalog phrases rank under what shoppers actually searched, categories and brands over titles. */
const CATALOG_WEIGHT = { category: 1.5, brand: 1.2, title: 0.6 };

/**
 * Suggestion order: how often it was searched (log), how recently (decayed), how often it led to a
 * purchase, and catalog phrases for what nobody searched yet. Queries that last found nothing are
 * never suggested.
 */
const SUGGESTION_SCRIPT = `
  double searches = doc['searches'].size() == 0 ? 0 : doc['searches'].value;
  double purchases = doc['purchases'].size() == 0 ? 0 : doc['purchases'].value;
  double recent = doc['heatLong'].size() == 0 ? 0 : Math.pow(2, doc['heatLong'].value - params.nowLong);
  double catalog = 0;
  if (doc['catalog.kind'].size() > 0) { catalog = ((Number) params.kinds.get(doc['catalog.kind'].value)).doubleValue(); }
  return (Math.log1p(searches) + Math.log1p(recent) + catalog) * (1 + (purchases + 1) / (searches + 2));
`;

/**
 * Trending: searches per hour over the last hours (6 h half-life) against the week's rate (7 d half-life).
 * A query rising above its usual rate ranks over one that is merely always popular.
 */
const TRENDING_SCRIPT = `
  if (doc['heatShort'].size() == 0) return 0;
  double shortRate = Math.pow(2, doc['heatShort'].value - params.nowShort) * 0.693 / params.hlShort;
  double longRate = doc['heatLong'].size() == 0 ? 0 : Math.pow(2, doc['heatLong'].value - params.nowLong) * 0.693 / params.hlLong;
  return shortRate * (1 + Math.max(0, Math.log((shortRate + 0.1) / (longRate + 0.1)) / Math.log(2)));
`;

const scriptParams = (nowHours: number) => ({
  nowShort: nowHours / HEAT_HALF_LIFE_HOURS.queryShort,
  nowLong: nowHours / HEAT_HALF_LIFE_HOURS.queryLong,
  hlShort: HEAT_HALF_LIFE_HOURS.queryShort,
  hlLong: HEAT_HALF_LIFE_HOURS.queryLong,
  kinds: CATALOG_WEIGHT,
});

/** Words typed so far match word prefixes, typos allowed by length ("wjite hea" → "white heart"). */
const prefixMatch = (field: string, typed: string) => ({
  match: { [field]: { query: typed, operator: 'and', fuzziness: TYPO_FUZZINESS, prefix_length: 1, max_expansions: 20 } },
});

export interface AutocompleteInput {
  queriesIndex: string;
  productsIndex: string;
  storeId: string;
  /** Normalized text typed so far. */
  typed: string;
  limit: number;
  productLimit: number;
  ranking: RankingContext;
  /** The shopper's favourite categories, to lean trending searches towards them. */
  preferCategories: string[];
}

/** Suggestions and top products in one msearch. */
export function buildAutocompleteRequests(input: AutocompleteInput): object[] {
  const store = { term: { storeId: input.storeId } };
  const params = scriptParams(input.ranking.nowHours);
  if (!input.typed) {
    const lean = input.preferCategories.map((c) => ({ match: { 'query.text': { query: c, boost: 0.5 } } }));
    return [
      { index: input.queriesIndex },
      {
        size: input.limit,
        _source: ['query'],
        query: {
          function_score: {
            query: { bool: { filter: [store, { exists: { field: 'heatShort' } }], must_not: [{ term: { lastResultsCount: 0 } }], should: lean } },
            functions: [{ script_score: { script: { source: TRENDING_SCRIPT, params } } }],
            boost_mode: lean.length ? 'sum' : 'replace',
          },
        },
      },
    ];
  }
  const startsWith = { prefix: { query: { value: input.typed } } };
  const suggestions = {
    size: input.limit,
    _source: ['query', 'searches', 'catalog'],
    query: {
      function_score: {
        query: {
          bool: {
            filter: [store],
            must: [prefixMatch('query.text.prefix', input.typed)],
            must_not: [{ bool: { filter: [{ term: { lastResultsCount: 0 } }], must_not: [{ exists: { field: 'catalog' } }] } }],
          },
        },
        functions: [{ script_score: { script: { source: SUGGESTION_SCRIPT, params } } }, { filter: startsWith, weight: STARTS_WITH_WEIGHT }],
        score_mode: 'multiply',
        boost_mode: 'multiply',
      },
    },
  };
  const productText = {
    bool: {
      should: [prefixMatch('title.prefix', input.typed), prefixMatch('brand.prefix', input.typed), prefixMatch('categoryText.prefix', input.typed)],
      minimum_should_match: 1,
    },
  };
  const products = {
    size: input.productLimit,
    _source: ['productId', 'title', 'price', 'salePrice', 'currency', 'imageUrl', 'inStock'],
    query: rankedQuery({ bool: { must: productText, filter: [store, { term: { hidden: false } }] } }, input.ranking),
    aggs: { categories: { terms: { field: 'categories', size: 10 } } },
  };
  return [{ index: input.queriesIndex }, suggestions, { index: input.productsIndex }, products];
}

