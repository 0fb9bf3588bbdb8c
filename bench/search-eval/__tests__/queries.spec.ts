import { prng } from '../../common';
import { normalizeQuery } from '../normalize';
import { buildQuerySets, eligible, misspellingVariant, misspellingsByWord, nonWordTypo, oneEditVariant, shuffled, twoEditVariant, vocabularyOf } from '../queries';
import { editDistance } from '../typos';

const products = [
  { productId: '85123A', query: normalizeQuery('WHITE HANGING HEART T-LIGHT HOLDER') },
  { productId: '71053', query: normalizeQuery('WHITE METAL LANTERN') },
  { productId: '84406B', query: normalizeQuery('CREAM CUPID HEARTS COAT HANGER') },
  { productId: '22423', query: normalizeQuery('REGENCY CAKESTAND 3 TIER') },
  { productId: '21212', query: normalizeQuery('PACK OF 72 RETROSPOT CAKE CASES') },
  { productId: '22086', query: normalizeQuery("PAPER CHAIN KIT 50'S CHRISTMAS ") },
  { productId: '99999', query: normalizeQuery('RED MUG') },
];
const vocabulary = vocabularyOf(products.map((p) => p.query));

const must = <T>(x: T | null): T => {
  if (x === null) throw new Error('expected a variant');
  return x;
};

/** Word-by-word differences between two queries of the same length. */
const diffs = (a: string, b: string) => {
  const wa = a.split(' ');
  const wb = b.split(' ');
  expect(wb).toHaveLength(wa.length);
  return wa.flatMap((w, i) => (w === wb[i] ? [] : [[w, wb[i]] as const]));
};

describe('search-eval query sets', () => {
  it('normalizes titles as the service does', () => {
    expect(normalizeQuery('WHITE HANGING HEART T-LIGHT HOLDER')).toBe('white hanging heart t-light holder');
    expect(normalizeQuery('SET 3 RETROSPOT TEA,COFFEE,SUGAR')).toBe('set 3 retrospot tea coffee sugar');
    expect(normalizeQuery("  Crème  BRÛLÉE!! ")).toBe('creme brulee');
    expect(normalizeQuery("PAPER CHAIN KIT 50'S CHRISTMAS ")).toBe("paper chain kit 50's christmas");
  });

  it('lets only letter words of the minimum length take typos', () => {
    expect(eligible(['white', 't-light', '72', 'mug', 'tier'], 4)).toEqual([0, 4]);
    expect(eligible(['cakestand', 'regency'], 8)).toEqual([0]);
  });

  it('shuffles deterministically and completely', () => {
    const xs = [1, 2, 3, 4, 5, 6, 7, 8];
    expect(shuffled(xs, prng(1))).toEqual(shuffled(xs, prng(1)));
    expect([...shuffled(xs, prng(1))].sort()).toEqual(xs);
  });

  it('never turns a word into another catalog word', () => {
    const r = prng(5);
    for (let i = 0; i < 200; i++) {
      const t = nonWordTypo('hearts', 1, r, new Set(['heart', 'hearts']));
      expect(t).not.toBe('heart');
      if (t !== null) expect(editDistance('hearts', t)).toBe(1);
    }
  });

  it('makes 1-edit variants: one word of at least 4 letters, exactly one edit', () => {
    const r = prng(7);
    for (const p of products) {
      const v = oneEditVariant(p.query, r, vocabulary);
      if (p.query === 'red mug') {
        expect(v).toBeNull();
        continue;
      }
      const d = diffs(p.query, must(v).q);
      expect(d).toHaveLength(1);
      expect(d[0][0].length).toBeGreaterThanOrEqual(4);
      expect(/^[a-z]+$/.test(d[0][0])).toBe(true);
      expect(editDistance(d[0][0], d[0][1])).toBe(1);
      expect(vocabulary.has(d[0][1])).toBe(false);
      expect(must(v).changed).toEqual([[d[0][0], d[0][1]]]);
    }
  });

  it('makes 2-edit variants: both edits in a word of 8+ letters, else one in each of two words', () => {
    const r = prng(11);
    const one = must(twoEditVariant('regency cakestand 3 tier', r, vocabulary));
    expect(one.kind).toBe('one-word');
    const d1 = diffs('regency cakestand 3 tier', one.q);
    expect(d1).toHaveLength(1);
    expect(d1[0][0]).toBe('cakestand');
    expect(editDistance('cakestand', d1[0][1])).toBe(2);

    const two = must(twoEditVariant('white metal lantern', r, vocabulary));
    expect(two.kind).toBe('two-words');
    const d2 = diffs('white metal lantern', two.q);
    expect(d2).toHaveLength(2);
    for (const [w, t] of d2) expect(editDistance(w, t)).toBe(1);

    expect(twoEditVariant('red mug', r, vocabulary)).toBeNull();
    expect(twoEditVariant('red mug tier', r, vocabulary)).toBeNull(); // one eligible word only
  });

  it('replaces one word by a real misspelling of it', () => {
    const byWord = misspellingsByWord([
      ['chirstmas', 'christmas'],
      ['christams', 'christmas'],
      ['lanter', 'lantern'],
      ['teh', 'the'],
    ]);
    expect(byWord.get('christmas')).toEqual(['chirstmas', 'christams']);
    const v = must(misspellingVariant("paper chain kit 50's christmas", prng(3), byWord));
    expect(['paper chain kit 50\'s chirstmas', "paper chain kit 50's christams"]).toContain(v.q);
    expect(must(misspellingVariant('white metal lantern', prng(3), byWord)).q).toBe('white metal lanter');
    expect(misspellingVariant('the red mug', prng(3), byWord)).toBeNull(); // "the" is shorter than 4
  });

  it('builds the four sets deterministically, each at most perSet long, from the same product order', () => {
    const input = { products, perSet: 4, seed: 42, misspellings: [['lanter', 'lantern']] as [string, string][], prng };
    const a = buildQuerySets(input);
    expect(buildQuerySets(input)).toEqual(a);
    expect(a.exact).toHaveLength(4);
    expect(a.typo1).toHaveLength(4);
    expect(a.misspelling).toEqual([{ set: 'misspelling', productId: '71053', intended: 'white metal lantern', q: 'white metal lanter', changed: [['lantern', 'lanter']] }]);
    for (const q of a.exact) expect(q.q).toBe(q.intended);
    for (const q of a.typo2) expect(q.kind).toMatch(/one-word|two-words/);
    // The exact set and the typo sets walk one shuffled order: the first products agree.
    expect(a.typo1.map((q) => q.productId).slice(0, 2)).toEqual(a.exact.filter((q) => q.productId !== '99999').map((q) => q.productId).slice(0, 2));
  });
});
