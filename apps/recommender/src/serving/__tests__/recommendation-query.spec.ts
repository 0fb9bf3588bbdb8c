import { PLACEMENTS, RECOMMENDATION_LIMITS, parseRecommendationQuery } from '@signal/contracts';

const ok = (raw: Record<string, unknown>) => {
  const r = parseRecommendationQuery(raw);
  if (!r.ok) throw new Error(`refused: ${JSON.stringify(r.errors)}`);
  return r.value;
};
const fields = (raw: Record<string, unknown>) => {
  const r = parseRecommendationQuery(raw);
  return r.ok ? [] : r.errors.map((e) => e.field);
};
/** As Express's querystring parser hands a query over: a null prototype. */
const bare = (o: Record<string, unknown>) => Object.assign(Object.create(null) as Record<string, unknown>, o);

describe('parseRecommendationQuery', () => {
  it('every placement parses; the limit defaults', () => {
    for (const placement of PLACEMENTS) {
      const productId = placement === 'similar' || placement === 'also_viewed' ? { productId: 'p-1' } : {};
      expect(ok({ placement, ...productId })).toEqual({ placement, ...productId, limit: RECOMMENDATION_LIMITS.defaultLimit });
    }
  });

  it('lists: comma-separated, repeated, or both; empty parts dropped', () => {
    expect(ok({ placement: 'bought_together', cart: 'a,b,c' }).cart).toEqual(['a', 'b', 'c']);
    expect(ok({ placement: 'bought_together', cart: ['a', 'b'] }).cart).toEqual(['a', 'b']);
    expect(ok({ placement: 'bought_together', cart: ['a,b', 'c', ''] }).cart).toEqual(['a', 'b', 'c']);
    expect(ok({ placement: 'home', exclude: ',a,,b,' }).exclude).toEqual(['a', 'b']);
    expect(ok({ placement: 'home', exclude: '' }).exclude).toEqual([]);
    expect(ok({ placement: 'home', exclude: [] }).exclude).toEqual([]);
  });

  it('list bounds count the parts, wherever they came from', () => {
    const ids = (n: number) => Array.from({ length: n }, (_, i) => `p${i}`);
    expect(ok({ placement: 'bought_together', cart: ids(RECOMMENDATION_LIMITS.maxCart).join(',') }).cart).toHaveLength(RECOMMENDATION_LIMITS.maxCart);
    expect(fields({ placement: 'bought_together', cart: [ids(60).join(','), ids(41).join(',')] })).toEqual(['cart']);
    expect(fields({ placement: 'home', exclude: ids(RECOMMENDATION_LIMITS.maxExclude + 1) })).toEqual(['exclude']);
    expect(fields({ placement: 'home', exclude: 'ok,bad id' })).toEqual(['exclude.1']);
  });

  it('a repeated scalar is refused, naming it', () => {
    for (const key of ['placement', 'productId', 'limit', 'anonymousId', 'customerId', 'category', 'country']) {
      const r = parseRecommendationQuery({ placement: 'home', [key]: ['x', 'y'] });
      expect(r).toEqual({ ok: false, errors: [{ field: key, message: 'Given more than once' }] });
    }
  });

  it('unknown parameters are refused, up to five named', () => {
    expect(parseRecommendationQuery({ placement: 'home', storeId: 's' })).toEqual({ ok: false, errors: [{ field: 'storeId', message: 'Unknown parameter' }] });
    expect(fields({ placement: 'home', a: 1, b: 1, c: 1, d: 1, e: 1, f: 1, g: 1 })).toEqual(['a', 'b', 'c', 'd', 'e']);
    // Case matters.
    expect(fields({ placement: 'home', Limit: '5' })).toEqual(['Limit']);
  });

  it.each<[unknown, number]>([
    ['1', 1],
    ['50', 50],
    ['007', 7],
    [5, 5],
  ])('limit %p → %p', (limit, expected) => {
    expect(ok({ placement: 'home', limit }).limit).toBe(expected);
  });

  it.each<[unknown]>([['0'], ['-1'], ['51'], ['999999'], ['1234567'], ['1.5'], ['5e1'], [' 5'], ['5 '], [''], ['ten'], ['0x10'], [0], [51], [2.5], [true], [{ $gt: 0 }]])('limit %p is refused', (limit) => {
    expect(fields({ placement: 'home', limit })).toEqual(['limit']);
  });

  it('productId is required for similar and also_viewed only', () => {
    expect(parseRecommendationQuery({ placement: 'similar' })).toEqual({ ok: false, errors: [{ field: 'productId', message: 'Required for placement similar' }] });
    expect(parseRecommendationQuery({ placement: 'also_viewed', anonymousId: 'a' })).toEqual({ ok: false, errors: [{ field: 'productId', message: 'Required for placement also_viewed' }] });
    expect(fields({ placement: 'similar', productId: '' })).toEqual(['productId']);
    expect(ok({ placement: 'bought_together' })).toEqual({ placement: 'bought_together', limit: 10 });
    // Other errors first: the placement itself.
    expect(fields({ placement: 'similar', limit: '0' })).toEqual(['limit']);
  });

  it('takes ids with the allowed characters and refuses the rest', () => {
    expect(ok({ placement: 'home', anonymousId: 'a.b_c:d@e+f-1', customerId: 'C-42' })).toMatchObject({ anonymousId: 'a.b_c:d@e+f-1', customerId: 'C-42' });
    for (const bad of ['has space', 'slash/no', 'x'.repeat(129), '', 'ünïcode']) expect(fields({ placement: 'home', anonymousId: bad })).toEqual(['anonymousId']);
  });

  it('country: two upper-case letters; category: free text up to 256', () => {
    expect(ok({ placement: 'trending', country: 'GB', category: 'Home & Garden > Rugs' })).toMatchObject({ country: 'GB', category: 'Home & Garden > Rugs' });
    for (const country of ['gb', 'GBR', 'G', '12']) expect(fields({ placement: 'home', country })).toEqual(['country']);
    expect(fields({ placement: 'trending', category: 'c'.repeat(257) })).toEqual(['category']);
  });

  it('hostile values: objects from qs-style parsers, arrays of objects, prototype keys', () => {
    expect(fields({ placement: { $ne: 'x' } })).toEqual(['placement']);
    expect(fields({ placement: 'similar', productId: { $ne: 'x' } })).toEqual(['productId']);
    expect(fields({ placement: 'home', anonymousId: { $regex: '.*' } })).toEqual(['anonymousId']);
    expect(fields({ placement: 'bought_together', cart: [{ $ne: 'x' }] })).toEqual(['cart.0']);
    expect(fields({ placement: 'bought_together', cart: { $in: ['a'] } })).toEqual(['cart.0']);
    expect(fields({ placement: 'home', exclude: ['a', 7, null] })).toEqual(['exclude.1', 'exclude.2']);
    expect(fields(JSON.parse('{"placement":"home","__proto__":{"limit":1}}') as Record<string, unknown>)).toEqual(['__proto__']);
    expect(fields(bare({ placement: 'home', constructor: 'x' }))).toEqual(['constructor']);
    expect(fields(bare({ placement: 'home', 'placement[$ne]': 'x' }))).toEqual(['placement[$ne]']);
    expect(fields({ placement: 'home', toString: 'x' })).toEqual(['toString']);
    // Nothing leaked onto Object.prototype.
    expect(({} as Record<string, unknown>).limit).toBeUndefined();
  });

  it('a null-prototype query parses like a plain one; undefined values are skipped', () => {
    expect(ok(bare({ placement: 'home', limit: '3', exclude: 'a' }))).toEqual({ placement: 'home', limit: 3, exclude: ['a'] });
    expect(ok({ placement: 'home', productId: undefined, cart: undefined })).toEqual({ placement: 'home', limit: 10 });
  });

  it('no placement, or an unknown one', () => {
    expect(fields({})).toEqual(['placement']);
    expect(fields({ placement: 'sidebar' })).toEqual(['placement']);
    expect(fields({ placement: 'HOME' })).toEqual(['placement']);
  });
});
