import { nearest, overlap, precisionAtK } from '../metrics';

describe('image-eval metrics', () => {
  const gallery = [
    [1, 0],
    [0.8, 0.6],
    [0, 1],
    [0.6, 0.8],
  ];

  it('nearest ranks by cosine, leaves the query out and keeps k', () => {
    expect(nearest([1, 0], gallery, 2, 0).map((n) => n.index)).toEqual([1, 3]);
    expect(nearest([1, 0], gallery, 10, -1).map((n) => n.index)).toEqual([0, 1, 3, 2]);
  });

  it('precision@k counts same-label results', () => {
    const labels = [0, 0, 1, 1];
    expect(precisionAtK([{ label: 0, retrieved: [1, 2] }, { label: 1, retrieved: [3, 2] }], labels, 2)).toBe(0.75);
  });

  it('overlap is the recall of the approximate list', () => {
    expect(overlap([1, 2, 3], [1, 4, 3, 5])).toBe(0.5);
  });
});
