import { RECOMMENDATION_LIMITS } from '@signal/contracts';
import { checkedQuery, upstreamQuery } from '../recommendation-query';

/** What the 400 names, or undefined when the query passes. */
const refusal = (raw: Record<string, unknown>) => {
  try {
    checkedQuery(raw);
    return undefined;
  } catch (e) {
    const body = (e as { getResponse(): { statusCode: number; errors: Array<{ field: string }> } }).getResponse();
    return { status: body.statusCode, field: body.errors[0].field };
  }
};

// As Express 5's query parser (node:querystring) hands them over: null prototype, repeats as arrays.
const parsed = (entries: Array<[string, string | string[]]>) => Object.assign(Object.create(null) as Record<string, unknown>, Object.fromEntries(entries));

describe('checkedQuery', () => {
  it('takes lists comma-separated or repeated, and defaults the limit', () => {
    expect(checkedQuery({ placement: 'bought_together', cart: ['a,b', 'c'], exclude: 'x', anonymousId: 'anon-1' })).toEqual({
      placement: 'bought_together',
      cart: ['a', 'b', 'c'],
      exclude: ['x'],
      anonymousId: 'anon-1',
      limit: RECOMMENDATION_LIMITS.defaultLimit,
    });
    expect(checkedQuery({ placement: 'trending', limit: '50', country: 'GB', category: 'Home > Rugs' })).toMatchObject({ limit: 50, country: 'GB' });
  });

  it.each<[string, Record<string, unknown>, string]>([
    ['no placement', {}, 'placement'],
    ['an unknown placement', { placement: 'sidebar' }, 'placement'],
    ['limit 0', { placement: 'home', limit: '0' }, 'limit'],
    ['limit 10000', { placement: 'home', limit: '10000' }, 'limit'],
    ['a limit that is no number', { placement: 'home', limit: '5e1' }, 'limit'],
    ['a malformed id', { placement: 'home', anonymousId: 'a b' }, 'anonymousId'],
    ['a 10 kB id', { placement: 'similar', productId: 'p'.repeat(10_000) }, 'productId'],
    ['500 cart items', { placement: 'bought_together', cart: Array.from({ length: 500 }, (_, i) => `p${i}`).join(',') }, 'cart'],
    ['a malformed id in a list', { placement: 'home', exclude: ['ok', 'no/slash'] }, 'exclude.1'],
    ['a lower-case country', { placement: 'trending', country: 'gb' }, 'country'],
    ['an unknown parameter', { placement: 'home', storeId: 'other-store' }, 'storeId'],
    ['a repeated scalar', { placement: ['home', 'trending'] }, 'placement'],
    ['an operator in brackets', parsed([['placement[$ne]', 'x']]), 'placement[$ne]'],
    ['__proto__', parsed([['placement', 'home'], ['__proto__', 'x']]), '__proto__'],
    ['constructor', parsed([['placement', 'home'], ['constructor', 'x']]), 'constructor'],
  ])('refuses %s with a 400 naming the field', (_, raw, field) => {
    expect(refusal(raw)).toEqual({ status: 400, field });
  });
});

describe('upstreamQuery', () => {
  it('rebuilds the query from what was checked: lists repeated, empty lists left out', () => {
    const query = checkedQuery({ placement: 'bought_together', cart: ['a', 'b'], exclude: '', category: 'Home & Garden' });
    expect(upstreamQuery(query).toString()).toBe('placement=bought_together&cart=a&cart=b&category=Home+%26+Garden&limit=10');
  });

  it('reads back as the same query', () => {
    const query = checkedQuery({ placement: 'similar', productId: 'p-1', exclude: ['x', 'y'], anonymousId: 'a@1', limit: '3' });
    // As Express reads a query string: a repeated key becomes an array.
    const read: Record<string, string | string[]> = {};
    for (const [k, v] of upstreamQuery(query)) read[k] = k in read ? [read[k]].flat().concat(v) : v;
    expect(checkedQuery(read)).toEqual(query);
  });
});
