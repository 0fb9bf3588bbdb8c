/**
 * Where profile ids live on after merges: `$1` store ids and `$2` profile ids, paired.
 * Answers `(store_id, asked, current)` only for ids that were merged away; chains are followed.
 */
export const RESOLVE_MERGED_SQL = `
  WITH RECURSIVE chain AS (
    SELECT u.store_id, u.profile_id AS asked, u.profile_id AS current, 0 AS hops
    FROM unnest($1::varchar[], $2::varchar[]) AS u(store_id, profile_id)
    UNION ALL
    SELECT c.store_id, c.asked, m.into_profile_id, c.hops + 1
    FROM chain c JOIN "profile"."profile_merges" m ON m.store_id = c.store_id AND m.merged_profile_id = c.current
    WHERE c.hops < 32
  )
  SELECT DISTINCT ON (store_id, asked) store_id, asked, current FROM chain WHERE hops > 0 ORDER BY store_id, asked, hops DESC`;

export interface ResolvedRow {
  store_id: string;
  asked: string;
  current: string;
}
