import { affinityScore } from '../../profiles/affinities';
import type { StoreSettings } from '../../settings/store-settings';
import type { EvaluationContext } from './context';
import { DAY, soon, type Node } from './node';
import type { AffinityRule } from './schema';
import { quote, show } from './text';

export function affinityNode(rule: AffinityRule, path: string, settings: StoreSettings): Node {
  const { dimension } = rule.affinity;
  // Affinity values are kept lower-cased (brands, categories, colours, sizes, price bands alike).
  const value = rule.affinity.value.toLowerCase();
  const { atLeast, top } = rule;
  const halfLife = settings.affinityHalfLifeDays;
  const scoreAt = (ctx: EvaluationContext, t: number) =>
    Object.hasOwn(ctx.profile.affinities.scores[dimension], value) ? affinityScore(ctx.profile.affinities, dimension, value, t, halfLife) : 0;
  const ranked = (ctx: EvaluationContext) => top === undefined || (ctx.affinityRank(dimension, value) || Infinity) <= top;

  /** First ms at which the decaying score is below atLeast: at + halfLife·log2(score/atLeast), made exact by probing. */
  function fallsBelow(ctx: EvaluationContext, threshold: number): number {
    const { at } = ctx.profile.affinities;
    const stored = scoreAt(ctx, at);
    let t = Math.max(ctx.now + 1, Math.floor(at + halfLife * DAY * Math.log2(stored / threshold)) + 1);
    // Rounding can leave the formula a ms early; a re-evaluation there would see no change.
    for (let i = 0; i < 64 && scoreAt(ctx, t) >= threshold; i++) t++;
    return t;
  }

  return {
    test(ctx, clock) {
      if (!ranked(ctx)) return false;
      if (atLeast === undefined) return true;
      if (scoreAt(ctx, ctx.now) < atLeast) return false;
      soon(clock, fallsBelow(ctx, atLeast));
      return true;
    },
    explain(ctx) {
      const parts: string[] = [];
      if (atLeast !== undefined) parts.push(`scores ${show(scoreAt(ctx, ctx.now))} (needs ≥ ${show(atLeast)})`);
      if (top !== undefined) {
        const rank = ctx.affinityRank(dimension, value);
        parts.push(`${rank === 0 ? 'is not ranked' : `ranks #${rank}`} (needs top ${top})`);
      }
      return `${path}: affinity ${dimension} ${quote(value)} ${parts.join(', ')}`;
    },
  };
}
