import { createHash } from 'node:crypto';

/**
 * Holdout assignment: the first 32 bits of md5("<journeyId>:<profileId>") as a fraction of 2^32,
 * times 100, below the journey's holdout percent. Deterministic (a shopper is always on the same
 * side of the same journey, on every replica) and independent between journeys.
 * holdoutSql computes the same in Postgres for set-based fan-out; keep the two in step.
 */
export function holdoutBucket(journeyId: string, profileId: string): number {
  return (createHash('md5').update(`${journeyId}:${profileId}`).digest().readUInt32BE(0) / 2 ** 32) * 100;
}

export const inHoldout = (journeyId: string, profileId: string, percent: number): boolean => percent > 0 && holdoutBucket(journeyId, profileId) < percent;

/** SQL of `inHoldout`, given SQL expressions of the journey id, the profile id and the percent. */
export const holdoutSql = (journeyId: string, profileId: string, percent: string): string =>
  `(${percent} > 0 AND (('x' || substr(md5(${journeyId} || ':' || ${profileId}), 1, 8))::bit(32)::bigint / 4294967296.0 * 100) < ${percent})`;
