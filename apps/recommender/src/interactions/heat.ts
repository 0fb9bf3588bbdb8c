/**
 * Time-decayed popularity ("trending") kept as one number per item that never needs rewriting as
 * time passes: heat = log2(Σ weight · 2^(t / halfLife)), t in hours since HEAT_EPOCH. The decayed
 * score at `now` is 2^(heat − now / halfLife), so ordering by heat is ordering by score at any
 * moment (an index can serve it), and adding an event is a log-add, whatever order events come in.
 */
export const HEAT_EPOCH_MS = Date.UTC(2020, 0, 1);
const HOUR = 3_600_000;

/** The heat of one event of `weight` at `atMs`. */
export const heatOf = (weight: number, atMs: number, halfLifeHours: number): number => Math.log2(weight) + (atMs - HEAT_EPOCH_MS) / HOUR / halfLifeHours;

/** log2(2^a + 2^b) without overflow. */
export function logAdd2(a: number, b: number): number {
  if (a === -Infinity) return b;
  if (b === -Infinity) return a;
  const hi = Math.max(a, b);
  return hi + Math.log2(1 + 2 ** (Math.min(a, b) - hi));
}

/** The decayed score (in event-weight units) at `nowMs`. */
export const scoreAt = (heat: number, nowMs: number, halfLifeHours: number): number => 2 ** (heat - (nowMs - HEAT_EPOCH_MS) / HOUR / halfLifeHours);

/** The same log-add in SQL, for upserts: `logAdd2Sql('"item_stats"."heat"', 'EXCLUDED."heat"')`. */
export const logAdd2Sql = (a: string, b: string): string => `(greatest(${a}, ${b}) + log(2::numeric, (1 + power(2::double precision, least(${a}, ${b}) - greatest(${a}, ${b})))::numeric)::double precision)`;
