/**
 * Query normalization for the evaluation: the same rules as the search service's
 * `normalizeQuery` (apps/search/src/query/normalize.ts; a bench may not import an app, so it is
 * mirrored here): lowercase, accents folded, punctuation other than inner hyphens, apostrophes and
 * dots dropped, single spaces. "WHITE HANGING HEART T-LIGHT HOLDER" → "white hanging heart
 * t-light holder". Both the intended query and every suggestion the service returns go through
 * it before they are compared, so a difference in the service's own normalization cannot turn a
 * right suggestion into a miss.
 */
export const MAX_QUERY_CHARS = 256;

export const normalizeQuery = (raw: string): string =>
  raw
    .slice(0, MAX_QUERY_CHARS)
    .normalize('NFKD')
    .replace(/\p{M}+/gu, '')
    .toLowerCase()
    .replace(/[^\p{L}\p{N}\s'.-]+/gu, ' ')
    .replace(/(^|\s)[-'.]+|[-'.]+(?=\s|$)/g, '$1')
    .replace(/\s+/g, ' ')
    .trim();

/** Words of a normalized query. */
export const words = (normalized: string): string[] => (normalized ? normalized.split(' ') : []);

/** A word that can take a keyboard typo: letters a-z only (no digits, no "t-light"). */
export const isLetterWord = (w: string): boolean => /^[a-z]+$/.test(w);
