import { defaultRules } from '../../serving/store-cache';
import { checkRules } from '../rules.service';

const DEFAULTS = { boost: [], bury: [], pin: [], maxPerBrand: 3, maxPerCategory: 4, rebuyDays: [], newArrivalDays: 30 };
const fields = (body: unknown) => {
  const r = checkRules(body);
  return r.ok ? [] : r.errors.map((e) => e.field);
};

describe('checkRules', () => {
  it('fills defaults', () => {
    expect(checkRules({})).toEqual({ ok: true, value: DEFAULTS });
    expect(defaultRules()).toEqual(DEFAULTS);
    expect(checkRules({ maxPerBrand: 1, pin: [{ productId: 'p', position: 0 }] })).toEqual({ ok: true, value: { ...DEFAULTS, maxPerBrand: 1, pin: [{ productId: 'p', position: 0 }] } });
  });

  it('keeps a full valid body as it is, and does not touch the input', () => {
    const body = {
      boost: [{ match: { brands: ['Acme'], categories: ['Home > Kitchen'] }, factor: 2, placements: ['home', 'similar'] }],
      bury: [{ match: { productIds: ['p-1'] }, factor: 0 }],
      pin: [{ productId: 'p-2', position: 49, placements: ['bought_together'] }],
      maxPerBrand: 50,
      maxPerCategory: 1,
      rebuyDays: [{ category: 'Grocery', days: 30 }],
      newArrivalDays: 365,
    };
    const copy = structuredClone(body);
    expect(checkRules(body)).toEqual({ ok: true, value: body });
    const partial = { maxPerBrand: 2 };
    checkRules(partial);
    expect(partial).toEqual({ maxPerBrand: 2 });
    expect(body).toEqual(copy);
  });

  it.each<[string, unknown]>([
    ['null', null],
    ['an array', [{ maxPerBrand: 1 }]],
    ['a string', 'rules'],
    ['a number', 3],
  ])('a body that is %s is refused as a whole', (_, body) => {
    expect(checkRules(body)).toEqual({ ok: false, errors: [{ field: '(body)', message: 'Expected a JSON object' }] });
  });

  it.each<[string, Record<string, unknown>, string]>([
    ['a boost factor of 1 or less', { boost: [{ match: {}, factor: 0.5 }] }, 'boost.0.factor'],
    ['a boost factor above 100', { boost: [{ match: {}, factor: 101 }] }, 'boost.0.factor'],
    ['a bury factor of 1', { bury: [{ match: {}, factor: 1 }] }, 'bury.0.factor'],
    ['a negative bury factor', { bury: [{ match: {}, factor: -0.1 }] }, 'bury.0.factor'],
    ['a factor that is a string', { bury: [{ match: {}, factor: '0' }] }, 'bury.0.factor'],
    ['a boost without a match', { boost: [{ factor: 2 }] }, 'boost.0.match'],
    ['an unknown match key', { boost: [{ match: { sku: ['x'] }, factor: 2 }] }, 'boost.0.match.sku'],
    ['an unknown placement', { bury: [{ match: {}, factor: 0, placements: ['sidebar'] }] }, 'bury.0.placements.0'],
    ['a malformed product id', { boost: [{ match: { productIds: ['ok', 'no space'] }, factor: 2 }] }, 'boost.0.match.productIds.1'],
    ['a pin at position 50', { pin: [{ productId: 'p', position: 50 }] }, 'pin.0.position'],
    ['a pin at a fractional position', { pin: [{ productId: 'p', position: 1.5 }] }, 'pin.0.position'],
    ['a pin without a product', { pin: [{ position: 1 }] }, 'pin.0.productId'],
    ['maxPerBrand 0', { maxPerBrand: 0 }, 'maxPerBrand'],
    ['maxPerCategory 51', { maxPerCategory: 51 }, 'maxPerCategory'],
    ['maxPerBrand as a string', { maxPerBrand: '3' }, 'maxPerBrand'],
    ['a re-buy window of 0 days', { rebuyDays: [{ category: 'Grocery', days: 0 }] }, 'rebuyDays.0.days'],
    ['a re-buy window without a category', { rebuyDays: [{ days: 5 }] }, 'rebuyDays.0.category'],
    ['newArrivalDays 366', { newArrivalDays: 366 }, 'newArrivalDays'],
    ['null for a list', { boost: null }, 'boost'],
    ['101 boosts', { boost: Array.from({ length: 101 }, () => ({ match: {}, factor: 2 })) }, 'boost'],
  ])('refuses %s, naming the field', (_, body, field) => {
    expect(fields(body)).toContain(field);
  });

  it('refuses unknown top-level fields', () => {
    expect(fields({ maxPerBrand: 2, sneaky: true })).toEqual(['sneaky']);
  });

  it('names every bad field at once', () => {
    expect(fields({ boost: [{ match: {}, factor: 0.5 }], maxPerBrand: 0 })).toEqual(expect.arrayContaining(['boost.0.factor', 'maxPerBrand']));
  });
});
