import { TOPICS, type AutocompleteAnswer, type SearchAnswer } from '@signal/contracts';
import { enrichedEvent, eventually, product, purchase, uniqueStore } from '@signal/testing';
import { docId } from '../src/indices/index-names';
import { startSearch, type SearchHarness } from './harness';

let h: SearchHarness;
beforeAll(async () => {
  h = await startSearch();
}, 90_000);
afterAll(() => h?.close());

type Answer = SearchAnswer & { errors?: { field: string; message: string }[] };
const search = async (storeId: string, query: string) => (await h.get<Answer>(`/v1/stores/${storeId}/search?${query}`)).body;
const ids = (a: SearchAnswer) => a.hits.map((x) => x.productId);
const q = (text: string) => `q=${encodeURIComponent(text)}`;

const CATALOG = (s: string) => [
  product(s, 'heart-holder', { title: 'White Hanging Heart T-Light Holder', brand: 'Lumi', categories: ['Home > Candles'], price: 2.95, attributes: { color: 'White' } }),
  product(s, 'heart-holder-red', { title: 'Red Hanging Heart T-Light Holder', brand: 'Lumi', categories: ['Home > Candles'], price: 2.95, attributes: { color: 'Red' } }),
  product(s, 'tshirt', { title: 'Organic Cotton Tshirt', brand: 'Woven', categories: ['Clothing > Tops'], price: 19, attributes: { color: 'Blue', size: 'M' } }),
  product(s, 't-shirt-2', { title: 'Striped T Shirt', brand: 'Woven', categories: ['Clothing > Tops'], price: 24, attributes: { size: 'L' } }),
  product(s, 'creme', { title: 'Crème Brûlée Set', brand: 'Cuisine', categories: ['Home > Kitchen'], price: 30 }),
  product(s, 'mug', { title: 'Enamel Mug', brand: 'Cuisine', categories: ['Home > Kitchen'], price: 8 }),
  product(s, 'lunchbox', { title: 'Retrospot Lunch Box', brand: 'Dotcom', categories: ['Home > Kitchen'], price: 4.5, salePrice: 3.5 }),
  product(s, 'alarm', { title: 'Pink Regency Alarm Clock', brand: 'Dotcom', categories: ['Home > Clocks'], price: 3.75, inStock: false }),
  product(s, 'alarm-green', { title: 'Green Regency Alarm Clock', brand: 'Dotcom', categories: ['Home > Clocks'], price: 3.75 }),
  product(s, 'umbrella', { title: 'Spotty Umbrella', brand: 'Rainy', categories: ['Accessories > Umbrellas'], price: 12, createdAt: new Date().toISOString() }),
];

let store: string;
beforeAll(async () => {
  store = uniqueStore();
  await h.publishProducts(CATALOG(store));
  await eventually(async () => (await search(store, 'pageSize=50')).total === 10, { timeoutMs: 30_000 });
}, 60_000);

describe('typo tolerance, words and forms', () => {
  it.each([
    ['exact words', 'white hanging heart', 'heart-holder'],
    ['one typo in a word of 4+ letters', 'whte hanging heart', 'heart-holder'],
    ['a transposition', 'hanigng heart holder', 'heart-holder'],
    ['two typos in a word of 8+ letters', 'retrspto lunch box', 'lunchbox'],
    ['joined words', 'lunchbox', 'lunchbox'],
    ['split words', 'striped tshirt', 't-shirt-2'],
    ['accents', 'creme brulee', 'creme'],
    ['plurals', 'enamel mugs', 'mug'],
    ['the brand', 'cuisine mug', 'mug'],
  ])('%s: "%s" finds %s first', async (_what, text, expected) => {
    const a = await search(store, q(text));
    expect(a.hits[0]?.productId).toBe(expected);
    expect(a.fallback).toBeUndefined();
  });

  it('allows no typo in a word under 4 letters: "mgu" alone is not "mug"', async () => {
    const a = await search(store, q('mgu'));
    expect(a.fallback).toBeDefined();
  });
});

describe('ranking, facets, filters, sort and pages', () => {
  it('out-of-stock products go down, not away', async () => {
    const a = await search(store, q('regency alarm clock'));
    expect(ids(a)).toEqual(['alarm-green', 'alarm']);
  });

  it('explains each score', async () => {
    const a = await search(store, `${q('regency alarm clock')}&explain=true`);
    const out = a.hits.find((x) => x.productId === 'alarm');
    expect(out?.explain).toMatchObject({ stock: 0.25, sellsForQuery: 1, affinity: 1 });
    expect(out?.explain?.matched).toContain('query');
    const { text = 0, stock = 0, popularity = 0 } = out?.explain ?? {};
    expect(text * stock * popularity).toBeCloseTo(out?.score ?? -1, 2);
  });

  it('counts facets ignoring their own selection, and filters', async () => {
    const a = await search(store, `${q('holder')}&color=Red`);
    expect(ids(a)).toEqual(['heart-holder-red']);
    expect(a.facets.color).toEqual(expect.arrayContaining([{ value: 'white', count: 1 }, { value: 'red', count: 1 }]));
    const tops = await search(store, 'category=Clothing%20>%20Tops&size=m');
    expect(ids(tops)).toEqual(['tshirt']);
    const cheap = await search(store, 'price_max=4&sort=price_asc&in_stock=true');
    // The sale price counts: the lunch box costs 3.50, not 4.50; the out-of-stock clock is left out.
    expect(ids(cheap)).toEqual(['heart-holder', 'heart-holder-red', 'lunchbox', 'alarm-green']);
    // The price facet ignores the price filter itself: the mug (8.00) counts under 10.
    expect(cheap.facets.price.find((p) => p.to === 10)?.count).toBe(5);
  });

  it('sorts by price, newest, and pages without overlap', async () => {
    const byPrice = await search(store, 'sort=price_desc&pageSize=3');
    expect(ids(byPrice)).toEqual(['creme', 't-shirt-2', 'tshirt']);
    const newest = await search(store, 'sort=newest&pageSize=1');
    expect(ids(newest)).toEqual(['umbrella']);
    const p1 = await search(store, 'sort=price_asc&pageSize=4&page=1');
    const p2 = await search(store, 'sort=price_asc&pageSize=4&page=2');
    expect(p2.hits[0].position).toBe(4);
    expect(ids(p1).filter((x) => ids(p2).includes(x))).toEqual([]);
  });
});

describe('never an empty page', () => {
  it('relaxes the query when not every word matches', async () => {
    const a = await search(store, q('spotty umbrella with unicorns'));
    expect(a.fallback).toBe('relaxed');
    expect(ids(a)[0]).toBe('umbrella');
  });

  it('shows popular products when nothing matches at all', async () => {
    const a = await search(store, q('zzzzqqqq xxxyyy'));
    expect(a.fallback).toBe('popular');
    expect(a.hits.length).toBeGreaterThan(0);
  });
});

describe('catalog changes', () => {
  it('applies newer versions, ignores older ones, follows stock, and deletes on a tombstone', async () => {
    const s = uniqueStore();
    const t0 = Date.now();
    const at = (ms: number) => new Date(t0 + ms).toISOString();
    await h.publishProducts([product(s, 'p1', { title: 'Velvet Cushion', updatedAt: at(2000) }), product(s, 'p2', { title: 'Linen Cushion', updatedAt: at(0) })]);
    await h.publishProducts([product(s, 'p1', { title: 'Old Name', updatedAt: at(1000) })]);
    await h.publishRaw(TOPICS.CatalogInventory, [{ key: `${s}:p2`, value: JSON.stringify({ storeId: s, productId: 'p2', stockLevel: 0, inStock: false, updatedAt: at(3000) }) }]);
    await eventually(async () => (await search(s, q('cushion'))).hits.find((x) => x.productId === 'p2')?.inStock === false, { timeoutMs: 20_000 });
    expect((await search(s, q('old name'))).fallback).toBeDefined();
    expect(ids(await search(s, q('velvet')))).toEqual(['p1']);
    await h.publishRaw(TOPICS.CatalogProducts, [{ key: `${s}:p1`, value: null }]);
    await eventually(async () => !ids(await search(s, q('cushion'))).includes('p1'), { timeoutMs: 20_000 });
  });

  it('dead-letters a malformed product and keeps the good ones of the batch', async () => {
    const s = uniqueStore();
    await h.publishRaw(TOPICS.CatalogProducts, [
      { key: `${s}:bad`, value: JSON.stringify({ storeId: s, productId: 'bad', title: '' }) },
      { key: `${s}:junk`, value: '{not json' },
      { key: `${s}:good`, value: JSON.stringify(product(s, 'good', { title: 'Good Lamp' })) },
    ]);
    await eventually(async () => ids(await search(s, q('lamp'))).includes('good'), { timeoutMs: 20_000 });
  });
});

describe('zero-downtime reindex', () => {
  it('swaps the alias to a new index while searches keep answering the same', async () => {
    const before = await h.os.indices.getAlias({ name: h.names.products });
    const old = Object.keys(before.body)[0];
    let failures = 0;
    let searching = true;
    const loop = (async () => {
      while (searching) {
        const a = await h.get<Answer>(`/v1/stores/${store}/search?${q('heart holder')}`);
        if (a.status !== 200 || a.body.hits[0]?.productId !== 'heart-holder' || a.body.fallback) failures++;
      }
    })();
    const res = await h.send<{ from: string; to: string; copied: number }>('POST', '/v1/search/admin/reindex');
    searching = false;
    await loop;
    expect(res.status).toBe(200);
    expect(res.body.from).toBe(old);
    expect(res.body.copied).toBeGreaterThanOrEqual(10);
    expect(failures).toBe(0);
    const after = await h.os.indices.getAlias({ name: h.names.products });
    expect(Object.keys(after.body)).toEqual([res.body.to]);
    expect((await h.os.indices.exists({ index: old })).body).toBe(false);
    expect((await search(store, 'pageSize=50')).total).toBe(10);
  });
});

describe('autocomplete', () => {
  const complete = async (s: string, query: string) => (await h.get<AutocompleteAnswer>(`/v1/stores/${s}/autocomplete?${query}`)).body;

  it('suggests catalog phrases and products from the first letters, typos allowed on longer prefixes', async () => {
    const a = await complete(store, q('reg'));
    expect(a.suggestions.map((x) => x.query)).toEqual(expect.arrayContaining(['pink regency alarm clock']));
    expect(a.products.map((p) => p.productId)).toEqual(expect.arrayContaining(['alarm-green']));
    const typo = await complete(store, q('regnecy'));
    expect(typo.products.map((p) => p.productId)).toContain('alarm-green');
    expect(a.searchId).toMatch(/[0-9a-f-]{36}/);
  });

  it('gives trending searches for an empty query: rising now over all-time top', async () => {
    const s = uniqueStore();
    const hour = Date.now() / 3_600_000;
    // "umbrella": many searches a month ago; "sunscreen": fewer, but in the last hour.
    const heat = (n: number, hoursAgo: number, hl: number) => Math.log2(n) + (hour - hoursAgo) / hl;
    await h.os.bulk({
      refresh: true,
      body: [
        { index: { _index: h.names.queries, _id: docId(s, 'umbrella') } },
        { storeId: s, query: 'umbrella', searches: 500, heatShort: heat(500, 24 * 30, 6), heatLong: heat(500, 24 * 30, 168) },
        { index: { _index: h.names.queries, _id: docId(s, 'sunscreen') } },
        { storeId: s, query: 'sunscreen', searches: 40, heatShort: heat(40, 1, 6), heatLong: heat(40, 1, 168) },
      ],
    });
    const a = await complete(s, 'q=');
    expect(a.suggestions.map((x) => x.query)).toEqual(['sunscreen', 'umbrella']);
    expect(a.suggestions[0].trending).toBe(true);
  });
});

describe('bad input', () => {
  it.each([
    ['unknown parameter', 'q=mug&foo=1', 'foo'],
    ['huge page size', 'q=mug&pageSize=100000', 'pageSize'],
    ['page beyond the window', 'q=mug&pageSize=100&page=101', 'page'],
    ['non-numeric page', 'q=mug&page=abc', 'page'],
    ['unknown sort', 'q=mug&sort=random', 'sort'],
    ['repeated q', 'q=mug&q=cup', 'q'],
    ['operator injection', 'q[$ne]=x', 'q[$ne]'],
    ['inverted price range', 'price_min=10&price_max=5', 'price_min'],
    ['too many filter values', Array.from({ length: 21 }, (_, i) => `brand=b${i}`).join('&'), 'brand'],
  ])('%s → 400 naming %s', async (_what, query, field) => {
    const res = await h.get<Answer>(`/v1/stores/${store}/search?${query}`);
    expect(res.status).toBe(400);
    expect(res.body.errors?.map((e) => e.field)).toContain(field);
  });

  it('a bad store id is a 400', async () => {
    expect((await h.get('/v1/stores/Bad%20Store/search?q=x')).status).toBe(400);
  });

  it.each([
    ['query DSL as text', '{"query":{"match_all":{}}}'],
    ['script-looking text', "doc['price'].value * 1000"],
    ['regex and wildcards', '.*?(a|b)+ * ~2 ^10'],
    ['binary', '\u0000\u0001\u0002\u00ff\ufffd'],
    ['an oversized query', 'holder '.repeat(2000)],
    ['lucene syntax', 'title:heart AND NOT brand:x OR _exists_:price'],
  ])('%s is searched as text, never as DSL', async (_what, text) => {
    const res = await h.get<Answer>(`/v1/stores/${store}/search?${q(text.slice(0, 4000))}`);
    expect(res.status).toBe(200);
    expect(res.body.query.length).toBeLessThanOrEqual(256);
    expect(res.body.hits.length).toBeGreaterThan(0);
  });
});

describe('learning from behaviour', () => {
  it('a product bought after a search rises for that query', async () => {
    const s = uniqueStore();
    await h.publishProducts([product(s, 'lamp-a', { title: 'Brass Desk Lamp' }), product(s, 'lamp-b', { title: 'Desk Lamp, Brass Finish' })]);
    await eventually(async () => (await search(s, q('desk lamp'))).total === 2, { timeoutMs: 20_000 });
    const before = ids(await search(s, q('desk lamp')));
    const loser = before[1];
    for (const shopper of ['b1', 'b2']) {
      const a = await search(s, `${q('desk lamp')}&anonymousId=${shopper}`);
      await h.publish([
        enrichedEvent({ storeId: s, anonymousId: shopper, type: 'search', properties: { query: 'desk lamp', searchId: a.searchId, resultsCount: a.total } }),
        enrichedEvent({ storeId: s, anonymousId: shopper, type: 'search_result_click', properties: { productId: loser, position: 1, searchId: a.searchId, query: 'desk lamp' } }),
        purchase(s, { anonymousId: shopper }, [loser]),
      ]);
    }
    const after = await eventually(async () => {
      const a = await search(s, `${q('desk lamp')}&explain=true`);
      return a.hits[0]?.productId === loser ? a : null;
    }, { timeoutMs: 20_000 });
    expect(after.hits[0].explain?.sellsForQuery).toBeGreaterThan(1);
  });

  it('uses a rewrite learned from reformulations', async () => {
    const s = uniqueStore();
    await h.publishProducts([product(s, 'pouf', { title: 'Knitted Pouf' })]);
    await eventually(async () => (await search(s, q('pouf'))).total === 1, { timeoutMs: 20_000 });
    expect((await search(s, q('footstool'))).fallback).toBeDefined();
    for (const shopper of ['r1', 'r2']) {
      const t = (sec: number) => new Date(Date.now() - 60_000 + sec * 1000).toISOString();
      await h.publish([
        enrichedEvent({ storeId: s, anonymousId: shopper, type: 'search', occurredAt: t(0), properties: { query: 'footstool', resultsCount: 0 } }),
        enrichedEvent({ storeId: s, anonymousId: shopper, type: 'search', occurredAt: t(10), properties: { query: 'pouf', resultsCount: 1 } }),
        enrichedEvent({ storeId: s, anonymousId: shopper, type: 'search_result_click', occurredAt: t(15), properties: { productId: 'pouf', position: 0, query: 'pouf' } }),
      ]);
    }
    const a = await eventually(async () => {
      const r = await search(s, q('footstool'));
      return r.fallback === undefined ? r : null;
    }, { timeoutMs: 20_000 });
    expect(ids(a)).toEqual(['pouf']);
    expect(a.rewrites).toContain('pouf');
  });
});
