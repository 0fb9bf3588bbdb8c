import type { StoreSettings } from '../../settings/store-settings';
import type { EvaluationContext } from './context';
import { fieldDef, type FieldValue } from './fields';
import { DAY, soon, type Node } from './node';
import { dayBoundaries, predicate, requirement, type Predicate } from './ops';
import type { FieldRule, TraitRule } from './schema';
import { quote, show } from './text';

/** When the answer of a clock-driven field would flip with no new event; null if never. */
type Flip = (ctx: EvaluationContext, value: FieldValue | undefined, holds: boolean) => number | null;

function flipOf(rule: FieldRule, holds: Predicate, settings: StoreSettings): Flip | null {
  if (rule.field === 'stage') {
    // The only stage change time brings is a buyer lapsing.
    return (ctx, _v, now) => {
      const { nextChangeAt } = ctx.stage(settings.stages);
      return nextChangeAt !== null && holds('lapsed') !== now ? nextChangeAt : null;
    };
  }
  const since = fieldDef(rule.field).since;
  if (since === undefined) return null;
  const days = dayBoundaries(rule.op, rule.value);
  return (ctx, v, now) => {
    if (typeof v !== 'number') return null;
    for (const d of days) if (d > v && holds(d) !== now) return (since(ctx.profile) as number) + d * DAY;
    return null;
  };
}

export function fieldNode(rule: FieldRule, path: string, settings: StoreSettings): Node {
  const def = fieldDef(rule.field);
  const holds = predicate(rule.op, rule.value);
  const flip = flipOf(rule, holds, settings);
  const needs = requirement(rule.op, rule.value);
  return {
    test(ctx, clock) {
      const v = def.read(ctx, settings);
      const ok = holds(v);
      if (flip !== null) soon(clock, flip(ctx, v, ok));
      return ok;
    },
    explain: (ctx) => `${path}: ${rule.field} is ${show(def.read(ctx, settings))} (needs ${needs})`,
  };
}

export function traitNode(rule: TraitRule, path: string): Node {
  const name = rule.trait;
  const holds = predicate(rule.op, rule.value);
  const needs = requirement(rule.op, rule.value);
  // Own properties only: a trait named like an Object.prototype member must not find one.
  const read = (ctx: EvaluationContext) => (Object.hasOwn(ctx.profile.traits, name) ? ctx.profile.traits[name].value : undefined);
  return {
    test: (ctx) => holds(read(ctx)),
    explain: (ctx) => `${path}: trait ${quote(name)} is ${show(read(ctx))} (needs ${needs})`,
  };
}
