import type { LearnedRewriteDoc, SynonymsDoc } from '../indices/documents';
import { words } from './normalize';
import type { QueryVariant } from './search-request';

/** Most variants one search runs; the shopper's own words always come first. */
export const MAX_VARIANTS = 8;

/** Joined-word variants are tried for queries of at most this many words. */
export const MAX_WORDS_TO_JOIN = 4;

const BOOST = { own: 1, joined: 0.9, synonym: 0.8, learned: 0.9 } as const;

/** Phrases of 1–3 consecutive words, with where they sit. */
function phrases(ws: string[]): { text: string; start: number; end: number }[] {
  const out: { text: string; start: number; end: number }[] = [];
  for (let n = 3; n >= 1; n--) for (let i = 0; i + n <= ws.length; i++) out.push({ text: ws.slice(i, i + n).join(' '), start: i, end: i + n });
  return out;
}

/**
 * The query as typed plus what it may also mean: adjacent words joined ("t shirt" → "tshirt"; the
 * index side covers "tshirt" → "t shirt" with its joined-words field), the store's synonyms, and a
 * learned rewrite (a reformulation shoppers made after this query found them nothing).
 */
export function queryVariants(normalized: string, synonyms: SynonymsDoc | null, learned: LearnedRewriteDoc | null): QueryVariant[] {
  const out: QueryVariant[] = [{ text: normalized, boost: BOOST.own, why: 'query' }];
  const add = (text: string, boost: number, why: string) => {
    if (text && out.length < MAX_VARIANTS && !out.some((v) => v.text === text)) out.push({ text, boost, why });
  };
  if (learned?.active && learned.to !== normalized) add(learned.to, BOOST.learned, `learned: ${learned.from} → ${learned.to}`);
  const ws = words(normalized);
  if (synonyms) {
    for (const p of phrases(ws)) {
      const replace = (to: string) => [...ws.slice(0, p.start), to, ...ws.slice(p.end)].join(' ');
      for (const set of synonyms.sets) if (set.includes(p.text)) for (const other of set) if (other !== p.text) add(replace(other), BOOST.synonym, `synonym: ${p.text} → ${other}`);
      for (const rule of synonyms.oneWay) if (rule.from === p.text) for (const to of rule.to) add(replace(to), BOOST.synonym, `synonym: ${p.text} → ${to}`);
    }
  }
  // Short queries only: each variant is a whole query more to run.
  if (ws.length <= MAX_WORDS_TO_JOIN) for (let i = 0; i + 1 < ws.length; i++) {
    add([...ws.slice(0, i), ws[i] + ws[i + 1], ...ws.slice(i + 2)].join(' '), BOOST.joined, `joined: ${ws[i]} ${ws[i + 1]}`);
  }
  return out;
}
