import type { DataSource } from 'typeorm';
import type { RecommenderConfig } from '../../config';
import { NeighbourCache } from '../neighbour-cache';

/** A database that answers every product's also_viewed list after a tick, and counts the reads. */
function fakeDb() {
  const reads: string[][] = [];
  const db = {
    query: async (_sql: string, [, kinds, ids]: [string, string[], string[]]) => {
      reads.push(ids);
      await new Promise((r) => setTimeout(r, 5));
      return ids.map((id, n) => ({ kind: kinds[n], product_id: id, items: [`${id}-n`], scores: [0.5] }));
    },
  } as unknown as DataSource;
  return { reads, cache: new NeighbourCache(db, { NEIGHBOUR_CACHE_ITEMS: 100 } as RecommenderConfig) };
}

describe('NeighbourCache', () => {
  it('reads a list once for concurrent requests, and serves it from memory after', async () => {
    const { reads, cache } = fakeDb();
    const ask = (ids: string[]) => cache.lookup('s', 'r1', [{ kind: 'also_viewed', productIds: ids }]);
    const [a, b] = await Promise.all([ask(['x', 'y']), ask(['y', 'z'])]);
    expect(reads).toEqual([['x', 'y'], ['z']]);
    expect(a('also_viewed', 'y')?.items).toEqual(['y-n']);
    expect(b('also_viewed', 'y')?.items).toEqual(['y-n']);
    expect(b('also_viewed', 'z')?.items).toEqual(['z-n']);
    await ask(['x', 'y', 'z']);
    expect(reads).toHaveLength(2);
  });

  it('reads again for a new model revision', async () => {
    const { reads, cache } = fakeDb();
    await cache.lookup('s', 'r1', [{ kind: 'also_viewed', productIds: ['x'] }]);
    await cache.lookup('s', 'r2', [{ kind: 'also_viewed', productIds: ['x'] }]);
    expect(reads).toEqual([['x'], ['x']]);
  });
});
