import { topK } from '../top-k';

/** A small seeded PRNG (mulberry32), so the random cases are the same on every run. */
function prng(seed: number): () => number {
  let a = seed >>> 0;
  return () => {
    a = (a + 0x6d2b79f5) >>> 0;
    let t = a;
    t = Math.imul(t ^ (t >>> 15), t | 1);
    t ^= t + Math.imul(t ^ (t >>> 7), t | 61);
    return ((t ^ (t >>> 14)) >>> 0) / 4294967296;
  };
}

interface V {
  id: string;
  s: number;
}
const byScoreThenId = (a: V, b: V) => b.s - a.s || (a.id < b.id ? -1 : a.id > b.id ? 1 : 0);
const top = (vs: V[], k: number) => topK(vs, k, (v) => v.s, (v) => v.id);

describe('topK', () => {
  it('equals a full sort (score desc, then id asc) cut at k, on random input with many ties', () => {
    const rand = prng(7);
    for (let round = 0; round < 300; round++) {
      const n = Math.floor(rand() * 200);
      const distinct = 1 + Math.floor(rand() * 20); // few distinct scores: lots of ties
      const vs: V[] = Array.from({ length: n }, (_, i) => ({ id: `p${Math.floor(rand() * 1e6)}-${i}`, s: Math.floor(rand() * distinct) - 5 + (rand() < 0.1 ? 0.5 : 0) }));
      const k = Math.floor(rand() * (n + 5));
      expect(top(vs, k)).toEqual([...vs].sort(byScoreThenId).slice(0, k));
    }
  });

  it('ties go to the smaller id, whatever the input order', () => {
    const vs: V[] = ['d', 'b', 'e', 'a', 'c'].map((id) => ({ id, s: 1 }));
    expect(top(vs, 3).map((v) => v.id)).toEqual(['a', 'b', 'c']);
    expect(top([...vs].reverse(), 3).map((v) => v.id)).toEqual(['a', 'b', 'c']);
    // String order, not numeric: "p10" < "p9".
    expect(top([{ id: 'p9', s: 0 }, { id: 'p10', s: 0 }], 1)[0].id).toBe('p10');
  });

  it('k ≤ 0 gives nothing; k beyond the input gives everything sorted', () => {
    const vs: V[] = [{ id: 'a', s: 1 }, { id: 'b', s: 3 }, { id: 'c', s: 2 }];
    expect(top(vs, 0)).toEqual([]);
    expect(top(vs, -3)).toEqual([]);
    expect(top(vs, 10).map((v) => v.id)).toEqual(['b', 'c', 'a']);
    expect(top([], 5)).toEqual([]);
  });

  it('skips -Infinity and NaN scores, keeps +Infinity and negatives', () => {
    const vs: V[] = [
      { id: 'a', s: -Infinity },
      { id: 'b', s: NaN },
      { id: 'c', s: -1 },
      { id: 'd', s: Infinity },
      { id: 'e', s: 0 },
    ];
    expect(top(vs, 10).map((v) => v.id)).toEqual(['d', 'e', 'c']);
  });

  it('takes any iterable, read once', () => {
    const m = new Map([
      ['x', 5],
      ['y', 7],
      ['z', 6],
    ]);
    expect(topK(m.entries(), 2, ([, s]) => s, ([id]) => id)).toEqual([
      ['y', 7],
      ['z', 6],
    ]);
  });
});
