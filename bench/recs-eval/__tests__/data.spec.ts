import { ItemKnnRecommender, PopularityRecommender, invoiceCounts } from '../baselines';
import { CsvRecordJoiner, parseCsvRecord } from '../csv';
import { normalizeStockCode, parseCustomerId, parseInvoiceDate } from '../data';
import { temporalSplit } from '../split';
import { boughtTogetherCases, nextPurchaseCases } from '../tasks';
import type { Invoice } from '../types';

describe('recs-eval parsing and cleaning', () => {
  it('parses quoted fields with commas and doubled quotes', () => {
    expect(parseCsvRecord('536477,22041,"RECORD FRAME 7"" SINGLE SIZE ",48')).toEqual(['536477', '22041', 'RECORD FRAME 7" SINGLE SIZE ', '48']);
    expect(parseCsvRecord('a,"b,c",,d')).toEqual(['a', 'b,c', '', 'd']);
  });

  it('joins a record whose quoted field spans lines', () => {
    const j = new CsvRecordJoiner();
    expect(j.push('1,"two')).toBeNull();
    expect(j.push('lines",3')).toBe('1,"two\nlines",3');
    expect(parseCsvRecord('1,"two\nlines",3')).toEqual(['1', 'two\nlines', '3']);
  });

  it('parses both date forms as UTC', () => {
    expect(parseInvoiceDate('12/1/2010 8:26')).toBe(Date.UTC(2010, 11, 1, 8, 26));
    expect(parseInvoiceDate('2010-12-01 08:26:00')).toBe(Date.UTC(2010, 11, 1, 8, 26));
    expect(parseInvoiceDate('yesterday')).toBeNull();
  });

  it('keeps product codes only, case-folded', () => {
    expect(normalizeStockCode('85123a')).toBe('85123A');
    expect(normalizeStockCode('22041')).toBe('22041');
    for (const code of ['POST', 'D', 'M', 'BANK CHARGES', 'DOT', 'CRUK', 'C2', 'AMAZONFEE', 'gift_0001_20', 'DCGS0003']) {
      expect(normalizeStockCode(code)).toBeNull();
    }
    expect(parseCustomerId('17850.0')).toBe(17850);
    expect(parseCustomerId('')).toBeNull();
  });
});

describe('recs-eval split, tasks and baselines', () => {
  const d = (day: number): number => Date.UTC(2011, 0, day, 12);
  const inv = (invoiceNo: string, day: number, customerId: number | null, items: string[]): Invoice => ({ invoiceNo, customerId, at: d(day), country: 'X', items });
  const invoices = [
    inv('1', 1, 7, ['a', 'b']),
    inv('2', 2, 8, ['a', 'b', 'c']),
    inv('3', 3, null, ['a', 'c']),
    inv('4', 40, 7, ['a', 'c']),
    inv('5', 41, 7, ['d']),
  ];

  it('tests on the last N days from the start of the last day', () => {
    const s = temporalSplit(invoices, 30);
    expect(s.cutoff).toBe(Date.UTC(2011, 0, 11));
    expect(s.train.map((i) => i.invoiceNo)).toEqual(['1', '2', '3']);
    expect(s.test.map((i) => i.invoiceNo)).toEqual(['4', '5']);
  });

  it('builds cases that exclude what the shopper already has', () => {
    const s = temporalSplit(invoices, 30);
    const bt = boughtTogetherCases(s.test, 42);
    expect(bt).toHaveLength(1);
    expect([...bt[0].relevant, ...bt[0].input.items].sort()).toEqual(['a', 'c']);
    const np = nextPurchaseCases(s.train, s.test);
    expect(np).toHaveLength(1);
    expect([...np[0].relevant]).toEqual(['c']); // 'a' was a re-buy
    expect([...np[0].exclude].sort()).toEqual(['a', 'b']);
  });

  it('ranks by popularity and by co-occurrence cosine', () => {
    const train = invoices.slice(0, 3);
    const counts = invoiceCounts(train);
    expect(new PopularityRecommender(counts).recommend({ items: [] }, 2, new Set(['a']))).toEqual(['b', 'c']);
    const knn = new ItemKnnRecommender(train, counts, { neighbours: 200, backfill: false });
    // cos(b,a) = 2/sqrt(2*3) = 0.816, cos(b,c) = 1/sqrt(2*2) = 0.5
    expect(knn.recommend({ items: ['b'] }, 10, new Set(['b']))).toEqual(['a', 'c']);
    expect(knn.recommend({ items: ['zzz'] }, 10, new Set())).toEqual([]);
  });
});
