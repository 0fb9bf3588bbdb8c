/** Longest query we look at; longer input is cut, not refused (people paste). */
export const MAX_QUERY_CHARS = 256;

/**
 * The form queries are counted, suggested and rewritten under: lowercase, accents folded,
 * punctuation other than inner hyphens, apostrophes and dots dropped, single spaces.
 * "  Crème  BRÛLÉE!! " → "creme brulee".
 */
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
