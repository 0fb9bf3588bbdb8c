import type { EventType } from '@signal/contracts';
import type { HistoryEntry } from '../../profiles/profile-state';
import type { EvaluationContext } from './context';
import { describeDuration, parseDuration } from './duration';
import { soon, type Node } from './node';
import type { CountRule, EventMatch, SequenceRule } from './schema';
import { quote, show } from './text';

interface Matcher {
  /** Where to look, newest first: the type's own list when there is one type. */
  entries(ctx: EvaluationContext): readonly HistoryEntry[];
  test(e: HistoryEntry): boolean;
  /** `viewed category 'shoes'` */
  text: string;
}

const VERB: Partial<Record<EventType, string>> = {
  page_view: 'viewed a page',
  product_view: 'viewed',
  product_click: 'clicked',
  search_result_click: 'clicked a search result',
  add_to_cart: 'added to cart',
  remove_from_cart: 'removed from cart',
  checkout_started: 'started checkout',
  purchase: 'bought',
  favorite: 'hearted',
  unfavorite: 'unhearted',
  review: 'reviewed',
  recommendation_click: 'clicked a recommendation',
};

const sameText = (actual: string | undefined, lower: string): boolean => actual !== undefined && (actual === lower || actual.toLowerCase() === lower);

/** Whether one remembered event matches an EventMatch, type included. */
export function entryMatches(m: EventMatch): (e: HistoryEntry) => boolean {
  const types: readonly EventType[] = typeof m.type === 'string' ? [m.type] : m.type;
  const { test } = matcher(m);
  return (e) => types.includes(e.type) && test(e);
}

export function matcher(m: EventMatch): Matcher {
  const types: readonly EventType[] = typeof m.type === 'string' ? [m.type] : m.type;
  const checks: ((e: HistoryEntry) => boolean)[] = [];
  const words: string[] = [types.length === 1 ? (VERB[types[0]] ?? `had ${types[0]}`) : `had ${types.join(' or ')}`];
  if (types.length > 1) checks.push((e) => types.includes(e.type));
  const { productId, category, brand, color, size, priceBand, minValue } = m;
  if (productId !== undefined) {
    checks.push((e) => e.productId === productId);
    words.push(`product ${quote(productId)}`);
  }
  if (category !== undefined) {
    const c = category.toLowerCase();
    checks.push((e) => e.categories !== undefined && e.categories.includes(c));
    words.push(`category ${quote(c)}`);
  }
  for (const [key, want] of [['brand', brand], ['color', color], ['size', size]] as const) {
    if (want === undefined) continue;
    const lower = want.toLowerCase();
    checks.push((e) => sameText(e[key], lower));
    words.push(`${key} ${quote(want)}`);
  }
  if (priceBand !== undefined) {
    const band = priceBand.toLowerCase();
    checks.push((e) => e.priceBand === band);
    words.push(`price band ${quote(priceBand)}`);
  }
  if (minValue !== undefined) {
    checks.push((e) => e.value !== undefined && e.value >= minValue);
    words.push(`worth ≥ ${show(minValue)}`);
  }
  return {
    entries: types.length === 1 ? (ctx) => ctx.history(types[0]) : (ctx) => ctx.allHistory(),
    test(e) {
      for (let i = 0; i < checks.length; i++) if (!checks[i](e)) return false;
      return true;
    },
    text: words.join(' '),
  };
}

const times = (n: number): string => (n === 1 ? '1 time' : `${n} times`);

/** `{ event, count?, within? }`: how many matching entries are newer than now - within. */
export function countNode(rule: CountRule, path: string): Node {
  const m = matcher(rule.event);
  const atMost = rule.count?.atMost;
  const atLeast = rule.count?.atLeast ?? (atMost === undefined ? 1 : 0);
  const window = rule.within === undefined ? null : parseDuration(rule.within);
  const span = rule.within === undefined ? 'in all remembered history' : `in ${rule.within}`;
  const needs = [atLeast > 0 || atMost === undefined ? `≥ ${atLeast}` : '', atMost === undefined ? '' : `≤ ${atMost}`].filter(Boolean).join(' and ');

  const count = (ctx: EvaluationContext): number => {
    const list = m.entries(ctx);
    const from = window === null ? -Infinity : ctx.now - window;
    let n = 0;
    for (let i = 0; i < list.length && list[i].at > from; i++) if (m.test(list[i])) n++;
    return n;
  };

  /** When the k-th oldest counted entry leaves the window (it counts while at > now - window). */
  const agesOut = (ctx: EvaluationContext, n: number, k: number): number => {
    const list = m.entries(ctx);
    let seen = 0;
    for (let i = 0; ; i++) if (m.test(list[i]) && ++seen === n - k + 1) return list[i].at + (window as number);
  };

  return {
    test(ctx, clock) {
      const n = count(ctx);
      const ok = n >= atLeast && (atMost === undefined || n <= atMost);
      // Time only lowers the count: a match ends when it drops below atLeast, a miss by too many ends at atMost.
      if (window !== null && n > 0) {
        if (ok && atLeast > 0) soon(clock, agesOut(ctx, n, n - atLeast + 1));
        else if (!ok && atMost !== undefined && n > atMost) soon(clock, agesOut(ctx, n, n - atMost));
      }
      return ok;
    },
    explain: (ctx) => `${path}: ${m.text} ${times(count(ctx))} ${span} (needs ${needs})`,
  };
}

/** The latest matching B entry's time, or -Infinity. */
function latest(ctx: EvaluationContext, m: Matcher): number {
  const list = m.entries(ctx);
  for (let i = 0; i < list.length; i++) if (m.test(list[i])) return list[i].at;
  return -Infinity;
}

/**
 * `{ event: A, notFollowedBy: B, after, within? }`: some A at time a with no B later than a,
 * now - a ≥ after and, with within, now - a ≤ within.
 */
export function sequenceNode(rule: SequenceRule, path: string): Node {
  const a = matcher(rule.event);
  const b = matcher(rule.notFollowedBy);
  const after = parseDuration(rule.after);
  const within = rule.within === undefined ? Infinity : parseDuration(rule.within);
  const needs = `needs ${rule.after} without${rule.within === undefined ? '' : `, within ${rule.within}`}`;

  // The scan's outcome, kept in the closure so a test allocates nothing (evaluation is synchronous).
  let entry: HistoryEntry | null = null;
  let state: 'ok' | 'young' | 'old' = 'old';
  /**
   * Finds the A entry that decides, among those with no later B: the newest one old enough and
   * recent enough ('ok'); else the oldest one still too young; else the newest one already too old.
   */
  const decide = (ctx: EvaluationContext): void => {
    const since = latest(ctx, b);
    const list = a.entries(ctx);
    entry = null;
    for (let i = 0; i < list.length && list[i].at > since; i++) {
      const e = list[i];
      if (!a.test(e)) continue;
      const age = ctx.now - e.at;
      if (age < after) {
        entry = e;
        state = 'young';
      } else {
        if (age <= within || entry === null) {
          entry = e;
          state = age <= within ? 'ok' : 'old';
        }
        return;
      }
    }
  };

  return {
    test(ctx, clock) {
      decide(ctx);
      if (entry === null || state === 'old') return false;
      // A match lasts at least until its A grows older than within; a young A qualifies once `after` has passed.
      if (state === 'young') soon(clock, entry.at + after);
      else if (within !== Infinity) soon(clock, entry.at + within + 1);
      return state === 'ok';
    },
    explain(ctx) {
      decide(ctx);
      if (entry === null) return `${path}: no ${a.text} without ${b.text} after it (${needs})`;
      return `${path}: ${a.text} ${describeDuration(ctx.now - entry.at)} ago and not ${b.text} since (${needs})`;
    },
  };
}
