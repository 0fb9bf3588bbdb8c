import { categoryPaths } from '../../catalog/categories';
import { contentNeighbours, featuresOf, type ProductText } from '../content';

const product = (title: string, categories: string[], brand: string | null = null, attributes: Record<string, string> = {}): ProductText => ({
  title,
  brand,
  categories: categoryPaths(categories),
  attributes,
});
const ids = (nb: { items: Int32Array } | null) => (nb ? Array.from(nb.items) : null);

const PHONES = 'Electronics > Phones';
const ACCESSORIES = 'Electronics > Phone Accessories';

describe('featuresOf', () => {
  it('title words (no stop words or single letters), every category level, brand and attributes, prefixed by what they are', () => {
    expect(featuresOf(product('The Apple Pie-Dish, set of 2 x 20cm', ['Home > Kitchen'], 'Apple', { Material: 'Ceramic' })).sort()).toEqual(
      ['attr:material=ceramic', 'brand:apple', 'cat:home', 'cat:home > kitchen', 'w:20cm', 'w:apple', 'w:dish', 'w:pie'].sort(),
    );
  });

  it('leaves colours and sizes out, whatever their spelling', () => {
    const f = featuresOf(product('Tee', [], null, { color: 'Red', Colour: 'Blue', SIZE: 'M', size: 'L', fit: 'Slim' }));
    expect(f).toEqual(['w:tee', 'attr:fit=slim']);
  });

  it('keeps non-Latin words, lower-cased and deduped; one-character words are dropped', () => {
    expect(featuresOf(product('Чай ЧАЙ 茶 café', []))).toEqual(['w:чай', 'w:café']);
  });
});

describe('contentNeighbours', () => {
  const catalog = [
    product('Acme Phone 12', [PHONES], 'Acme'),
    product('Zed Phone 12 Pro', [PHONES], 'Zed'),
    product('Acme Phone 11', [PHONES], 'Acme'),
    product('Acme Phone 12 Case Red', [ACCESSORIES], 'Acme', { color: 'red' }),
    product('Acme Phone 12 Case Blue', [ACCESSORIES], 'Acme', { color: 'blue' }),
    product('Fast Charger', [ACCESSORIES], 'Volt'),
    product('USB-C Cable', [ACCESSORIES], 'Volt'),
    product('Frost Fridge', ['Home > Appliances'], 'Frost'),
    product('Frost Washer', ['Home > Appliances'], 'Frost'),
    product('Wool Carpet', ['Home > Furnishings'], 'Loom'),
  ];

  it('products of the same category rank above products that only share words and brand', () => {
    const nb = contentNeighbours(catalog, { topK: 10, maxDocumentShare: 0.05 });
    expect(ids(nb[0])?.slice(0, 2).sort()).toEqual([1, 2]);
    expect(ids(nb[3])?.[0]).toBe(4);
    expect(ids(nb[7])?.[0]).toBe(8);
    // Other departments share nothing with a phone.
    expect(ids(nb[0])).not.toContain(7);
    expect(ids(nb[0])).not.toContain(9);
    // Scores are cosines: in (0, 1], best first.
    for (const x of nb) {
      if (!x) continue;
      const s = Array.from(x.scores);
      expect(s).toEqual([...s].sort((a, b) => b - a));
      for (const v of s) expect(v > 0 && v <= 1 + 1e-6).toBe(true);
    }
  });

  it('colours do not matter: two colours of one product are identical (cosine 1)', () => {
    const nb = contentNeighbours(catalog, { topK: 10, maxDocumentShare: 0.05 });
    const [red, blue] = [3, 4];
    const redToBlue = nb[red]?.scores[ids(nb[red])?.indexOf(blue) ?? -1];
    // Only title words tell them apart ("red", "blue"), not the colour attribute.
    expect(ids(nb[red])?.[0]).toBe(blue);
    expect(redToBlue).toBeGreaterThan(0.7);
    expect(redToBlue).toBeLessThan(1);
    const twins = contentNeighbours([product('Tee', ['Tops'], 'X', { color: 'red', size: 'M' }), product('Tee', ['Tops'], 'X', { color: 'blue', size: 'XL' }), product('Mug', ['Kitchen'])], {
      topK: 10,
      maxDocumentShare: 0.05,
    });
    expect(ids(twins[0])).toEqual([1]);
    expect(twins[0]?.scores[0]).toBeCloseTo(1, 6);
    expect(twins[2]).toBeNull();
  });

  it('a product sharing nothing with any other has no list; topK cuts', () => {
    const nb = contentNeighbours([...catalog, product('Lonely Gnome', ['Garden'], 'Elf')], { topK: 1, maxDocumentShare: 0.05 });
    expect(nb[10]).toBeNull();
    // The carpet shares only the top level "home" with the appliances.
    expect(ids(nb[9])).toEqual([7]);
    expect(ids(nb[0])).toHaveLength(1);
  });

  it('maxDocumentShare drops features on too many products, but only in large catalogs', () => {
    // Every product is a "common"; each has a word of its own.
    const many = (n: number) => Array.from({ length: n }, (_, i) => product(`Common item${i}`, []));
    const small = contentNeighbours(many(50), { topK: 5, maxDocumentShare: 0.05 });
    expect(small.every((x) => x !== null && x.items.length === 5)).toBe(true);
    // 1000 products · 0.05 = 50 < 200: small catalogs keep every feature up to 200 products…
    const twoHundred = contentNeighbours(many(200), { topK: 5, maxDocumentShare: 0.05 });
    expect(twoHundred.every((x) => x !== null)).toBe(true);
    // …beyond that, a feature on every product is dropped: nothing is left to compare.
    const large = contentNeighbours(many(1000), { topK: 5, maxDocumentShare: 0.05 });
    expect(large.every((x) => x === null)).toBe(true);
    // Unless the share allows it.
    const lenient = contentNeighbours(many(1000), { topK: 5, maxDocumentShare: 1 });
    expect(lenient.every((x) => x !== null)).toBe(true);
  });

  it('a dropped common feature does not dilute the rare ones', () => {
    const n = 1000;
    const products = Array.from({ length: n }, (_, i) => product(`Common item${i}`, []));
    products[0] = product('Common rare thing', []);
    products[1] = product('Common rare thing', []);
    const nb = contentNeighbours(products, { topK: 5, maxDocumentShare: 0.05 });
    expect(ids(nb[0])).toEqual([1]);
    expect(nb[0]?.scores[0]).toBeCloseTo(1, 6);
  });
});
