import { Logger } from '@nestjs/common';
import type { DataSource } from 'typeorm';
import type { RecommenderConfig } from '../../config';
import type { RecommendationsService } from '../recommendations.service';
import { WarmUp } from '../warm-up';

/** Stores with a model, newest first; `warm` per store: lists read, a failure, or never done. */
function warmUp(stores: Record<string, number | Error | 'never'>, config: Partial<RecommenderConfig>) {
  const queries: unknown[][] = [];
  const db = {
    query: async (_sql: string, params: unknown[]) => {
      queries.push(params);
      return Object.keys(stores)
        .slice(0, params[0] as number)
        .map((store_id) => ({ store_id }));
    },
  } as unknown as DataSource;
  const recommendations = {
    warm: (storeId: string) => {
      const outcome = stores[storeId];
      if (outcome === 'never') return new Promise<number>(() => undefined);
      return outcome instanceof Error ? Promise.reject(outcome) : Promise.resolve(outcome);
    },
  } as unknown as RecommendationsService;
  return { queries, warmUp: new WarmUp(db, recommendations, { WARM_UP_STORES: 20, WARM_UP_TIMEOUT_MS: 1_000, ...config } as RecommenderConfig) };
}

beforeAll(() => {
  jest.spyOn(Logger.prototype, 'log').mockImplementation(() => undefined);
  jest.spyOn(Logger.prototype, 'warn').mockImplementation(() => undefined);
});
afterAll(() => jest.restoreAllMocks());

describe('WarmUp', () => {
  it('warms the most recently modelled stores, up to WARM_UP_STORES', async () => {
    const { queries, warmUp: w } = warmUp({ a: 300, b: 200, c: 100 }, { WARM_UP_STORES: 2 });
    await w.onApplicationBootstrap();
    expect(queries).toEqual([[2]]);
    expect(w.result).toMatchObject({ stores: ['a', 'b'], lists: 500, complete: true });
  });

  it('starts cold, without a query, when WARM_UP_STORES is 0', async () => {
    const { queries, warmUp: w } = warmUp({ a: 300 }, { WARM_UP_STORES: 0 });
    await w.onApplicationBootstrap();
    expect(queries).toEqual([]);
    expect(w.result).toMatchObject({ stores: [], complete: true });
  });

  it('listens anyway when the time budget runs out, and says it did not finish', async () => {
    const { warmUp: w } = warmUp({ a: 300, slow: 'never', c: 100 }, { WARM_UP_TIMEOUT_MS: 50 });
    const t0 = Date.now();
    await w.onApplicationBootstrap();
    expect(Date.now() - t0).toBeLessThan(1_000);
    expect(w.result).toMatchObject({ stores: ['a'], lists: 300, complete: false });
  });

  it('goes on past a store that fails to load (it loads on first use)', async () => {
    const { warmUp: w } = warmUp({ a: new Error('connection reset'), b: 200 }, {});
    await w.onApplicationBootstrap();
    expect(w.result).toMatchObject({ stores: ['b'], lists: 200, complete: true });
  });
});
