import type { EventType } from '@signal/contracts';
import { counterType, isTimeField } from './fields';
import type { EventMatch, Field, SegmentRule } from './schema';

export interface RuleReferences {
  /**
   * Event types the rule names: in event conditions, `counters.<type>`, and those behind
   * `orders.*`/`discountSensitivity` (purchase) and `offerResponseRate` (campaign open/click).
   * Other fields, traits and affinities read profile-wide state that any event may move.
   */
  eventTypes: Set<EventType>;
  /** Whether the answer can change with the clock alone (windows, sequences, decay, days-since, stage). */
  timeDependent: boolean;
}

const IMPLIED: Partial<Record<Field, readonly EventType[]>> = {
  'orders.count': ['purchase'],
  'orders.revenue': ['purchase'],
  'orders.aov': ['purchase'],
  'orders.daysSinceLast': ['purchase'],
  discountSensitivity: ['purchase'],
  offerResponseRate: ['campaign_open', 'campaign_click'],
};

const typesOf = (m: EventMatch): readonly EventType[] => (typeof m.type === 'string' ? [m.type] : m.type);

function visit(rule: SegmentRule, out: RuleReferences): void {
  if ('all' in rule || 'any' in rule) for (const r of 'all' in rule ? rule.all : rule.any) visit(r, out);
  else if ('not' in rule) visit(rule.not, out);
  else if ('field' in rule) {
    const counted = counterType(rule.field);
    for (const t of counted ? [counted] : (IMPLIED[rule.field] ?? [])) out.eventTypes.add(t);
    out.timeDependent ||= isTimeField(rule.field);
  } else if ('affinity' in rule) out.timeDependent ||= rule.atLeast !== undefined;
  else if ('event' in rule) {
    for (const t of typesOf(rule.event)) out.eventTypes.add(t);
    if ('notFollowedBy' in rule) {
      for (const t of typesOf(rule.notFollowedBy)) out.eventTypes.add(t);
      out.timeDependent = true;
    } else out.timeDependent ||= rule.within !== undefined;
  }
}

/** What a rule depends on, so callers can skip work an event cannot affect. */
export function ruleReferences(rule: SegmentRule): RuleReferences {
  const out: RuleReferences = { eventTypes: new Set(), timeDependent: false };
  visit(rule, out);
  return out;
}
