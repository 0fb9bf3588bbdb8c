/**
 * The search service's own OpenSearch request builders, loaded from its build output at run time
 * (a bench may not import an app's code, and the service is what is measured: its requests must be
 * the ones sent bare). Modules and names (apps/search/src/query/):
 *
 *   normalize.js             normalizeQuery(raw): string
 *   variants.js              queryVariants(normalized, synonyms, learned): QueryVariant[]
 *   search-request.js        buildSearchRequest(input): { index, body }   the one request behind GET /v1/search
 *   autocomplete-request.js  buildAutocompleteRequests(input): object[]   the msearch lines behind GET /v1/autocomplete
 *
 * The shapes below are the subset the benchmark fills in; if the service changes them, loading
 * fails with the name of what is missing rather than measuring something else.
 */
import { resolve } from 'node:path';

export interface QueryVariant {
  text: string;
  boost: number;
  why: string;
}

export interface RankingContext {
  sellsForQuery: Record<string, number>;
  affinities: null;
  nowHours: number;
}

export interface SearchRequestInput {
  index: string;
  storeId: string;
  variants: QueryVariant[];
  strictness: 'all_words' | 'any_word';
  query: { sort: 'relevance' };
  from: number;
  size: number;
  ranking: RankingContext;
  facets: boolean;
}

export interface AutocompleteInput {
  queriesIndex: string;
  productsIndex: string;
  storeId: string;
  typed: string;
  limit: number;
  productLimit: number;
  ranking: RankingContext;
  preferCategories: string[];
}

export interface SearchBuilders {
  normalizeQuery(raw: string): string;
  queryVariants(normalized: string, synonyms: unknown, learned: unknown): QueryVariant[];
  buildSearchRequest(input: SearchRequestInput): { index: string; body: Record<string, unknown> };
  buildAutocompleteRequests(input: AutocompleteInput): object[];
}

const MODULES: Record<keyof SearchBuilders, string> = {
  normalizeQuery: 'normalize.js',
  queryVariants: 'variants.js',
  buildSearchRequest: 'search-request.js',
  buildAutocompleteRequests: 'autocomplete-request.js',
};

/** Loads the builders from `<dist>/apps/search/src/query/`; throws naming what is missing. */
export function loadBuilders(distRoot: string): SearchBuilders {
  const dir = resolve(distRoot, 'apps/search/src/query');
  const out: Partial<Record<keyof SearchBuilders, unknown>> = {};
  for (const [name, file] of Object.entries(MODULES) as [keyof SearchBuilders, string][]) {
    let mod: Record<string, unknown>;
    try {
      mod = require(resolve(dir, file)) as Record<string, unknown>;
    } catch (e) {
      throw new Error(`cannot load ${resolve(dir, file)} (build the search service: npm run build): ${e instanceof Error ? e.message : String(e)}`);
    }
    if (typeof mod[name] !== 'function') throw new Error(`${resolve(dir, file)} does not export a function ${name} (exports: ${Object.keys(mod).join(', ')})`);
    out[name] = mod[name];
  }
  return out as SearchBuilders;
}

/** The msearch lines as the NDJSON body of `POST /_msearch`. */
export const ndjson = (lines: readonly object[]): string => lines.map((l) => JSON.stringify(l)).join('\n') + '\n';
