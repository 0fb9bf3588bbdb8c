import { parseAutocompleteQuery, parseSearchQuery } from '../search';

const fields = (r: ReturnType<typeof parseSearchQuery>) => (r.ok ? [] : r.errors.map((e) => e.field));

describe('parseSearchQuery', () => {
  it('fills defaults', () => {
    expect(parseSearchQuery({ storeId: 's' })).toEqual({ ok: true, value: { storeId: 's', q: '', page: 1, pageSize: 24, sort: 'relevance', explain: false } });
  });

  it('reads numbers, booleans and repeated filters (commas kept)', () => {
    const r = parseSearchQuery({ storeId: 's', q: 'mug', page: '2', price_min: '1.5', in_stock: 'true', brand: ['Smith, Jones', 'Acme'], color: 'red' });
    expect(r).toMatchObject({ ok: true, value: { page: 2, price_min: 1.5, in_stock: true, brand: ['Smith, Jones', 'Acme'], color: ['red'] } });
  });

  it.each([
    [{ pageSize: '0' }, 'pageSize'],
    [{ pageSize: '101' }, 'pageSize'],
    [{ page: '1e3' }, 'page'],
    [{ page: '101' }, 'page'],
    [{ sort: 'random' }, 'sort'],
    [{ price_min: '-1' }, 'price_min'],
    [{ price_min: '5', price_max: '1' }, 'price_min'],
    [{ explain: 'maybe' }, 'explain'],
    [{ anonymousId: 'a b' }, 'anonymousId'],
    [{ q: ['a', 'b'] }, 'q'],
    [{ 'q[$ne]': 'x' }, 'q[$ne]'],
    [{ __proto__x: 'x' }, '__proto__x'],
    [{ q: 'x'.repeat(5000) }, 'q'],
  ])('%j → 400 naming %s', (raw, field) => {
    expect(fields(parseSearchQuery({ storeId: 's', ...raw }))).toContain(field);
  });
});

describe('parseAutocompleteQuery', () => {
  it('defaults the limit and caps it', () => {
    expect(parseAutocompleteQuery({ storeId: 's', q: 'r' })).toMatchObject({ ok: true, value: { limit: 8 } });
    expect(parseAutocompleteQuery({ storeId: 's', limit: '21' }).ok).toBe(false);
  });
});
