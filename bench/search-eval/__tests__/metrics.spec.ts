import { buildProducts, equivalents } from '../catalog';
import { MrrAccumulator, SearchAccumulator, distinctTop, firstRank, percentileSorted, reciprocalRank } from '../metrics';
import type { Invoice } from '../../recs-eval/types';

describe('search-eval metrics', () => {
  it('finds the first hit among equivalent products', () => {
    expect(firstRank(['a', 'b', 'c'], new Set(['c', 'b']))).toBe(1);
    expect(firstRank(['a'], new Set(['x']))).toBe(-1);
  });

  it('counts top-1, top-5, first page, empty pages and failures apart', () => {
    const acc = new SearchAccumulator();
    const eq = new Set(['p', 'p2']);
    expect(acc.add({ ok: true, hits: ['p', 'x'] }, eq)).toBe(0);
    expect(acc.add({ ok: true, hits: ['x', 'y', 'z', 'w', 'p2'] }, eq)).toBe(4);
    expect(acc.add({ ok: true, hits: ['1', '2', '3', '4', '5', 'p'] }, eq)).toBe(5);
    expect(acc.add({ ok: true, hits: [], fallback: 'popular' }, eq)).toBe(-1);
    expect(acc.add({ ok: false, hits: [] }, eq)).toBe(-1);
    expect(acc.add({ ok: true, hits: ['q'], fallback: 'relaxed' }, eq)).toBe(-1);
    const m = acc.result();
    expect(m).toMatchObject({ n: 6, top1: 1, top5: 2, top24: 3, empty: 1, failed: 1, fallbacks: { popular: 1, relaxed: 1 } });
    expect(m.top5Share).toBeCloseTo(2 / 6);
  });

  it('takes the reciprocal rank of the intended query after normalizing both', () => {
    expect(reciprocalRank(['heart', 'Hanging Heart', 'holder'], 'hanging heart')).toBe(0.5);
    expect(reciprocalRank(['T-Light Holder'], 't-light holder')).toBe(1);
    expect(reciprocalRank([], 'heart')).toBe(0);
    const acc = new MrrAccumulator();
    acc.add(['a', 'b'], 'a');
    acc.add(['a', 'b'], 'b');
    acc.add(['a', 'b'], 'c');
    acc.add(null, 'a');
    expect(acc.result()).toEqual({ n: 4, mrr: (1 + 0.5) / 4, found: 0.5, first: 0.25, failed: 1 });
  });

  it('keeps distinct values in order and takes nearest-rank percentiles', () => {
    expect(distinctTop(['a', 'b', 'a', 'c', 'd'], 3)).toEqual(['a', 'b', 'c']);
    const s = Array.from({ length: 100 }, (_, i) => i + 1);
    expect(percentileSorted(s, 50)).toBe(50);
    expect(percentileSorted(s, 99)).toBe(99);
    expect(percentileSorted([7], 99)).toBe(7);
    expect(percentileSorted([], 50)).toBeNaN();
  });
});

describe('search-eval catalog', () => {
  const inv = (invoiceNo: string, at: number, items: string[]): Invoice => ({ invoiceNo, customerId: null, at, country: 'United Kingdom', items });

  it('titles each product with its most frequent description and skips fees and blank titles', () => {
    const invoices = [inv('1', 10, ['85123A', '23444', '22016']), inv('2', 20, ['85123A', '90000', '85123B'])];
    const descriptions = new Map<string, Map<string, number>>([
      ['85123A', new Map([['WHITE HANGING HEART T-LIGHT HOLDER', 5], ['CREAM HANGING HEART T-LIGHT HOLDER', 1]])],
      ['85123B', new Map([['WHITE  HANGING HEART T-LIGHT HOLDER ', 2]])],
      ['23444', new Map([['Next Day Carriage', 3]])],
      ['22016', new Map([['Dotcomgiftshop Gift Voucher £100.00', 1]])],
      ['90000', new Map()],
    ]);
    const prices = new Map([['85123A', [2.55, 2.95, 2.55]], ['85123B', [3]], ['23444', [15]], ['22016', [83.33]], ['90000', [1]]]);
    const { products, skipped } = buildProducts(invoices, { descriptions, prices });
    expect(products.map((p) => [p.productId, p.title, p.query, p.price, p.firstAt, p.orders])).toEqual([
      ['85123A', 'WHITE HANGING HEART T-LIGHT HOLDER', 'white hanging heart t-light holder', 2.55, 10, 2],
      ['85123B', 'WHITE HANGING HEART T-LIGHT HOLDER', 'white hanging heart t-light holder', 3, 20, 1],
    ]);
    expect(skipped.map((s) => s.productId)).toEqual(['22016', '23444', '90000']);
    const eq = equivalents(products);
    expect([...(eq.get('85123A') ?? [])].sort()).toEqual(['85123A', '85123B']);
  });
});
