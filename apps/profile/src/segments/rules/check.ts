import { EVENT_TYPES, Validator } from '@signal/contracts';
import { MAX_AFFINITY_VALUES } from '../../profiles/affinities';
import { AFFINITY_DIMENSIONS, LIFECYCLE_STAGES } from '../../settings/store-settings';
import { DURATION_PATTERN, MAX_DURATION_MS, parseDuration } from './duration';
import { fieldDef, isField, type FieldKind } from './fields';
import { NUMERIC_OPS } from './ops';
import { LIMITS, OPS, SegmentRule, TRAIT_NAME, type Op } from './schema';
import { clip, kindOf, quote } from './text';

export interface RuleError {
  /** Where, from `definition`: `definition.all[1].event.type`. */
  path: string;
  message: string;
}

export type RuleCheck = { ok: true; rule: SegmentRule } | { ok: false; errors: RuleError[] };

const MAX_ERRORS = 20;
const KINDS = ['all', 'any', 'not', 'field', 'trait', 'affinity', 'event'] as const;
type Kind = (typeof KINDS)[number] | 'sequence';
const KEYS: Record<Kind, readonly string[]> = {
  all: ['all'],
  any: ['any'],
  not: ['not'],
  field: ['field', 'op', 'value'],
  trait: ['trait', 'op', 'value'],
  affinity: ['affinity', 'atLeast', 'top'],
  event: ['event', 'count', 'within'],
  sequence: ['event', 'notFollowedBy', 'after', 'within'],
};
const KIND_NAME: Record<Kind, string> = {
  all: 'an all rule',
  any: 'an any rule',
  not: 'a not rule',
  field: 'a field rule',
  trait: 'a trait rule',
  affinity: 'an affinity rule',
  event: 'an event rule',
  sequence: 'a notFollowedBy rule',
};
const MATCH_KEYS = ['type', 'productId', 'category', 'brand', 'color', 'size', 'priceBand', 'minValue'];
const MATCH_TEXTS = ['productId', 'category', 'brand', 'color', 'size', 'priceBand'] as const;
const KIND_TEXT: Record<FieldKind | 'trait', string> = { number: 'a number', text: 'text', boolean: 'true or false', stage: 'a stage', trait: 'text, a number or true/false' };

type Obj = Record<string, unknown>;
// Plain JSON objects only: anything with another prototype could smuggle inherited keys in.
const isObject = (v: unknown): v is Obj => typeof v === 'object' && v !== null && !Array.isArray(v) && [Object.prototype, null].includes(Object.getPrototypeOf(v));
const has = (o: Obj, key: string): boolean => Object.hasOwn(o, key);
const get = (o: Obj, key: string): unknown => (Object.hasOwn(o, key) ? o[key] : undefined);
const keyPath = (path: string, key: string): string => (/^[A-Za-z_$][\w$]*$/.test(key) ? `${path}.${clip(key, 64)}` : `${path}[${JSON.stringify(clip(key, 64))}]`);
const oneOf = (values: readonly string[]): string => `expected one of ${values.join(', ')}`;

/** One pass over a definition; stops at the node limit so a hostile one costs little. */
class Walk {
  readonly errors: RuleError[] = [];
  private nodes = 0;
  private stopped = false;
  private readonly sensitive: ReadonlySet<string>;

  constructor(sensitiveCategories: readonly string[]) {
    this.sensitive = new Set(sensitiveCategories.map((c) => c.toLowerCase()));
  }

  fail(path: string, message: string): void {
    if (this.errors.length < MAX_ERRORS) this.errors.push({ path, message });
  }

  rule(v: unknown, path: string, depth: number): void {
    if (this.stopped || this.errors.length >= MAX_ERRORS) return;
    if (++this.nodes > LIMITS.nodes) {
      this.stopped = true;
      return this.fail(path, `the definition has more than ${LIMITS.nodes} rules`);
    }
    if (depth > LIMITS.depth) return this.fail(path, `rules nest deeper than ${LIMITS.depth} levels`);
    if (!isObject(v)) return this.fail(path, `expected a rule object, got ${kindOf(v)}`);
    const kinds = KINDS.filter((k) => has(v, k));
    if (kinds.length !== 1) {
      const found = kinds.length === 0 ? '' : ` (found ${kinds.join(' and ')})`;
      return this.fail(path, `a rule has exactly one of ${KINDS.join(', ')}${found}`);
    }
    const kind: Kind = kinds[0] === 'event' && has(v, 'notFollowedBy') ? 'sequence' : kinds[0];
    this.keys(v, path, KEYS[kind], KIND_NAME[kind]);
    switch (kind) {
      case 'all':
      case 'any':
        return this.list(v[kind], `${path}.${kind}`, depth);
      case 'not':
        return this.rule(v['not'], `${path}.not`, depth + 1);
      case 'field':
        return this.field(v, path);
      case 'trait':
        return this.trait(v, path);
      case 'affinity':
        return this.affinity(v, path);
      case 'event':
        return this.count(v, path);
      case 'sequence':
        return this.sequence(v, path);
    }
  }

  private keys(o: Obj, path: string, allowed: readonly string[], what: string): void {
    for (const key of Object.keys(o)) if (!allowed.includes(key)) this.fail(keyPath(path, key), `unknown key ${quote(key)}; ${what} has ${allowed.join(', ')}`);
  }

  private list(v: unknown, path: string, depth: number): void {
    if (!Array.isArray(v)) return this.fail(path, `expected a list of rules, got ${kindOf(v)}`);
    if (v.length === 0) return this.fail(path, 'needs at least one rule');
    if (v.length > LIMITS.children) return this.fail(path, `has ${v.length} rules; at most ${LIMITS.children}`);
    v.forEach((child, i) => this.rule(child, `${path}[${i}]`, depth + 1));
  }

  private field(v: Obj, path: string): void {
    const name = v['field'];
    if (typeof name !== 'string') this.fail(`${path}.field`, `expected a field name, got ${kindOf(name)}`);
    else if (!isField(name)) this.fail(`${path}.field`, `unknown field ${quote(name)}`);
    else return this.comparison(v, path, fieldDef(name).kind, name);
  }

  private trait(v: Obj, path: string): void {
    const name = v['trait'];
    if (typeof name !== 'string' || !TRAIT_NAME.test(name)) this.fail(`${path}.trait`, 'trait names are 1-128 characters of A-Z a-z 0-9 _ . : -');
    this.comparison(v, path, 'trait', `trait ${quote(String(name))}`);
  }

  /** op and value fit each other and what they compare with. */
  private comparison(v: Obj, path: string, kind: FieldKind | 'trait', subject: string): void {
    const op = get(v, 'op');
    if (op === undefined) return this.fail(`${path}.op`, `missing; ${oneOf(OPS)}`);
    if (typeof op !== 'string' || !(OPS as readonly string[]).includes(op)) return this.fail(`${path}.op`, `unknown op ${typeof op === 'string' ? quote(op) : kindOf(op)}; ${oneOf(OPS)}`);
    const value = get(v, 'value');
    const at = `${path}.value`;
    if (op === 'exists' || op === 'notExists') return has(v, 'value') ? this.fail(at, `${op} takes no value`) : undefined;
    if (!has(v, 'value')) return this.fail(at, `missing; ${op} needs a value`);
    if (NUMERIC_OPS.includes(op as Op)) {
      if (kind !== 'number' && kind !== 'trait') return this.fail(`${path}.op`, `${op} compares numbers; ${subject} holds ${KIND_TEXT[kind]}`);
      if (typeof value !== 'number' || !Number.isFinite(value)) this.fail(at, `${op} needs a number, got ${kindOf(value)}`);
      return;
    }
    if (op === 'contains') {
      if (kind !== 'trait') return this.fail(`${path}.op`, 'contains applies to list traits only');
      return this.scalar(value, at, kind, true);
    }
    if (op === 'in' || op === 'notIn') {
      if (kind === 'boolean') return this.fail(`${path}.op`, `${op} does not apply to ${subject}, which is true or false; use eq`);
      if (!Array.isArray(value) || value.length === 0) return this.fail(at, `${op} needs a non-empty list, got ${kindOf(value)}`);
      if (value.length > LIMITS.values) return this.fail(at, `has ${value.length} values; at most ${LIMITS.values}`);
      return value.forEach((item, i) => this.scalar(item, `${at}[${i}]`, kind, true));
    }
    if (Array.isArray(value)) return this.fail(at, `${op} takes a single value; use in or notIn for a list`);
    this.scalar(value, at, kind, false);
  }

  private scalar(v: unknown, path: string, kind: FieldKind | 'trait', inList: boolean): void {
    const fits =
      (typeof v === 'number' && Number.isFinite(v) && (kind === 'number' || kind === 'trait')) ||
      (typeof v === 'string' && (kind === 'text' || kind === 'stage' || kind === 'trait')) ||
      (typeof v === 'boolean' && !inList && (kind === 'boolean' || kind === 'trait'));
    if (!fits) return this.fail(path, `expected ${inList && kind === 'trait' ? 'text or a number' : KIND_TEXT[kind]}, got ${kindOf(v)}`);
    if (typeof v !== 'string') return;
    if (kind === 'stage' && !(LIFECYCLE_STAGES as readonly string[]).includes(v)) return this.fail(path, `unknown stage ${quote(v)}; ${oneOf(LIFECYCLE_STAGES)}`);
    this.text(v, path, 0);
  }

  /** A string of min..256 characters. */
  private text(v: unknown, path: string, min: number): v is string {
    if (typeof v !== 'string') this.fail(path, `expected text, got ${kindOf(v)}`);
    else if (v.length < min) this.fail(path, 'must not be empty');
    else if (v.length > LIMITS.string) this.fail(path, `is ${v.length} characters long; at most ${LIMITS.string}`);
    else return true;
    return false;
  }

  private number(v: Obj, key: string, path: string, o: { min: number; max?: number; integer?: boolean; above?: boolean }): void {
    const n = v[key];
    const ok = typeof n === 'number' && Number.isFinite(n) && (o.above ? n > o.min : n >= o.min) && (o.max === undefined || n <= o.max) && (!o.integer || Number.isInteger(n));
    if (ok) return;
    const range = o.above ? `above ${o.min}` : o.max === undefined ? `at least ${o.min}` : `${o.min} to ${o.max}`;
    this.fail(`${path}.${key}`, `expected ${o.integer ? 'a whole number' : 'a number'} ${range}, got ${kindOf(n)}`);
  }

  private sensitiveCategory(v: string, path: string): void {
    if (this.sensitive.has(v.toLowerCase())) this.fail(path, `${quote(v)} is a sensitive category and can't be used for targeting`);
  }

  private affinity(v: Obj, path: string): void {
    const a = v['affinity'];
    const at = `${path}.affinity`;
    if (!isObject(a)) this.fail(at, `expected { dimension, value }, got ${kindOf(a)}`);
    else {
      this.keys(a, at, ['dimension', 'value'], 'an affinity');
      const dimension = get(a, 'dimension');
      const known = typeof dimension === 'string' && (AFFINITY_DIMENSIONS as readonly string[]).includes(dimension);
      if (!known) this.fail(`${at}.dimension`, `unknown dimension ${typeof dimension === 'string' ? quote(dimension) : kindOf(dimension)}; ${oneOf(AFFINITY_DIMENSIONS)}`);
      const value = get(a, 'value');
      if (this.text(value, `${at}.value`, 1) && dimension === 'category') this.sensitiveCategory(value, `${at}.value`);
    }
    if (!has(v, 'atLeast') && !has(v, 'top')) this.fail(path, 'an affinity rule needs atLeast, top or both');
    if (has(v, 'atLeast')) this.number(v, 'atLeast', path, { min: 0, above: true });
    if (has(v, 'top')) this.number(v, 'top', path, { min: 1, max: MAX_AFFINITY_VALUES, integer: true });
  }

  private count(v: Obj, path: string): void {
    this.match(v['event'], `${path}.event`);
    if (has(v, 'count')) {
      const c = v['count'];
      const at = `${path}.count`;
      if (!isObject(c)) return this.fail(at, `expected { atLeast?, atMost? }, got ${kindOf(c)}`);
      this.keys(c, at, ['atLeast', 'atMost'], 'a count');
      if (!has(c, 'atLeast') && !has(c, 'atMost')) this.fail(at, 'needs atLeast, atMost or both');
      for (const key of ['atLeast', 'atMost']) if (has(c, key)) this.number(c, key, at, { min: 0, max: LIMITS.count, integer: true });
      const { atLeast, atMost } = c;
      if (typeof atLeast === 'number' && typeof atMost === 'number' && atMost < atLeast) this.fail(`${at}.atMost`, `must not be below atLeast (${atLeast})`);
    }
    if (has(v, 'within')) this.duration(v['within'], `${path}.within`);
  }

  private sequence(v: Obj, path: string): void {
    this.match(v['event'], `${path}.event`);
    this.match(v['notFollowedBy'], `${path}.notFollowedBy`);
    if (!has(v, 'after')) this.fail(`${path}.after`, 'missing; how long the event must go without notFollowedBy, e.g. 60m');
    const after = has(v, 'after') ? this.duration(v['after'], `${path}.after`) : undefined;
    const within = has(v, 'within') ? this.duration(v['within'], `${path}.within`) : undefined;
    if (after !== undefined && within !== undefined && within < after) this.fail(`${path}.within`, `must be at least after (${String(v['after'])})`);
  }

  /** Milliseconds, when valid. */
  private duration(v: unknown, path: string): number | undefined {
    if (typeof v !== 'string' || !DURATION_PATTERN.test(v)) this.fail(path, `expected a duration such as 60m, 12h or 7d, got ${kindOf(v)}`);
    else if (parseDuration(v) > MAX_DURATION_MS) this.fail(path, 'is longer than 3650d');
    else return parseDuration(v);
    return undefined;
  }

  private match(m: unknown, path: string): void {
    if (!isObject(m)) return this.fail(path, `expected an event match { type, ... }, got ${kindOf(m)}`);
    this.keys(m, path, MATCH_KEYS, 'an event match');
    const type = get(m, 'type');
    const isType = (t: unknown) => typeof t === 'string' && (EVENT_TYPES as readonly string[]).includes(t);
    const unknownType = (t: unknown) => (typeof t === 'string' ? `unknown event type ${quote(t)}` : `expected an event type, got ${kindOf(t)}`);
    if (type === undefined) this.fail(`${path}.type`, 'missing; name an event type or a list of them');
    else if (Array.isArray(type)) {
      if (type.length === 0 || type.length > EVENT_TYPES.length) this.fail(`${path}.type`, `expected 1 to ${EVENT_TYPES.length} event types, got ${type.length}`);
      else type.forEach((t, i) => (!isType(t) ? this.fail(`${path}.type[${i}]`, unknownType(t)) : type.indexOf(t) < i ? this.fail(`${path}.type[${i}]`, `${quote(String(t))} is listed twice`) : undefined));
    } else if (!isType(type)) this.fail(`${path}.type`, unknownType(type));
    for (const key of MATCH_TEXTS) if (has(m, key) && this.text(m[key], `${path}.${key}`, 1) && key === 'category') this.sensitiveCategory(m[key] as string, `${path}.${key}`);
    if (has(m, 'minValue')) this.number(m, 'minValue', path, { min: 0 });
  }
}

const schema = new Validator(SegmentRule);

/**
 * Checks a segment definition from outside: shape, ops against fields, names of fields, event
 * types, stages and dimensions, limits, and that no sensitive category is targeted. Each error
 * names the failing rule by its path from `definition`.
 */
export function checkRule(value: unknown, o: { sensitiveCategories: readonly string[] }): RuleCheck {
  const walk = new Walk(o.sensitiveCategories);
  walk.rule(value, 'definition', 1);
  if (walk.errors.length > 0) return { ok: false, errors: walk.errors };
  // The walk is the readable check; the schema is the type's guarantee. They should never disagree.
  if (!schema.is(value)) return { ok: false, errors: [{ path: 'definition', message: 'does not match the segment rule schema' }] };
  return { ok: true, rule: value };
}
