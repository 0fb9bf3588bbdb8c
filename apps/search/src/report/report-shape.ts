import type { QueryDoc } from '../indices/documents';

export interface ZeroResultsRow {
  query: string;
  searches: number;
  zeroResults: number;
  lastSearchedAt: string | null;
}

export interface HighExitRow {
  query: string;
  searches: number;
  exits: number;
  /** Exits per search, 0 to 1. */
  exitRate: number;
}

export interface RewriteRow {
  from: string;
  to: string;
  support: number;
  active: boolean;
}

export interface SearchReport {
  /** Queries that showed nothing, and still do (the last search found nothing): most often first. */
  zeroResults: ZeroResultsRow[];
  /** Queries shoppers leave without a click, cart or purchase: highest exit rate first (at least the minimum searches). */
  highExit: HighExitRow[];
  /** What search learned from reformulations, most supported first. */
  rewrites: RewriteRow[];
}

export const REPORT_LIMITS = { defaultLimit: 20, maxLimit: 200 } as const;

const round = (x: number): number => Math.round(x * 10_000) / 10_000;

export const zeroResultsRow = (d: QueryDoc): ZeroResultsRow => ({ query: d.query, searches: d.searches ?? 0, zeroResults: d.zeroResults ?? 0, lastSearchedAt: d.lastSearchedAt ?? null });

export function highExitRow(d: QueryDoc): HighExitRow {
  const searches = d.searches ?? 0;
  const exits = Math.min(d.exits ?? 0, searches);
  return { query: d.query, searches, exits, exitRate: searches > 0 ? round(exits / searches) : 0 };
}

/** Exit rate of a query document, in Painless (for sorting every query of a store by it). */
export const EXIT_RATE_SORT_SCRIPT = "double s = doc['searches'].size() == 0 ? 0 : doc['searches'].value; double e = doc['exits'].size() == 0 ? 0 : doc['exits'].value; return s <= 0 ? 0 : Math.min(e, s) / s;";
