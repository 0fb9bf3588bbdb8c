import { EnrichedEvent, EVENT_PROPERTIES, Validator, profileIdFor } from '@signal/contracts';
import { prng } from '../../common';
import type { EvalProduct, Sale } from '../catalog';
import { CompletionCounts, queryFor, sampleSearches, searchSessionEvents, shortPhrase, shortPhrases, splitTime } from '../searchlog';

const product = (productId: string, query: string): EvalProduct => ({ productId, title: query.toUpperCase(), query, price: 2.5, firstAt: 0, orders: 1 });
const sale = (at: number, productId: string): Sale => ({ at, invoiceNo: `i${at}`, productId, quantity: 6, price: 2.55 });

describe('search-eval search log', () => {
  it('finds short phrases that start and end with a content word', () => {
    const p = shortPhrases('set of 3 cake tins pantry design');
    expect(p.get(1)).toEqual(['cake', 'tins', 'pantry']);
    expect(p.get(2)).toEqual(['cake tins', 'tins pantry']);
    expect(p.get(3)).toEqual(['cake tins pantry']);
    expect(shortPhrases('white hanging heart t-light holder').get(3)).toEqual(['white hanging heart', 'heart t-light holder']); // inner words may be anything
    expect(shortPhrases('set of 3').size).toBe(0);
  });

  it('draws a short phrase of 1-3 words, or none for a title without content words', () => {
    const r = prng(1);
    const seen = new Set<number>();
    for (let i = 0; i < 300; i++) {
      const s = shortPhrase('jumbo bag red retrospot', r) as string;
      expect('jumbo bag red retrospot').toContain(s);
      seen.add(s.split(' ').length);
    }
    expect([...seen].sort()).toEqual([1, 2, 3]);
    expect(shortPhrase('set of 3', r)).toBeNull();
  });

  it('searches full titles about fullShare of the time, and a title without content words in full', () => {
    const r = prng(2);
    const p = product('1', 'jumbo bag red retrospot');
    let full = 0;
    for (let i = 0; i < 2000; i++) if (queryFor(p, r, 0.3).kind === 'full') full++;
    expect(full / 2000).toBeGreaterThan(0.25);
    expect(full / 2000).toBeLessThan(0.35);
    expect(queryFor(product('2', 'set of 3'), r, 0)).toEqual({ query: 'set of 3', kind: 'full' });
  });

  it('samples sales of a window uniformly, in time order, deterministically', () => {
    const products = new Map([['a', product('a', 'heart lantern')], ['b', product('b', 'cake tin')]]);
    const sales = Array.from({ length: 100 }, (_, i) => sale(i, i % 2 ? 'a' : 'b'));
    const one = sampleSearches(sales, products, { from: 10, to: 60, count: 20, fullShare: 0.5, rand: prng(3) });
    expect(one).toHaveLength(20);
    expect(one).toEqual(sampleSearches(sales, products, { from: 10, to: 60, count: 20, fullShare: 0.5, rand: prng(3) }));
    expect(one.every((s) => s.at >= 10 && s.at < 60)).toBe(true);
    expect(one.map((s) => s.at)).toEqual([...one.map((s) => s.at)].sort((x, y) => x - y));
    expect(new Set(one.map((s) => s.at)).size).toBe(20);
    expect(sampleSearches(sales, products, { from: 95, to: 200, count: 20, fullShare: 0.5, rand: prng(3) })).toHaveLength(5);
    expect(splitTime(0, 1000, 0.8)).toBe(800);
  });

  it('sends a search, a click of the product and maybe a purchase, as valid enriched events', () => {
    const s = { at: Date.UTC(2011, 5, 1, 12), productId: '85123A', query: 'hanging heart', kind: 'short' as const, sale: { ...sale(0, '85123A'), at: Date.UTC(2011, 5, 1, 12) } };
    const msgs = searchSessionEvents(s, 7, { storeId: 'bench-se-1', runTag: 'r1', shiftMs: 1000, purchase: true });
    expect(msgs.map((m) => m.event.type)).toEqual(['search', 'search_result_click', 'purchase']);
    const enriched = new Validator(EnrichedEvent);
    for (const m of msgs) {
      expect(enriched.validate(m.event)).toEqual({ ok: true, value: m.event });
      expect(new Validator(EVENT_PROPERTIES[m.event.type]).validate(m.event.properties).ok).toBe(true);
      expect(m.key).toBe(`bench-se-1:${profileIdFor('bench-se-1', { anonymousId: 'se-r1-v7' })}`);
    }
    expect(msgs[0].event.properties).toEqual({ query: 'hanging heart', searchId: 'se-r1-s7' });
    expect(msgs[1].event.properties).toEqual({ productId: '85123A', position: 0, searchId: 'se-r1-s7', query: 'hanging heart' });
    expect(msgs[2].event.properties).toMatchObject({ items: [{ productId: '85123A', quantity: 6, price: 2.55 }], value: 15.3, currency: 'GBP' });
    expect(Date.parse(msgs[0].event.occurredAt)).toBe(s.at + 1000 - 180_000);
    expect(Date.parse(msgs[2].event.occurredAt)).toBe(s.at + 1000 - 60_000);
    expect(new Set(msgs.map((m) => m.event.eventId)).size).toBe(3);
    expect(searchSessionEvents(s, 7, { storeId: 'bench-se-1', runTag: 'r1', shiftMs: 1000, purchase: false })).toHaveLength(2);
  });

  it('completes a prefix with the most frequent logged queries', () => {
    const c = new CompletionCounts();
    for (const q of ['heart', 'heart', 'heart', 'hanging heart', 'hanging heart', 'holder', 'lantern']) c.add(q);
    expect(c.top('h', 10)).toEqual(['heart', 'hanging heart', 'holder']);
    expect(c.top('h', 2)).toEqual(['heart', 'hanging heart']);
    expect(c.top('ha', 10)).toEqual(['hanging heart']);
    expect(c.top('x', 10)).toEqual([]);
    c.add('holder');
    c.add('holder');
    c.add('holder');
    expect(c.top('h', 1)).toEqual(['holder']);
    expect(c.has('lantern')).toBe(true);
    expect(c.size).toBe(4);
  });
});
