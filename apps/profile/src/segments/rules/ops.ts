import type { FieldValue } from './fields';
import type { Op, RuleValue } from './schema';
import { show } from './text';

export type Predicate = (v: FieldValue | undefined) => boolean;

export const NUMERIC_OPS: readonly Op[] = ['gt', 'gte', 'lt', 'lte'];

const list = (value: RuleValue | undefined): readonly (string | number)[] => (Array.isArray(value) ? value : []);

/**
 * The comparison as a closure. An absent value satisfies only notExists, neq and notIn; a list
 * trait equals nothing (contains is for lists), and numeric ops only hold for numbers.
 */
export function predicate(op: Op, value: RuleValue | undefined): Predicate {
  const n = typeof value === 'number' ? value : NaN;
  const values = list(value);
  const isIn: Predicate = (v) => (typeof v === 'string' || typeof v === 'number') && values.includes(v);
  switch (op) {
    case 'exists':
      return (v) => v !== undefined;
    case 'notExists':
      return (v) => v === undefined;
    case 'eq':
      return (v) => v === value;
    case 'neq':
      return (v) => v !== value;
    case 'in':
      return isIn;
    case 'notIn':
      return (v) => !isIn(v);
    case 'gt':
      return (v) => typeof v === 'number' && v > n;
    case 'gte':
      return (v) => typeof v === 'number' && v >= n;
    case 'lt':
      return (v) => typeof v === 'number' && v < n;
    case 'lte':
      return (v) => typeof v === 'number' && v <= n;
    case 'contains':
      return (v) => Array.isArray(v) && (v as readonly unknown[]).includes(value);
  }
}

const SYMBOL: Record<Op, string> = { eq: '=', neq: '≠', in: 'in', notIn: 'not in', gt: '>', gte: '≥', lt: '<', lte: '≤', exists: '', notExists: '', contains: 'to contain' };

/** What the op requires, for reasons: `≥ 3`, `in ['S', 'M']`, `a value`. */
export function requirement(op: Op, value: RuleValue | undefined): string {
  if (op === 'exists') return 'a value';
  if (op === 'notExists') return 'no value';
  return `${SYMBOL[op]} ${show(value)}`;
}

/**
 * For whole-day fields (the value grows by one a day): the day counts at which the answer can
 * flip, ascending. Between two of them, or past the last, it stays as it is.
 */
export function dayBoundaries(op: Op, value: RuleValue | undefined): number[] {
  const numbers = (Array.isArray(value) ? value : [value]).filter((v): v is number => typeof v === 'number');
  const days = new Set(numbers.flatMap((v) => [Math.ceil(v), Math.floor(v) + 1]));
  return op === 'exists' || op === 'notExists' ? [] : [...days].sort((a, b) => a - b);
}
