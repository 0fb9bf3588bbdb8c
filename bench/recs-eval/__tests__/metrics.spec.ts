import { MetricsAccumulator, catalogCoverage, hitRate, mrr, ndcg, selfInformation } from '../metrics';

const rel = (...items: string[]): Set<string> => new Set(items);

describe('recs-eval metrics (hand-computed)', () => {
  const ranked = ['a', 'b', 'c', 'd'];

  it('HR@K is 1 when any relevant item is in the top K', () => {
    expect(hitRate(ranked, rel('c'), 3)).toBe(1);
    expect(hitRate(ranked, rel('d'), 3)).toBe(0); // at position 4, outside K
    expect(hitRate([], rel('a'), 10)).toBe(0);
  });

  it('MRR@K is the reciprocal rank of the first hit', () => {
    expect(mrr(ranked, rel('b', 'd'), 10)).toBe(0.5);
    expect(mrr(ranked, rel('a'), 10)).toBe(1);
    expect(mrr(ranked, rel('d'), 3)).toBe(0);
  });

  it('NDCG@K with binary relevance', () => {
    // one relevant at position 1 (0-based) -> 1/log2(3) over ideal 1
    expect(ndcg(ranked, rel('b'), 10)).toBeCloseTo(1 / Math.log2(3), 10);
    // {b, d}, K=3: DCG = 1/log2(3) = 0.63093; IDCG = 1 + 1/log2(3) = 1.63093 -> 0.38685
    expect(ndcg(ranked, rel('b', 'd'), 3)).toBeCloseTo(0.38685, 5);
    // {b, d}, K=4: DCG = 1/log2(3) + 1/log2(5) = 0.63093 + 0.43068; IDCG = 1.63093 -> 0.65092
    expect(ndcg(ranked, rel('b', 'd'), 4)).toBeCloseTo(0.65092, 5);
    // ideal is capped at K hits: 5 relevant, K=2, both slots hit -> 1
    expect(ndcg(ranked, rel('a', 'b', 'c', 'd', 'e'), 2)).toBe(1);
    expect(ndcg(ranked, rel(), 10)).toBe(0);
    expect(ndcg(ranked, rel('z'), 10)).toBe(0);
  });

  it('catalog coverage counts distinct catalog items only', () => {
    expect(catalogCoverage(['a', 'b', 'a', 'x'], rel('a', 'b', 'c', 'd'))).toBe(0.5);
    expect(catalogCoverage([], rel('a'))).toBe(0);
    expect(catalogCoverage(['a'], rel())).toBe(0);
  });

  it('self-information is -log2 of the invoice share, unseen items count as seen once', () => {
    expect(selfInformation(50, 100)).toBe(1);
    expect(selfInformation(25, 100)).toBe(2);
    expect(selfInformation(0, 128)).toBe(7);
  });

  it('accumulator averages per case and per recommended slot, looking at the top K only', () => {
    const pop = new Map([
      ['a', 50],
      ['b', 25],
      ['c', 100],
    ]);
    const acc = new MetricsAccumulator(2, rel('a', 'b', 'c', 'd'), pop, 100);
    acc.add(['a', 'b', 'c'], rel('b')); // top-2 = [a, b]: hit at rank 2
    acc.add(['a'], rel('c')); // miss
    const r = acc.result();
    expect(r.cases).toBe(2);
    expect(r.hr).toBe(0.5);
    expect(r.mrr).toBe(0.25);
    expect(r.ndcg).toBeCloseTo(1 / Math.log2(3) / 2, 10);
    expect(r.coverage).toBe(0.5); // a, b of 4 (c was beyond K)
    expect(r.novelty).toBeCloseTo((1 + 2 + 1) / 3, 10);
  });
});
