import type { StoreSettings } from '../../settings/store-settings';
import { checkRule } from './check';
import type { EvaluationContext } from './context';
import { affinityNode } from './leaf-affinity';
import { countNode, sequenceNode } from './leaf-event';
import { fieldNode, traitNode } from './leaf-field';
import type { Clock, Node } from './node';
import type { SegmentRule } from './schema';
import { clip } from './text';

export interface RuleResult {
  readonly match: boolean;
  /** The deciding rules by path and what they found; under 500 characters. */
  readonly because: string;
  /** Earliest time (epoch ms, > now) the answer could change with no new event; null if only an event can change it. */
  readonly nextChangeAt: number | null;
}

export interface CompiledRule {
  evaluate(ctx: EvaluationContext): RuleResult;
}

const MAX_BECAUSE = 500;
const scratch = (): Clock => ({ next: Infinity });

// Short-circuiting keeps nextChangeAt sound: a failing child of `all` (a holding child of `any`)
// must change before the whole can, so its time bounds the whole's.
function all(children: Node[]): Node {
  return {
    test(ctx, clock) {
      for (let i = 0; i < children.length; i++) if (!children[i].test(ctx, clock)) return false;
      return true;
    },
    explain(ctx, holds) {
      if (holds) return children.map((c) => c.explain(ctx, true)).join('; ');
      const failing = children.find((c) => !c.test(ctx, scratch())) ?? children[0];
      return failing.explain(ctx, false);
    },
  };
}

function any(children: Node[]): Node {
  return {
    test(ctx, clock) {
      for (let i = 0; i < children.length; i++) if (children[i].test(ctx, clock)) return true;
      return false;
    },
    explain(ctx, holds) {
      const decisive = holds ? (children.find((c) => c.test(ctx, scratch())) ?? children[0]) : children[0];
      return decisive.explain(ctx, holds);
    },
  };
}

const not = (child: Node): Node => ({
  test: (ctx, clock) => !child.test(ctx, clock),
  explain: (ctx, holds) => child.explain(ctx, !holds),
});

function node(rule: SegmentRule, path: string, settings: StoreSettings): Node {
  if ('all' in rule) return all(rule.all.map((r, i) => node(r, `${path}.all[${i}]`, settings)));
  if ('any' in rule) return any(rule.any.map((r, i) => node(r, `${path}.any[${i}]`, settings)));
  if ('not' in rule) return not(node(rule.not, `${path}.not`, settings));
  if ('field' in rule) return fieldNode(rule, path, settings);
  if ('trait' in rule) return traitNode(rule, path);
  if ('affinity' in rule) return affinityNode(rule, path, settings);
  if ('notFollowedBy' in rule) return sequenceNode(rule, path);
  return countNode(rule, path);
}

/** One evaluation; `because` is worked out on first read, as most callers only need it when membership changes. */
class Evaluation implements RuleResult {
  readonly #root: Node;
  readonly #ctx: EvaluationContext;
  #because: string | undefined;

  constructor(root: Node, ctx: EvaluationContext, readonly match: boolean, readonly nextChangeAt: number | null) {
    this.#root = root;
    this.#ctx = ctx;
  }

  get because(): string {
    return (this.#because ??= clip(this.#root.explain(this.#ctx, this.match), MAX_BECAUSE));
  }

  toJSON(): { match: boolean; because: string; nextChangeAt: number | null } {
    return { match: this.match, because: this.because, nextChangeAt: this.nextChangeAt };
  }
}

/**
 * Turns a definition into closures for the store's settings (affinity half-life, stage thresholds).
 * Throws when the definition does not pass checkRule against these settings, e.g. a category the
 * store has since made sensitive: such a segment must not be evaluated at all.
 */
export function compileRule(rule: SegmentRule, settings: StoreSettings): CompiledRule {
  const checked = checkRule(rule, { sensitiveCategories: settings.sensitiveCategories });
  if (!checked.ok) throw new Error(`Segment rule does not compile: ${checked.errors.map((e) => `${e.path}: ${e.message}`).join('; ')}`);
  const root = node(rule, 'definition', settings);
  const clock = scratch();
  return {
    evaluate(ctx) {
      clock.next = Infinity;
      const match = root.test(ctx, clock);
      return new Evaluation(root, ctx, match, clock.next === Infinity ? null : clock.next);
    },
  };
}
