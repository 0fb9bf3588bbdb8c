import { categoryPaths } from '../../catalog/categories';
import { CatalogSnapshot, RANK_TTL_MS, productOf, type CatalogProduct } from '../catalog-snapshot';

const DAY = 86_400_000;
const NOW = Date.UTC(2025, 5, 1, 12);

const product = (id: string, o: Partial<CatalogProduct> & { category?: string } = {}): CatalogProduct => {
  const categories = o.categories ?? categoryPaths([o.category ?? 'Misc']);
  return { id, title: id.toUpperCase(), brand: null, categories, leaf: categories.at(-1) ?? null, price: 10, inStock: true, hidden: false, variantGroup: null, createdAtMs: NOW - 365 * DAY, ...o };
};

beforeEach(() => {
  jest.useFakeTimers({ now: NOW });
});
afterEach(() => {
  jest.useRealTimers();
});

function snapshot(): CatalogSnapshot {
  const c = new CatalogSnapshot();
  c.setProduct(product('phone', { category: 'Electronics > Phones' }));
  c.setProduct(product('case', { category: 'Electronics > Accessories' }));
  c.setProduct(product('fridge', { category: 'Home > Appliances' }));
  c.setProduct(product('gone', { category: 'Electronics > Phones', inStock: false }));
  c.setProduct(product('secret', { category: 'Electronics > Phones', hidden: true }));
  c.setPopularity('', 'phone', { heat: 10, orders: 5 });
  c.setPopularity('', 'case', { heat: 12, orders: 9 });
  c.setPopularity('', 'fridge', { heat: 8, orders: 0 });
  c.setPopularity('', 'gone', { heat: 99, orders: 99 });
  c.setPopularity('', 'secret', { heat: 98, orders: 98 });
  c.setPopularity('', 'deleted', { heat: 97, orders: 97 });
  c.setPopularity('country:GB', 'fridge', { heat: 5, orders: 1 });
  c.setPopularity('country:GB', 'phone', { heat: 4, orders: 1 });
  return c;
}

describe('productOf', () => {
  it('maps a row, its leaf the longest category path', () => {
    const created = new Date(NOW - DAY);
    expect(
      productOf({ product_id: 'p', title: 'P', brand: 'B', categories: ['a', 'a > b'], price: 3, in_stock: true, hidden: false, variant_group: 'g', created_at: created, revision: '7' }),
    ).toEqual({ id: 'p', title: 'P', brand: 'B', categories: ['a', 'a > b'], leaf: 'a > b', price: 3, inStock: true, hidden: false, variantGroup: 'g', createdAtMs: NOW - DAY });
  });
});

describe('CatalogSnapshot', () => {
  it('showable: known, in stock and not hidden', () => {
    const c = snapshot();
    expect(c.showable('phone')?.id).toBe('phone');
    expect(c.showable('gone')).toBeUndefined();
    expect(c.showable('secret')).toBeUndefined();
    expect(c.showable('deleted')).toBeUndefined();
    c.deleteProduct('phone');
    expect(c.showable('phone')).toBeUndefined();
  });

  it('heat and orders default to -Infinity and 0', () => {
    const c = snapshot();
    expect(c.heat('case')).toBe(12);
    expect(c.heat('fridge', 'country:GB')).toBe(5);
    expect(c.heat('case', 'country:GB')).toBe(-Infinity);
    expect(c.heat('nope')).toBe(-Infinity);
    expect(c.heat('case', 'country:FR')).toBe(-Infinity);
    expect(c.orders('case')).toBe(9);
    expect(c.orders('nope')).toBe(0);
  });

  it('trending: showable products of a scope by heat, optionally within a category (sub-categories included), cut at max', () => {
    const c = snapshot();
    expect(c.trending()).toEqual(['case', 'phone', 'fridge']);
    expect(c.trending('country:GB')).toEqual(['fridge', 'phone']);
    expect(c.trending('country:FR')).toEqual([]);
    expect(c.trending('', 'electronics')).toEqual(['case', 'phone']);
    expect(c.trending('', 'electronics > phones')).toEqual(['phone']);
    expect(c.trending('', 'Electronics')).toEqual([]); // categories are matched normalized; callers normalize
    expect(c.trending('', undefined, 2)).toEqual(['case', 'phone']);
    expect(c.trending('', undefined, 1)).toEqual(['case']);
    expect(c.trending('', undefined, 2_000)).toEqual(['case', 'phone', 'fridge']);
    expect(c.trending('country:GB', 'home')).toEqual(['fridge']);
  });

  it('bestSellers: showable products with orders, by orders', () => {
    const c = snapshot();
    expect(c.bestSellers()).toEqual(['case', 'phone']);
    expect(c.bestSellers(1)).toEqual(['case']);
    expect(new CatalogSnapshot().bestSellers()).toEqual([]);
  });

  it('newArrivals: showable products created in the last `days`, newest first (the edge included)', () => {
    const c = new CatalogSnapshot();
    c.setProduct(product('old', { createdAtMs: NOW - 31 * DAY }));
    c.setProduct(product('edge', { createdAtMs: NOW - 30 * DAY }));
    c.setProduct(product('new', { createdAtMs: NOW - DAY }));
    c.setProduct(product('newest', { createdAtMs: NOW - 1000 }));
    c.setProduct(product('hidden', { createdAtMs: NOW, hidden: true }));
    c.setProduct(product('sold-out', { createdAtMs: NOW, inStock: false }));
    expect(c.newArrivals(30)).toEqual(['newest', 'new', 'edge']);
    expect(c.newArrivals(7)).toEqual(['newest', 'new']);
    expect(c.newArrivals(30, 1)).toEqual(['newest']);
  });

  it('store-wide trending and best sellers follow every change; other lists are cached for RANK_TTL_MS', () => {
    const c = snapshot();
    expect(c.trending()).toEqual(['case', 'phone', 'fridge']);
    expect(c.bestSellers()).toEqual(['case', 'phone']);
    expect(c.newArrivals(30)).toEqual([]);
    expect(c.trending('', 'home')).toEqual(['fridge']);
    c.setPopularity('', 'fridge', { heat: 50, orders: 50 });
    c.setProduct(product('fresh', { createdAtMs: NOW }));
    // Kept sorted as the numbers change.
    expect(c.trending()).toEqual(['fridge', 'case', 'phone']);
    expect(c.bestSellers()).toEqual(['fridge', 'case', 'phone']);
    // Derived lists wait for their cache to expire.
    jest.advanceTimersByTime(RANK_TTL_MS - 1);
    expect(c.newArrivals(30)).toEqual([]);
    expect(c.trending('', 'electronics')).toEqual(['case', 'phone']);
    jest.advanceTimersByTime(1);
    expect(c.newArrivals(30)).toEqual(['fresh']);
  });

  it('a sold-out product leaves the store-wide lists at once, and comes back in stock', () => {
    const c = snapshot();
    c.setProduct(product('case', { inStock: false }));
    expect(c.trending()).toEqual(['phone', 'fridge']);
    expect(c.bestSellers()).toEqual(['phone']);
    c.setProduct(product('case'));
    expect(c.trending()).toEqual(['case', 'phone', 'fridge']);
  });

  it('deep lists are cut at max, shallow and deep asks alike', () => {
    const c = new CatalogSnapshot();
    for (let i = 0; i < 1_200; i++) {
      const id = `p${String(i).padStart(4, '0')}`;
      c.setProduct(product(id));
      c.setPopularity('', id, { heat: i % 7, orders: 0 });
    }
    const expected = [...c.products.keys()].sort((a, b) => (Number(b.slice(1)) % 7) - (Number(a.slice(1)) % 7) || (a < b ? -1 : 1));
    expect(expected).toHaveLength(1_200);
    expect(c.trending('', undefined, 3)).toEqual(expected.slice(0, 3));
    expect(c.trending('', undefined, 500)).toEqual(expected.slice(0, 500));
    expect(c.trending('', undefined, 501)).toEqual(expected.slice(0, 501));
    expect(c.trending('', undefined, 1_100)).toEqual(expected.slice(0, 1_100));
    expect(c.trending('', undefined, 2_000)).toEqual(expected);
    expect(c.trending('', undefined, 3)).toEqual(expected.slice(0, 3));
  });

  it('a cached category list is the same array until it expires', () => {
    const c = snapshot();
    const first = c.trending('', 'electronics');
    expect(c.trending('', 'electronics')).toBe(first);
    jest.advanceTimersByTime(RANK_TTL_MS);
    expect(c.trending('', 'electronics')).not.toBe(first);
  });

  it('new arrivals age out with the clock once the cache expires', () => {
    const c = new CatalogSnapshot();
    c.setProduct(product('p', { createdAtMs: NOW - 29 * DAY }));
    expect(c.newArrivals(30)).toEqual(['p']);
    jest.advanceTimersByTime(2 * DAY);
    expect(c.newArrivals(30)).toEqual([]);
  });
});
