/**
 * Decayed counters kept as one number that never needs rewriting as time passes (documents.ts):
 * heat = log2 Σ weight · 2^(t / halfLife), t in hours since the Unix epoch. The decayed score at
 * `now` is 2^(heat − now / halfLife), so ordering by heat is ordering by score at any moment, and
 * adding an event is a log-add, whatever order events come in.
 */
const HOUR_MS = 3_600_000;

/** The heat of one event of `weight` at `atMs`. */
export const heatOf = (weight: number, atMs: number, halfLifeHours: number): number => Math.log2(weight) + atMs / HOUR_MS / halfLifeHours;

/** log2(2^a + 2^b), computed stably as max + log2(1 + 2^(min − max)). */
export function logAdd2(a: number | null | undefined, b: number): number {
  if (a === null || a === undefined || a === -Infinity) return b;
  if (b === -Infinity) return a;
  const hi = Math.max(a, b);
  return hi + Math.log2(1 + 2 ** (Math.min(a, b) - hi));
}

/** The decayed score (in event-weight units) of `heat` at `nowMs`. */
export const heatScoreAt = (heat: number, nowMs: number, halfLifeHours: number): number => 2 ** (heat - nowMs / HOUR_MS / halfLifeHours);

/** The same log-add in Painless, for scripted updates (declare before the script's statements). */
export const PAINLESS_LOG_ADD = `
double logAdd2(def a, double b) {
  if (a == null) { return b; }
  double x = ((Number) a).doubleValue();
  double hi = Math.max(x, b);
  return hi + Math.log(1 + Math.pow(2, Math.min(x, b) - hi)) / Math.log(2);
}
`;
