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

  it("serves a list of the previous model at once and reads the new model's in the background", async () => {
    let version = 'old';
    const reads: string[][] = [];
    const db = {
      query: async (_sql: string, [, kinds, ids]: [string, string[], string[]]) => {
        reads.push(ids);
        await new Promise((r) => setTimeout(r, 5));
        return ids.map((id, n) => ({ kind: kinds[n], product_id: id, items: [`${id}-${version}`], scores: [0.5] }));
      },
    } as unknown as DataSource;
    const cache = new NeighbourCache(db, { NEIGHBOUR_CACHE_ITEMS: 100 } as RecommenderConfig);
    const ask = async (revision: string, ids: string[]) => {
      const lookup = await cache.lookup('s', revision, [{ kind: 'also_viewed', productIds: ids }]);
      return ids.map((id) => lookup('also_viewed', id)?.items[0]);
    };
    expect(await ask('1', ['x', 'y'])).toEqual(['x-old', 'y-old']);
    version = 'new';
    expect(await ask('2', ['x'])).toEqual(['x-old']);
    expect(await ask('2', ['y'])).toEqual(['y-old']);
    expect(reads).toEqual([['x', 'y']]);
    await new Promise((r) => setTimeout(r, 50));
    // One background read for both stale lists, then the new model's lists from memory.
    expect(reads).toEqual([['x', 'y'], ['x', 'y']]);
    expect(await ask('2', ['x', 'y'])).toEqual(['x-new', 'y-new']);
    expect(reads).toHaveLength(2);
    cache.onApplicationShutdown();
  });

  it('reads at once a product that had no list in the previous model', async () => {
    const reads: string[][] = [];
    let has = false;
    const db = {
      query: async (_sql: string, [, kinds, ids]: [string, string[], string[]]) => {
        reads.push(ids);
        return has ? ids.map((id, n) => ({ kind: kinds[n], product_id: id, items: [`${id}-n`], scores: [0.5] })) : [];
      },
    } as unknown as DataSource;
    const cache = new NeighbourCache(db, { NEIGHBOUR_CACHE_ITEMS: 100 } as RecommenderConfig);
    expect((await cache.lookup('s', '1', [{ kind: 'also_viewed', productIds: ['x'] }]))('also_viewed', 'x')).toBeUndefined();
    has = true;
    expect((await cache.lookup('s', '2', [{ kind: 'also_viewed', productIds: ['x'] }]))('also_viewed', 'x')?.items).toEqual(['x-n']);
    expect(reads).toEqual([['x'], ['x']]);
  });
});
