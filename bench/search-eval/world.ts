/**
 * Everything the evaluation (and bench/search-serve) asks and sends, built from the loaded data
 * and the settings: products and their near-duplicates, the four query sets, the search log of the
 * first `trainShare` of the time and the autocomplete test queries of the rest. Deterministic for a
 * seed.
 */
import { prng } from '../common';
import { equivalents, type EvalData, type EvalProduct } from './catalog';
import { catalogMisspellings } from './misspellings';
import { buildQuerySets, vocabularyOf, type EvalQuery, type QuerySetName } from './queries';
import { CompletionCounts, sampleSearches, splitTime, type LoggedSearch } from './searchlog';

export interface WorldSettings {
  seed: number;
  /** Queries per search set. */
  perSet: number;
  /** Logged searches in the train window. */
  logSearches: number;
  /** Autocomplete test queries from the test window. */
  testQueries: number;
  /** Share of the time (from the first invoice) the log covers; the rest is the autocomplete test window. */
  trainShare: number;
  /** Share of logged (and test) searches that are full titles rather than short phrases. */
  fullShare: number;
}

export interface World {
  products: EvalProduct[];
  byId: Map<string, EvalProduct>;
  equivalents: Map<string, ReadonlySet<string>>;
  /** Distinct normalized titles shared by more than one product. */
  duplicateTitles: number;
  misspellingPairs: [string, string][];
  sets: Record<QuerySetName, EvalQuery[]>;
  cutoff: number;
  trainSearches: LoggedSearch[];
  testSearches: LoggedSearch[];
  completions: CompletionCounts;
}

export function buildWorld(data: EvalData, s: WorldSettings): World {
  const products = data.products;
  const byId = new Map(products.map((p) => [p.productId, p]));
  const eq = equivalents(products);
  const duplicateTitles = new Set(products.filter((p) => (eq.get(p.productId)?.size ?? 1) > 1).map((p) => p.query)).size;
  const misspellingPairs = catalogMisspellings(vocabularyOf(products.map((p) => p.query)));
  const sets = buildQuerySets({ products, perSet: s.perSet, seed: s.seed, misspellings: misspellingPairs, prng });
  const cutoff = splitTime(data.minAt, data.maxAt, s.trainShare);
  const trainSearches = sampleSearches(data.sales, byId, { from: data.minAt, to: cutoff, count: s.logSearches, fullShare: s.fullShare, rand: prng(s.seed + 100) });
  const testSearches = sampleSearches(data.sales, byId, { from: cutoff, to: data.maxAt + 1, count: s.testQueries, fullShare: s.fullShare, rand: prng(s.seed + 200) });
  const completions = new CompletionCounts();
  for (const x of trainSearches) completions.add(x.query);
  return { products, byId, equivalents: eq, duplicateTitles, misspellingPairs, sets, cutoff, trainSearches, testSearches, completions };
}
