/**
 * What the serving benchmark asks, drawn from the search evaluation's queries (bench/search-eval):
 * pure and seeded.
 *
 * Search: half product queries of the eval's four sets (exact titles, 1-edit and 2-edit typos,
 * real misspellings; equal shares), half queries of the search log (short phrases and full titles,
 * as often as shoppers searched them).
 *
 * Autocomplete: what a shopper has typed so far: a query cut after a uniformly drawn number of
 * characters (1 .. min(length, maxChars); every keystroke is a request). The query is a logged one
 * half of the time, an exact title a quarter and a 1-edit typo of a title a quarter (a typo in what
 * is typed so far).
 */
import type { EvalQuery, QuerySetName } from '../search-eval/queries';
import type { LoggedSearch } from '../search-eval/searchlog';

export type Source = QuerySetName | 'log';

export interface ServeRequest {
  endpoint: 'search' | 'autocomplete';
  q: string;
  source: Source;
}

const pick = <T>(xs: readonly T[], rand: () => number): T => xs[Math.floor(rand() * xs.length)];

export function searchRequests(sets: Readonly<Record<QuerySetName, readonly EvalQuery[]>>, log: readonly LoggedSearch[], count: number, rand: () => number): ServeRequest[] {
  const names = (Object.keys(sets) as QuerySetName[]).filter((s) => sets[s].length > 0);
  if (names.length === 0 && log.length === 0) throw new Error('no queries to draw from');
  const out: ServeRequest[] = [];
  for (let i = 0; i < count; i++) {
    if (log.length > 0 && (names.length === 0 || rand() < 0.5)) {
      out.push({ endpoint: 'search', q: pick(log, rand).query, source: 'log' });
    } else {
      const set = pick(names, rand);
      out.push({ endpoint: 'search', q: pick(sets[set], rand).q, source: set });
    }
  }
  return out;
}

/** `query` cut after 1 .. min(length, maxChars) characters (uniform), trailing spaces kept out. */
export function typedPrefix(query: string, maxChars: number, rand: () => number): string {
  const n = 1 + Math.floor(rand() * Math.max(1, Math.min(query.length, maxChars)));
  return query.slice(0, n).trimEnd() || query.slice(0, 1);
}

export function autocompleteRequests(sets: Readonly<Record<QuerySetName, readonly EvalQuery[]>>, log: readonly LoggedSearch[], count: number, maxChars: number, rand: () => number): ServeRequest[] {
  if (log.length === 0 && sets.exact.length === 0 && sets.typo1.length === 0) throw new Error('no queries to draw from');
  const out: ServeRequest[] = [];
  for (let i = 0; i < count; i++) {
    const x = rand();
    let q: string;
    let source: Source;
    if (log.length > 0 && (x < 0.5 || (sets.exact.length === 0 && sets.typo1.length === 0))) {
      q = pick(log, rand).query;
      source = 'log';
    } else if ((x < 0.75 && sets.exact.length > 0) || sets.typo1.length === 0) {
      q = pick(sets.exact, rand).q;
      source = 'exact';
    } else {
      q = pick(sets.typo1, rand).q;
      source = 'typo1';
    }
    out.push({ endpoint: 'autocomplete', q: typedPrefix(q, maxChars, rand), source });
  }
  return out;
}
