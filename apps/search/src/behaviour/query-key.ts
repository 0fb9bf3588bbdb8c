import { normalizeQuery } from '../query/normalize';

/**
 * Longest normalized query, in UTF-8 bytes, kept as a key. OpenSearch ids are at most 512 bytes:
 * `storeId|learned|<query>` must fit (store ids are at most 64 characters).
 */
export const MAX_QUERY_KEY_BYTES = 400;

/** A normalized query cut (at a character boundary) to MAX_QUERY_KEY_BYTES. */
export function clampQueryKey(normalized: string): string {
  if (Buffer.byteLength(normalized) <= MAX_QUERY_KEY_BYTES) return normalized;
  let out = '';
  let bytes = 0;
  for (const ch of normalized) {
    const size = Buffer.byteLength(ch);
    if (bytes + size > MAX_QUERY_KEY_BYTES) break;
    out += ch;
    bytes += size;
  }
  return out.trim();
}

/** The key a query is counted, suggested and rewritten under: normalizeQuery, then clamped. */
export const queryKey = (raw: string): string => clampQueryKey(normalizeQuery(raw));
