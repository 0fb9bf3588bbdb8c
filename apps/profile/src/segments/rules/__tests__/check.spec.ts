import { checkRule, type RuleError } from '..';
import { SETTINGS } from './profile.factory';

const check = (definition: unknown) => checkRule(definition, SETTINGS);
const errorsOf = (definition: unknown): RuleError[] => {
  const r = check(definition);
  if (r.ok) throw new Error('expected the definition to be rejected');
  return r.errors;
};
const views = { event: { type: 'product_view' } };

describe('checkRule', () => {
  it('accepts every kind of node and returns the rule', () => {
    const definition = {
      all: [
        { field: 'stage', op: 'in', value: ['engaged', 'subscribed'] },
        { field: 'counters.purchase', op: 'gte', value: 1 },
        { not: { trait: 'quiz.skin:type-2', op: 'contains', value: 'dry' } },
        { any: [{ affinity: { dimension: 'brand', value: 'Acme' }, atLeast: 2.5 }, { affinity: { dimension: 'size', value: 'M' }, top: 3 }] },
        { event: { type: ['product_view', 'product_click'], category: 'shoes', brand: 'Acme', minValue: 10 }, count: { atLeast: 2, atMost: 9 }, within: '12h' },
        { event: { type: 'add_to_cart' }, notFollowedBy: { type: 'purchase' }, after: '60m', within: '7d' },
        { field: 'consent.email', op: 'exists' },
      ],
    };
    expect(check(definition)).toEqual({ ok: true, rule: definition });
  });

  it.each<[string, unknown, string, string]>([
    ['unknown event type', { all: [views, { event: { type: 'purchse' } }] }, 'definition.all[1].event.type', "unknown event type 'purchse'"],
    ['unknown event type in a list', { event: { type: ['purchase', 'refund'] } }, 'definition.event.type[1]', "unknown event type 'refund'"],
    ['unknown field', { any: [{ field: 'ordrs.count', op: 'gt', value: 1 }] }, 'definition.any[0].field', "unknown field 'ordrs.count'"],
    ['counter of an unknown type', { field: 'counters.refund', op: 'gt', value: 1 }, 'definition.field', "unknown field 'counters.refund'"],
    ['unknown op', { field: 'eventCount', op: 'equals', value: 1 }, 'definition.op', "unknown op 'equals'; expected one of eq, neq, in, notIn, gt, gte, lt, lte, exists, notExists, contains"],
    ['numeric op on text', { field: 'country', op: 'gt', value: 3 }, 'definition.op', 'gt compares numbers; country holds text'],
    ['numeric op without a number', { field: 'eventCount', op: 'gte', value: '3' }, 'definition.value', "gte needs a number, got text '3'"],
    ['exists with a value', { trait: 'vip', op: 'exists', value: true }, 'definition.value', 'exists takes no value'],
    ['in without a list', { field: 'country', op: 'in', value: 'FR' }, 'definition.value', "in needs a non-empty list, got text 'FR'"],
    ['in with an empty list', { field: 'country', op: 'notIn', value: [] }, 'definition.value', 'notIn needs a non-empty list, got a list'],
    ['eq with a list', { field: 'country', op: 'eq', value: ['FR'] }, 'definition.value', 'eq takes a single value; use in or notIn for a list'],
    ['wrong value type', { field: 'customer', op: 'eq', value: 'yes' }, 'definition.value', "expected true or false, got text 'yes'"],
    ['missing value', { field: 'eventCount', op: 'lt' }, 'definition.value', 'missing; lt needs a value'],
    ['contains on a field', { field: 'city', op: 'contains', value: 'Lyon' }, 'definition.op', 'contains applies to list traits only'],
    ['unknown stage', { field: 'stage', op: 'in', value: ['engaged', 'buyer'] }, 'definition.value[1]', "unknown stage 'buyer'; expected one of new_visitor, browsing, engaged, subscribed, first_time_buyer, repeat_buyer, loyal, lapsed"],
    ['bad trait name', { trait: 'skin type', op: 'exists' }, 'definition.trait', 'trait names are 1-128 characters of A-Z a-z 0-9 _ . : -'],
    ['unknown dimension', { affinity: { dimension: 'colour', value: 'red' }, top: 3 }, 'definition.affinity.dimension', "unknown dimension 'colour'; expected one of brand, category, priceBand, color, size"],
    ['affinity without a threshold', { affinity: { dimension: 'color', value: 'red' } }, 'definition', 'an affinity rule needs atLeast, top or both'],
    ['top out of range', { affinity: { dimension: 'color', value: 'red' }, top: 41 }, 'definition.top', 'expected a whole number 1 to 40, got number 41'],
    ['bad duration', { event: { type: 'search' }, within: '7 days' }, 'definition.within', "expected a duration such as 60m, 12h or 7d, got text '7 days'"],
    ['zero duration', { event: { type: 'search' }, within: '0m' }, 'definition.within', "expected a duration such as 60m, 12h or 7d, got text '0m'"],
    ['too long a duration', { event: { type: 'search' }, within: '3651d' }, 'definition.within', 'is longer than 3650d'],
    ['atMost below atLeast', { ...views, count: { atLeast: 3, atMost: 2 } }, 'definition.count.atMost', 'must not be below atLeast (3)'],
    ['fractional count', { ...views, count: { atLeast: 1.5 } }, 'definition.count.atLeast', 'expected a whole number 0 to 10000, got number 1.5'],
    ['notFollowedBy without after', { ...views, notFollowedBy: { type: 'purchase' } }, 'definition.after', 'missing; how long the event must go without notFollowedBy, e.g. 60m'],
    ['within shorter than after', { ...views, notFollowedBy: { type: 'purchase' }, after: '2h', within: '60m' }, 'definition.within', 'must be at least after (2h)'],
    ['count on a sequence', { ...views, notFollowedBy: { type: 'purchase' }, after: '2h', count: { atLeast: 2 } }, 'definition.count', "unknown key 'count'; a notFollowedBy rule has event, notFollowedBy, after, within"],
    ['unknown key on a node', { field: 'eventCount', op: 'gt', value: 1, label: 'x' }, 'definition.label', "unknown key 'label'; a field rule has field, op, value"],
    ['unknown key in an event match', { event: { type: 'search', query: 'shoes' } }, 'definition.event.query', "unknown key 'query'; an event match has type, productId, category, brand, color, size, priceBand, minValue"],
    ['two kinds in one node', { all: [views], field: 'eventCount', op: 'gt', value: 1 }, 'definition', 'a rule has exactly one of all, any, not, field, trait, affinity, event (found all and field)'],
    ['no kind', { op: 'gt', value: 1 }, 'definition', 'a rule has exactly one of all, any, not, field, trait, affinity, event'],
    ['empty all', { not: { all: [] } }, 'definition.not.all', 'needs at least one rule'],
    ['non-object child', { any: [views, 'product_view'] }, 'definition.any[1]', "expected a rule object, got text 'product_view'"],
    ['empty text', { event: { type: 'product_view', brand: '' } }, 'definition.event.brand', 'must not be empty'],
  ])('rejects %s', (_, definition, path, message) => {
    expect(errorsOf(definition)).toEqual([{ path, message }]);
  });

  describe('sensitive categories', () => {
    it.each([
      [{ event: { type: 'product_view', category: 'HEALTH' } }, 'definition.event.category', "'HEALTH' is a sensitive category and can't be used for targeting"],
      [{ not: { affinity: { dimension: 'category', value: 'Adult' }, top: 5 } }, 'definition.not.affinity.value', "'Adult' is a sensitive category and can't be used for targeting"],
      [{ ...views, notFollowedBy: { type: 'purchase', category: 'health' }, after: '1d' }, 'definition.notFollowedBy.category', "'health' is a sensitive category and can't be used for targeting"],
    ])('rejects %j', (definition, path, message) => {
      expect(errorsOf(definition)).toEqual([{ path, message }]);
    });

    it('allows the same value in other dimensions and categories other stores made sensitive', () => {
      expect(check({ affinity: { dimension: 'brand', value: 'Health' }, top: 1 }).ok).toBe(true);
      expect(checkRule({ event: { type: 'product_view', category: 'health' } }, { sensitiveCategories: [] }).ok).toBe(true);
    });
  });

  describe('hostile definitions', () => {
    const nest = (levels: number): unknown => (levels === 1 ? views : { not: nest(levels - 1) });

    it('stops at 8 levels of nesting', () => {
      expect(check(nest(8)).ok).toBe(true);
      expect(errorsOf(nest(9))).toEqual([{ path: `definition${'.not'.repeat(8)}`, message: 'rules nest deeper than 8 levels' }]);
      expect(errorsOf(nest(50))).toEqual([{ path: `definition${'.not'.repeat(8)}`, message: 'rules nest deeper than 8 levels' }]);
    });

    it('stops at 200 rules without walking the rest', () => {
      const wide = { any: Array.from({ length: 50 }, () => ({ any: Array.from({ length: 50 }, () => ({ all: [views, views, views] })) })) };
      expect(errorsOf(wide)).toEqual([{ path: 'definition.any[0].any[49].all[1]', message: 'the definition has more than 200 rules' }]);
      expect(errorsOf({ any: Array.from({ length: 10_000 }, () => views) })).toEqual([{ path: 'definition.any', message: 'has 10000 rules; at most 50' }]);
    });

    it.each([
      ['a string', 'product_view', "expected a rule object, got text 'product_view'"],
      ['null', null, 'expected a rule object, got null'],
      ['a number', 42, 'expected a rule object, got number 42'],
      ['an array', [views], 'expected a rule object, got a list'],
      ['a class instance', new Date(0), 'expected a rule object, got an object'],
    ])('rejects %s', (_, definition, message) => {
      expect(errorsOf(definition)).toEqual([{ path: 'definition', message }]);
    });

    it('rejects prototype keys as unknown keys and does not read inherited ones', () => {
      const parsed: unknown = JSON.parse('{"field":"eventCount","op":"gt","value":1,"__proto__":{"all":[]}}');
      expect(errorsOf(parsed)).toEqual([{ path: 'definition.__proto__', message: "unknown key '__proto__'; a field rule has field, op, value" }]);
      expect(errorsOf(JSON.parse('{"event":{"type":"search","constructor":"x"}}'))[0].path).toBe('definition.event.constructor');
      expect(errorsOf(Object.create({ all: [views] }))).toEqual([{ path: 'definition', message: 'expected a rule object, got an object' }]);
    });

    it('bounds strings and what messages echo of them', () => {
      const huge = 'x'.repeat(1_000_000);
      expect(errorsOf({ event: { type: 'product_view', category: huge } })).toEqual([{ path: 'definition.event.category', message: 'is 1000000 characters long; at most 256' }]);
      const [unknownType] = errorsOf({ event: { type: huge } });
      expect(unknownType.message.length).toBeLessThan(100);
      const [unknownKey] = errorsOf({ ...views, [huge]: 1 });
      expect(unknownKey.path.length + unknownKey.message.length).toBeLessThan(300);
    });

    it('reports at most 20 errors', () => {
      const bad = { any: Array.from({ length: 50 }, () => ({ field: 'nope', op: 'gt', value: 1 })) };
      expect(errorsOf(bad)).toHaveLength(20);
    });
  });
});
