import type { EvaluationContext } from './context';

/** Lowest time (epoch ms) at which some answer seen so far could change with no new event. */
export interface Clock {
  next: number;
}

/** A compiled rule node. */
export interface Node {
  /** Whether it holds at ctx.now; lowers clock.next to when that could change without a new event. */
  test(ctx: EvaluationContext, clock: Clock): boolean;
  /** Why it holds (holds = true) or not: the deciding leaves, each named by its path. */
  explain(ctx: EvaluationContext, holds: boolean): string;
}

export const DAY = 86_400_000;

export function soon(clock: Clock, at: number | null): void {
  if (at !== null && at < clock.next) clock.next = at;
}
