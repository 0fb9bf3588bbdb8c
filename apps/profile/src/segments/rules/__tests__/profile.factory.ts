import type { EventType } from '@signal/contracts';
import { emptyProfile, type HistoryEntry, type ProfileState } from '../../../profiles/profile-state';
import type { StoreSettings } from '../../../settings/store-settings';
import { checkRule, compileRule, evaluationContext, type RuleResult } from '..';

export const MINUTE = 60_000;
export const HOUR = 60 * MINUTE;
export const DAY = 24 * HOUR;
export const NOW = Date.parse('2025-06-01T12:00:00Z');

export const SETTINGS: StoreSettings = {
  affinityHalfLifeDays: 30,
  affinityWeights: { product_view: 1, product_click: 2, add_to_cart: 4, favorite: 6, purchase: 10, quiz_answer: 5 },
  priceBands: [
    { name: 'budget', below: 25 },
    { name: 'mid', below: 100 },
    { name: 'premium', below: 500 },
    { name: 'luxury', below: null },
  ],
  stages: { browsingMinEvents: 2, engagedMinEvents: 10, repeatMinOrders: 2, loyalMinOrders: 5, lapsedAfterDays: 90 },
  sensitiveCategories: ['Health', 'adult'],
};

/** A profile first seen 30 days before NOW, last seen an hour before; `history` is sorted newest first. */
export function profile(o: Partial<ProfileState> = {}): ProfileState {
  const base: ProfileState = { ...emptyProfile('s1', 'p1', null), firstSeenAt: NOW - 30 * DAY, lastSeenAt: NOW - HOUR };
  const p = { ...base, ...o };
  return { ...p, history: [...p.history].sort((a, b) => b.at - a.at) };
}

export const entry = (type: EventType, at: number, o: Omit<HistoryEntry, 'type' | 'at'> = {}): HistoryEntry => ({ type, at, ...o });

/** Checks (so tests only use definitions a store could save), then compiles. */
export function compiled(definition: unknown, settings: StoreSettings = SETTINGS) {
  const checked = checkRule(definition, settings);
  if (!checked.ok) throw new Error(JSON.stringify(checked.errors));
  return compileRule(checked.rule, settings);
}

export const evaluate = (definition: unknown, p: ProfileState, now = NOW, settings = SETTINGS): RuleResult => compiled(definition, settings).evaluate(evaluationContext(p, now));
