/**
 * Temporal split: the model may only learn from the past. Test is the last 30 days of the data,
 * counted from the start (00:00 UTC) of the day of the latest invoice, so the boundary falls on a
 * day boundary: with data ending 2011-12-09 12:50 the test window is 2011-11-09 00:00 .. 2011-12-09.
 */
import type { Invoice } from './types';

export const DAY_MS = 86_400_000;

export interface Split {
  train: Invoice[];
  test: Invoice[];
  /** First instant of the test window (epoch ms). */
  cutoff: number;
  maxAt: number;
}

export function temporalSplit(invoices: readonly Invoice[], testDays = 30): Split {
  if (invoices.length === 0) throw new Error('no invoices to split');
  let maxAt = -Infinity;
  for (const inv of invoices) if (inv.at > maxAt) maxAt = inv.at;
  const cutoff = Math.floor(maxAt / DAY_MS) * DAY_MS - testDays * DAY_MS;
  const train: Invoice[] = [];
  const test: Invoice[] = [];
  for (const inv of invoices) (inv.at < cutoff ? train : test).push(inv);
  return { train, test, cutoff, maxAt };
}
