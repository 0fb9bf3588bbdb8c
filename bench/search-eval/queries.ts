/**
 * The search query sets: for a seeded sample of products, the product query (its normalized
 * title) and misspelled variants of it. Pure and deterministic for a given seed.
 *
 * - `exact`: the product query itself (a control: what the typo sets are compared with).
 * - `typo1`: one word of at least 4 letters gets one keyboard edit.
 * - `typo2`: two edits. When the query has a word of at least 8 letters, one such word gets both
 *   edits ("one-word"); otherwise two different words of at least 4 letters get one edit each
 *   ("two-words"); a query with neither is left out of the set. (The word lengths follow the usual
 *   "AUTO" fuzziness: 1 edit from 3 letters, 2 edits from 6.)
 * - `misspelling`: one word of at least 4 letters replaced by one of its real misspellings from
 *   @cspell/dict-en-common-misspellings (catalogMisspellings).
 *
 * Only words of letters a-z take edits ("t-light", "3", "72" never do). A generated typo that is
 * itself a word of the catalog ("pink" → "pine") is rejected and another one drawn: such a query is
 * a different, valid query, not a misspelling of this one.
 */
import { isLetterWord, words } from './normalize';
import { typo } from './typos';

export type QuerySetName = 'exact' | 'typo1' | 'typo2' | 'misspelling';
export const QUERY_SETS: readonly QuerySetName[] = ['exact', 'typo1', 'typo2', 'misspelling'];

export interface EvalQuery {
  set: QuerySetName;
  /** The product the query was made from. */
  productId: string;
  /** Its product query (normalized title). */
  intended: string;
  /** What is searched. */
  q: string;
  /** Words changed: [correct, as typed]. */
  changed: [string, string][];
  /** typo2 only: both edits in one word, or one in each of two words. */
  kind?: 'one-word' | 'two-words';
}

export interface Variant {
  q: string;
  changed: [string, string][];
  kind?: 'one-word' | 'two-words';
}

/** Fisher-Yates with the given PRNG: a new array. */
export function shuffled<T>(xs: readonly T[], rand: () => number): T[] {
  const a = [...xs];
  for (let i = a.length - 1; i > 0; i--) {
    const j = Math.floor(rand() * (i + 1));
    [a[i], a[j]] = [a[j], a[i]];
  }
  return a;
}

/** Every word of every query: what a typo must not turn into. */
export function vocabularyOf(queries: Iterable<string>): Set<string> {
  const v = new Set<string>();
  for (const q of queries) for (const w of words(q)) v.add(w);
  return v;
}

const replaceAt = (ws: readonly string[], at: number, w: string): string => ws.map((x, i) => (i === at ? w : x)).join(' ');

/** Word indices of `ws` that can take a typo: letters only, at least `minLength` long. */
export const eligible = (ws: readonly string[], minLength: number): number[] => ws.flatMap((w, i) => (isLetterWord(w) && w.length >= minLength ? [i] : []));

/** A typo of `word` `edits` edits away that is not a catalog word, or null after `tries` draws. */
export function nonWordTypo(word: string, edits: 1 | 2, rand: () => number, vocabulary: ReadonlySet<string>, tries = 20): string | null {
  for (let t = 0; t < tries; t++) {
    const w = typo(word, edits, rand);
    if (w === null) return null;
    if (!vocabulary.has(w)) return w;
  }
  return null;
}

/** One word of at least 4 letters (drawn at random) gets one edit; null when no word can take one. */
export function oneEditVariant(query: string, rand: () => number, vocabulary: ReadonlySet<string>): Variant | null {
  const ws = words(query);
  for (const i of shuffled(eligible(ws, 4), rand)) {
    const t = nonWordTypo(ws[i], 1, rand, vocabulary);
    if (t !== null) return { q: replaceAt(ws, i, t), changed: [[ws[i], t]] };
  }
  return null;
}

/** Two edits: both in one word of at least 8 letters when there is one, else one in each of two words of at least 4 letters. */
export function twoEditVariant(query: string, rand: () => number, vocabulary: ReadonlySet<string>): Variant | null {
  const ws = words(query);
  for (const i of shuffled(eligible(ws, 8), rand)) {
    const t = nonWordTypo(ws[i], 2, rand, vocabulary);
    if (t !== null) return { q: replaceAt(ws, i, t), changed: [[ws[i], t]], kind: 'one-word' };
  }
  const candidates = shuffled(eligible(ws, 4), rand);
  const done: [number, string][] = [];
  for (const i of candidates) {
    if (done.length === 2) break;
    const t = nonWordTypo(ws[i], 1, rand, vocabulary);
    if (t !== null) done.push([i, t]);
  }
  if (done.length < 2) return null;
  done.sort((a, b) => a[0] - b[0]);
  const out = [...ws];
  for (const [i, t] of done) out[i] = t;
  return { q: out.join(' '), changed: done.map(([i, t]) => [ws[i], t]), kind: 'two-words' };
}

/** correct word → its misspellings, from catalogMisspellings' [wrong, right] pairs. */
export function misspellingsByWord(pairs: readonly [string, string][]): Map<string, string[]> {
  const m = new Map<string, string[]>();
  for (const [wrong, right] of pairs) {
    let xs = m.get(right);
    if (!xs) m.set(right, (xs = []));
    xs.push(wrong);
  }
  for (const xs of m.values()) xs.sort();
  return m;
}

/** One word of at least 4 letters that has real misspellings (drawn at random) replaced by one of them (drawn at random). */
export function misspellingVariant(query: string, rand: () => number, byWord: ReadonlyMap<string, readonly string[]>): Variant | null {
  const ws = words(query);
  const candidates = eligible(ws, 4).filter((i) => byWord.has(ws[i]));
  if (candidates.length === 0) return null;
  const i = candidates[Math.floor(rand() * candidates.length)];
  const options = byWord.get(ws[i]) as readonly string[];
  const wrong = options[Math.floor(rand() * options.length)];
  return { q: replaceAt(ws, i, wrong), changed: [[ws[i], wrong]] };
}

export interface QuerySetsInput {
  products: readonly { productId: string; query: string }[];
  /** Queries per set (at most; fewer when fewer products qualify). */
  perSet: number;
  seed: number;
  misspellings: readonly [string, string][];
  prng: (seed: number) => () => number;
}

/**
 * The four sets. Products are shuffled once (seed); each set walks that order and takes the first
 * `perSet` products for which its variant exists, so the sets mostly share their products. Every
 * set has its own PRNG stream (seed + 1, + 2, + 3), so changing one set's rules does not change
 * the others.
 */
export function buildQuerySets(input: QuerySetsInput): Record<QuerySetName, EvalQuery[]> {
  const order = shuffled(input.products, input.prng(input.seed));
  const vocabulary = vocabularyOf(input.products.map((p) => p.query));
  const byWord = misspellingsByWord(input.misspellings);
  const makers: Record<QuerySetName, (q: string, rand: () => number) => Variant | null> = {
    exact: (q) => ({ q, changed: [] }),
    typo1: (q, r) => oneEditVariant(q, r, vocabulary),
    typo2: (q, r) => twoEditVariant(q, r, vocabulary),
    misspelling: (q, r) => misspellingVariant(q, r, byWord),
  };
  const out = {} as Record<QuerySetName, EvalQuery[]>;
  QUERY_SETS.forEach((set, s) => {
    const rand = input.prng(input.seed + s);
    const xs: EvalQuery[] = [];
    for (const p of order) {
      if (xs.length >= input.perSet) break;
      const v = makers[set](p.query, rand);
      if (v) xs.push({ set, productId: p.productId, intended: p.query, q: v.q, changed: v.changed, ...(v.kind ? { kind: v.kind } : {}) });
    }
    out[set] = xs;
  });
  return out;
}
