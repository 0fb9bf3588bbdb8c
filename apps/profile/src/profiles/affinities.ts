import { AFFINITY_DIMENSIONS, type AffinityDimension } from '../settings/store-settings';
import type { Affinities } from './profile-state';

const DAY = 86_400_000;
/** Values kept per dimension; the weakest go first. Bounds the row and the message size. */
export const MAX_AFFINITY_VALUES = 40;
/** Scores below this (after decay) are dropped. */
const FLOOR = 0.01;

export const decayFactor = (elapsedMs: number, halfLifeDays: number): number => Math.pow(2, -elapsedMs / (halfLifeDays * DAY));

export const emptyAffinities = (): Affinities => ({ at: 0, scores: { brand: {}, category: {}, priceBand: {}, color: {}, size: {} } });

/** The score of one value at `now`. */
export function affinityScore(a: Affinities, dimension: AffinityDimension, value: string, now: number, halfLifeDays: number): number {
  const s = a.scores[dimension][value];
  return s === undefined ? 0 : s * decayFactor(now - a.at, halfLifeDays);
}

function rescaled(a: Affinities, at: number, halfLifeDays: number): Affinities {
  if (at === a.at) return { at, scores: { ...a.scores } };
  const f = decayFactor(at - a.at, halfLifeDays);
  const scores = {} as Affinities['scores'];
  for (const d of AFFINITY_DIMENSIONS) {
    const out: Record<string, number> = {};
    for (const [v, s] of Object.entries(a.scores[d])) if (s * f >= FLOOR) out[v] = s * f;
    scores[d] = out;
  }
  return { at, scores };
}

function bounded(values: Record<string, number>): Record<string, number> {
  const entries = Object.entries(values);
  if (entries.length <= MAX_AFFINITY_VALUES) return values;
  return Object.fromEntries(entries.sort((x, y) => y[1] - x[1] || x[0].localeCompare(y[0])).slice(0, MAX_AFFINITY_VALUES));
}

/** Adds `weight` at time `at` to each given value. Commutative: the order of signals does not matter. */
export function addSignals(a: Affinities, signals: readonly { dimension: AffinityDimension; value: string; weight: number }[], at: number, halfLifeDays: number): Affinities {
  if (signals.length === 0) return a;
  const ref = Math.max(a.at, at);
  const out = rescaled(a, ref, halfLifeDays);
  const f = decayFactor(ref - at, halfLifeDays);
  for (const { dimension, value, weight } of signals) {
    const scores = (out.scores[dimension] = { ...out.scores[dimension] });
    scores[value] = (scores[value] ?? 0) + weight * f;
  }
  for (const d of AFFINITY_DIMENSIONS) out.scores[d] = bounded(out.scores[d]);
  return out;
}

/** Both profiles' affinities, as of the later of their times. */
export function mergeAffinities(x: Affinities, y: Affinities, halfLifeDays: number): Affinities {
  const ref = Math.max(x.at, y.at);
  const a = rescaled(x, ref, halfLifeDays);
  const b = rescaled(y, ref, halfLifeDays);
  const scores = {} as Affinities['scores'];
  for (const d of AFFINITY_DIMENSIONS) {
    const sum = { ...a.scores[d] };
    for (const [v, s] of Object.entries(b.scores[d])) sum[v] = (sum[v] ?? 0) + s;
    scores[d] = bounded(sum);
  }
  return { at: ref, scores };
}

/** Values of a dimension, strongest first, with their scores at `now`. */
export function topAffinities(a: Affinities, dimension: AffinityDimension, now: number, halfLifeDays: number, limit = MAX_AFFINITY_VALUES): { value: string; score: number }[] {
  const f = decayFactor(now - a.at, halfLifeDays);
  return Object.entries(a.scores[dimension])
    .map(([value, s]) => ({ value, score: s * f }))
    .sort((x, y) => y.score - x.score || x.value.localeCompare(y.value))
    .slice(0, limit);
}
