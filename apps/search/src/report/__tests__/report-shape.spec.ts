import { highExitRow, zeroResultsRow } from '../report-shape';

describe('report rows', () => {
  it('computes exit rates, bounded by searches', () => {
    expect(highExitRow({ storeId: 's', query: 'lamp', searches: 3, exits: 2 })).toEqual({ query: 'lamp', searches: 3, exits: 2, exitRate: 0.6667 });
    expect(highExitRow({ storeId: 's', query: 'x', searches: 2, exits: 5 })).toMatchObject({ exits: 2, exitRate: 1 });
    expect(highExitRow({ storeId: 's', query: 'x' })).toEqual({ query: 'x', searches: 0, exits: 0, exitRate: 0 });
  });

  it('fills missing counts in zero-result rows', () => {
    expect(zeroResultsRow({ storeId: 's', query: 'teapot', zeroResults: 4, searches: 5, lastSearchedAt: '2026-01-01T00:00:00.000Z' })).toEqual({
      query: 'teapot',
      searches: 5,
      zeroResults: 4,
      lastSearchedAt: '2026-01-01T00:00:00.000Z',
    });
    expect(zeroResultsRow({ storeId: 's', query: 'q' }).lastSearchedAt).toBeNull();
  });
});
