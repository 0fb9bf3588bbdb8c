import { EVENT_TYPES, type EventType } from '@signal/contracts';
import type { HistoryEntry } from '../../../profiles/profile-state';
import { compileRule, describeDuration, evaluationContext, parseDuration, type SegmentRule } from '..';
import { DAY, HOUR, MINUTE, NOW, SETTINGS, compiled, entry, evaluate, profile } from './profile.factory';

describe('the issue examples', () => {
  it('viewed category X at least 3 times in the last 7 days', () => {
    const rule = { event: { type: 'product_view', category: 'shoes' }, count: { atLeast: 3 }, within: '7d' };
    const shoes = (at: number): HistoryEntry => entry('product_view', at, { categories: ['shoes'] });
    const p = profile({ history: [shoes(NOW - HOUR), shoes(NOW - 3 * DAY), shoes(NOW - 6 * DAY), shoes(NOW - 9 * DAY), entry('product_view', NOW, { categories: ['bags'] })] });
    const r = evaluate({ all: [rule] }, p);
    expect(r).toMatchObject({ match: true, nextChangeAt: NOW - 6 * DAY + 7 * DAY });
    expect(r.because).toBe("definition.all[0]: viewed category 'shoes' 3 times in 7d (needs ≥ 3)");
    expect(evaluate(rule, p, NOW + DAY).match).toBe(false);
  });

  it('added to cart and did not purchase within 60 minutes', () => {
    const rule = { event: { type: 'add_to_cart' }, notFollowedBy: { type: 'purchase' }, after: '60m' };
    const carted = profile({ history: [entry('add_to_cart', NOW - 45 * MINUTE, { productId: 'p1' })] });
    expect(evaluate(rule, carted)).toMatchObject({ match: false, nextChangeAt: NOW + 15 * MINUTE });
    const later = evaluate(rule, carted, NOW + 15 * MINUTE);
    expect(later.match).toBe(true);
    expect(later.because).toBe('definition: added to cart 1h ago and not bought since (needs 60m without)');
    const bought = profile({ history: [...carted.history, entry('purchase', NOW - 5 * MINUTE, { productId: 'p1' })] });
    expect(evaluate(rule, bought, NOW + 15 * MINUTE)).toMatchObject({ match: false, nextChangeAt: null });
  });

  it('bought a fridge, a washing machine and a microwave within 30 days', () => {
    const rule = {
      all: ['fridges', 'washing machines', 'microwaves'].map((category) => ({ event: { type: 'purchase', category }, within: '30d' })),
    };
    const bought = (category: string, at: number) => entry('purchase', at, { productId: category, categories: ['kitchen', category] });
    const p = profile({ history: [bought('fridges', NOW - 2 * DAY), bought('washing machines', NOW - 20 * DAY), bought('microwaves', NOW - 25 * DAY)] });
    const r = evaluate(rule, p);
    expect(r).toMatchObject({ match: true, nextChangeAt: NOW - 25 * DAY + 30 * DAY });
    expect(r.because).toBe(
      "definition.all[0]: bought category 'fridges' 1 time in 30d (needs ≥ 1); definition.all[1]: bought category 'washing machines' 1 time in 30d (needs ≥ 1); definition.all[2]: bought category 'microwaves' 1 time in 30d (needs ≥ 1)",
    );
    const later = evaluate(rule, p, NOW + 5 * DAY);
    expect(later.match).toBe(false);
    expect(later.because).toBe("definition.all[2]: bought category 'microwaves' 0 times in 30d (needs ≥ 1)");
  });
});

describe('a store with 1,000 segments', () => {
  const categories = ['shoes', 'bags', 'hats', 'coats', 'socks'];
  const types: EventType[] = ['product_view', 'add_to_cart', 'purchase', 'page_view'];
  // 200 entries, one every 50 minutes, cycling through types and categories.
  const history = Array.from({ length: 200 }, (_, i) => entry(types[i % 4], NOW - i * 50 * MINUTE, { categories: [categories[i % 5]], value: i }));
  const p = profile({ history: [...history].reverse(), eventCount: 200 });
  const definitions = Array.from({ length: 1000 }, (_, i): SegmentRule => {
    const count = { event: { type: types[i % 4], category: categories[(i >> 2) % 5] }, count: { atLeast: (i % 7) + 1 }, within: `${(i % 9) + 1}h` } as const;
    return i % 3 === 0 ? { all: [count, { field: 'eventCount', op: 'gte', value: i % 300 }] } : count;
  });

  it('evaluates them all on one shared context, each as a naive scan would', () => {
    const rules = definitions.map((d) => compileRule(d, SETTINGS));
    const ctx = evaluationContext(p, NOW);
    rules.forEach((rule, i) => {
      const type = types[i % 4];
      const category = categories[(i >> 2) % 5];
      const windowMs = ((i % 9) + 1) * HOUR;
      const n = history.filter((e) => e.type === type && e.categories?.includes(category) && e.at > NOW - windowMs).length;
      const expected = n >= (i % 7) + 1 && (i % 3 !== 0 || 200 >= i % 300);
      const r = rule.evaluate(ctx);
      expect(r.match).toBe(expected);
      if (r.nextChangeAt !== null) expect(r.nextChangeAt).toBeGreaterThan(NOW);
    });
  });
});

describe('compileRule', () => {
  it('refuses a definition that targets a category the store has since made sensitive', () => {
    const rule = compiled({ event: { type: 'purchase', category: 'pharmacy' } }).evaluate(evaluationContext(profile(), NOW));
    expect(rule.match).toBe(false);
    expect(() => compileRule({ event: { type: 'purchase', category: 'pharmacy' } }, { ...SETTINGS, sensitiveCategories: ['Pharmacy'] })).toThrow(
      "definition.event.category: 'pharmacy' is a sensitive category and can't be used for targeting",
    );
  });
});

describe('durations', () => {
  it.each([
    ['1m', MINUTE],
    ['60m', HOUR],
    ['36h', 36 * HOUR],
    ['7d', 7 * DAY],
    ['999999m', 999_999 * MINUTE],
  ])('%s is %d ms', (d, ms) => expect(parseDuration(d)).toBe(ms));

  it.each(['', '0m', '7', '7 d', '1w', '-1d', '1.5h', '1234567m', '07d'])('rejects %j', (d) => expect(() => parseDuration(d)).toThrow(RangeError));

  it.each([
    [0, '0s'],
    [45 * MINUTE, '45m'],
    [HOUR, '1h'],
    [90 * MINUTE, '90m'],
    [150 * MINUTE, '2h'],
    [DAY, '1d'],
    [36 * HOUR, '36h'],
    [7 * DAY + 5 * HOUR, '7d'],
  ])('describes %d ms as %s', (ms, text) => expect(describeDuration(ms)).toBe(text));

  it('knows every event type has a verb or a fallback', () => {
    for (const type of EVENT_TYPES) expect(evaluate({ event: { type } }, profile()).because).toMatch(/^definition: \S/);
  });
});
