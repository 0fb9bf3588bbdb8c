import { RECOMMENDATION_LIMITS, TrackedEvent, EVENT_PROPERTIES, ProductInput, Validator } from '@signal/contracts';
import { PURCHASE_LIMITS, addLine, anonymousIdOf, batches, buildCatalog, emptyLineDetails, median, mostFrequent, purchaseEvents, shiftedIso, timeShift } from '../replay';
import type { Invoice } from '../types';

const COL = { InvoiceNo: 0, StockCode: 1, Description: 2, Quantity: 3, InvoiceDate: 4, UnitPrice: 5, CustomerID: 6, Country: 7 };
const row = (inv: string, code: string, desc: string, qty: string, date: string, price: string, customer = '17850.0') => [inv, code, desc, qty, date, price, customer, 'United Kingdom'];

const events = new Validator(TrackedEvent);
const purchase = new Validator(EVENT_PROPERTIES.purchase);
const product = new Validator(ProductInput);

describe('replay: time shift', () => {
  const cutoff = Date.UTC(2011, 10, 9);

  it('puts the cutoff one minute (rounded down to a second) before now', () => {
    const now = Date.UTC(2025, 10, 25, 10, 30, 12, 345);
    const shift = timeShift(cutoff, now);
    expect(shift % 1000).toBe(0);
    expect(cutoff + shift).toBe(Date.UTC(2025, 10, 25, 10, 29, 12));
    expect(shiftedIso(cutoff - 60_000, shift)).toBe('2025-11-25T10:28:12.000Z');
  });

  it('keeps every train event in the past and within 400 days for the data span', () => {
    const now = Date.now();
    const shift = timeShift(cutoff, now);
    const lastTrain = Date.UTC(2011, 10, 8, 20, 1);
    const firstTrain = Date.UTC(2010, 11, 1, 8, 26);
    expect(lastTrain + shift).toBeLessThan(now - 60_000);
    expect(now - (firstTrain + shift)).toBeLessThan(400 * 86_400_000);
  });
});

describe('replay: line details (same cleaning as data.ts)', () => {
  it('keeps what loadInvoices keeps and sums repeated lines', () => {
    const d = emptyLineDetails();
    const kept = [
      row('536365', '85123A', 'WHITE HANGING HEART', '6', '2010-12-01 08:26:00', '2.55'),
      row('536365', '85123a', 'WHITE HANGING HEART T-LIGHT', '4', '2010-12-01 08:26:00', '2.95'),
      row('536366', '85123A', 'WHITE HANGING HEART', '2', '2010-12-01 08:28:00', '2.55', ''),
    ].map((f) => addLine(d, f, COL));
    const dropped = [
      row('C536379', '85123A', 'X', '1', '2010-12-01 09:41:00', '2.55'),
      row('536367', '85123A', 'X', '-1', '2010-12-01 09:41:00', '2.55'),
      row('536367', '85123A', 'X', '1', '2010-12-01 09:41:00', '0'),
      row('536367', 'POST', 'POSTAGE', '1', '2010-12-01 09:41:00', '18'),
      row('536367', '85123A', 'X', '1', 'yesterday', '2.55'),
    ].map((f) => addLine(d, f, COL));
    expect(kept).toEqual([true, true, true]);
    expect(dropped).toEqual([false, false, false, false, false]);
    expect(d.lines.get('536365')?.get('85123A')).toEqual({ quantity: 10, value: 6 * 2.55 + 4 * 2.95 });
    expect(d.prices.get('85123A')).toEqual([2.55, 2.95, 2.55]);
    expect(mostFrequent(d.descriptions.get('85123A'))).toBe('WHITE HANGING HEART');
  });

  it('median and most frequent are deterministic', () => {
    expect(median([3, 1, 2])).toBe(2);
    expect(median([4, 1, 2, 3])).toBe(2.5);
    expect(median([])).toBeNaN();
    expect(mostFrequent(new Map([['B', 2], ['A', 2], ['C', 1]]))).toBe('A');
    expect(mostFrequent(undefined)).toBeUndefined();
  });
});

describe('replay: catalog', () => {
  const cutoff = Date.UTC(2011, 10, 9);
  const shift = timeShift(cutoff, Date.UTC(2025, 0, 1, 12));
  const invoices: Invoice[] = [
    { invoiceNo: '1', customerId: 1, at: Date.UTC(2011, 0, 1), country: 'UK', items: ['22222', '11111'] },
    { invoiceNo: '2', customerId: null, at: Date.UTC(2011, 5, 1), country: 'UK', items: ['11111', '33333'] },
    { invoiceNo: '3', customerId: 2, at: Date.UTC(2011, 11, 1), country: 'UK', items: ['44444'] },
  ];
  const d = emptyLineDetails();
  d.descriptions.set('11111', new Map([['MUG', 3]]));
  d.prices.set('11111', [1, 2, 10]);
  d.prices.set('22222', [5]);
  d.prices.set('33333', [0.5, 1.5]);
  d.descriptions.set('44444', new Map([['NEW THING', 1]]));
  d.prices.set('44444', [7]);

  it('lists every item (train and test) with median price, GBP, createdAt at its first sale, capped at the cutoff', () => {
    const products = buildCatalog(invoices, d, shift, cutoff);
    expect(products.map((p) => p.productId)).toEqual(['11111', '22222', '33333', '44444']);
    expect(products[0]).toEqual({ productId: '11111', title: 'MUG', categories: [], price: 2, currency: 'GBP', inStock: true, createdAt: shiftedIso(Date.UTC(2011, 0, 1), shift) });
    expect(products[1].title).toBe('22222'); // no description: the code
    expect(products[2].price).toBe(1);
    expect(products[2].createdAt).toBe(shiftedIso(Date.UTC(2011, 5, 1), shift));
    // first sold in the test window: listed just before the (shifted) cutoff, not in the future
    expect(products[3].createdAt).toBe(shiftedIso(cutoff - 60_000, shift));
    for (const p of products) expect(product.validate(p).ok).toBe(true);
  });
});

describe('replay: purchase events', () => {
  const shift = 1_000_000;
  const lines = new Map([
    ['85123A', { quantity: 10, value: 6 * 2.55 + 4 * 2.95 }],
    ['22041', { quantity: 80_995, value: 80_995 * 2.08 }],
  ]);

  it('builds one valid purchase per invoice, deterministic ids, customer or guest', () => {
    const inv: Invoice = { invoiceNo: '536365', customerId: 17850, at: Date.UTC(2010, 11, 1, 8, 26), country: 'UK', items: ['85123A', '22041'] };
    const [e, ...rest] = purchaseEvents(inv, lines, shift);
    expect(rest).toHaveLength(0);
    expect(e).toEqual({
      eventId: 'uci-536365',
      type: 'purchase',
      occurredAt: new Date(inv.at + shift).toISOString(),
      anonymousId: 'uci-c17850',
      customerId: '17850',
      properties: {
        orderId: '536365',
        value: Math.round((6 * 2.55 + 4 * 2.95 + 80_995 * 2.08) * 100) / 100,
        currency: 'GBP',
        items: [
          { productId: '85123A', quantity: 10, price: 2.71 },
          { productId: '22041', quantity: 10_000, price: 2.08 },
        ],
      },
    });
    expect(events.validate(e).ok).toBe(true);
    expect(purchase.validate(e.properties).ok).toBe(true);

    const guest = purchaseEvents({ ...inv, customerId: null }, lines, shift)[0];
    expect(guest.anonymousId).toBe('uci-guest-536365');
    expect(guest.customerId).toBeUndefined();
    expect(anonymousIdOf({ invoiceNo: '9', customerId: 12 })).toBe('uci-c12');
  });

  it('splits an invoice beyond 500 items or the byte budget into valid parts', () => {
    const items = Array.from({ length: 1106 }, (_, i) => String(10000 + i));
    const big = new Map(items.map((it) => [it, { quantity: 3, value: 3 * 1.25 }]));
    const inv: Invoice = { invoiceNo: '581219', customerId: null, at: Date.UTC(2011, 11, 8), country: 'UK', items };
    const parts = purchaseEvents(inv, big, shift);
    expect(parts.length).toBeGreaterThanOrEqual(3);
    expect(parts.map((p) => p.eventId).slice(0, 2)).toEqual(['uci-581219', 'uci-581219-2']);
    expect(parts.map((p) => (p.properties as { orderId: string }).orderId).slice(0, 2)).toEqual(['581219', '581219-2']);
    const all = parts.flatMap((p) => (p.properties as { items: { productId: string }[] }).items.map((x) => x.productId));
    expect(all).toEqual(items);
    const total = parts.reduce((s, p) => s + (p.properties as { value: number }).value, 0);
    expect(total).toBeCloseTo(1106 * 3.75, 6);
    for (const p of parts) {
      expect(events.validate(p).ok).toBe(true);
      expect(purchase.validate(p.properties).ok).toBe(true);
      expect(Buffer.byteLength(JSON.stringify(p))).toBeLessThanOrEqual(PURCHASE_LIMITS.maxEventBytes);
    }
  });

  it('refuses an invoice item without a line (the two loaders disagree)', () => {
    expect(() => purchaseEvents({ invoiceNo: '1', customerId: null, at: 0, country: 'UK', items: ['99999'] }, lines, 0)).toThrow(/no line/);
  });

  it('batches by count and by bytes', () => {
    const values = Array.from({ length: 1201 }, (_, i) => ({ i }));
    expect(batches(values, 500, 1e9).map((b) => b.length)).toEqual([500, 500, 201]);
    const big = Array.from({ length: 5 }, () => 'x'.repeat(400));
    expect(batches(big, 500, 1000).map((b) => b.length)).toEqual([2, 2, 1]);
    expect(batches(['y'.repeat(5000)], 500, 1000)).toHaveLength(1);
    expect(batches([], 500, 1000)).toEqual([]);
    expect(RECOMMENDATION_LIMITS.maxCart).toBe(100);
  });
});
