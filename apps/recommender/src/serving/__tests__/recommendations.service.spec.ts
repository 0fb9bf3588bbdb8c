import type { KafkaPublisher } from '@signal/platform';
import { CatalogSnapshot } from '../catalog-snapshot';
import type { NeighbourCache } from '../neighbour-cache';
import { CallerGone, RecommendationsService } from '../recommendations.service';
import { EMPTY_SHOPPER } from '../shopper';
import type { ShopperReader } from '../shopper-reader';
import { defaultRules, type StoreCache } from '../store-cache';

function service() {
  const catalog = new CatalogSnapshot();
  for (const id of ['a', 'b', 'c']) {
    catalog.setProduct({ id, title: id, brand: null, categories: ['misc'], leaf: 'misc', price: 1, inStock: true, hidden: false, variantGroup: null, createdAtMs: 0 });
    catalog.setPopularity('', id, { heat: id.charCodeAt(0), orders: 1 });
  }
  const calls: string[] = [];
  const stores = { onModelChange: () => undefined, get: async () => ({ catalog, rules: defaultRules(), modelRevision: null, modelBuiltAt: null }) } as unknown as StoreCache;
  const shoppers = {
    profileIds: () => ['p1'],
    read: async () => {
      calls.push('shopper');
      return EMPTY_SHOPPER;
    },
  } as unknown as ShopperReader;
  const neighbours = {
    lookup: async () => {
      calls.push('neighbours');
      return () => undefined;
    },
  } as unknown as NeighbourCache;
  const publisher = {
    publish: async () => {
      calls.push('published');
    },
  } as unknown as KafkaPublisher;
  return { calls, recommendations: new RecommendationsService(stores, shoppers, neighbours, publisher) };
}

describe('RecommendationsService and a caller that hung up', () => {
  it('answers and records the shelf while the caller waits', async () => {
    const { calls, recommendations } = service();
    const answer = await recommendations.recommend('s', { placement: 'trending' }, () => false);
    expect(answer.items.map((i) => i.productId)).toEqual(['c', 'b', 'a']);
    expect(calls).toEqual(['shopper', 'neighbours', 'published']);
  });

  it('does no work for a request whose caller left while it queued', async () => {
    const { calls, recommendations } = service();
    await expect(recommendations.recommend('s', { placement: 'trending' }, () => true)).rejects.toBeInstanceOf(CallerGone);
    expect(calls).toEqual([]);
  });

  it('stops between steps once the caller is gone, and records nothing it did not show', async () => {
    const { calls, recommendations } = service();
    let gone = false;
    const done = recommendations.recommend('s', { placement: 'trending' }, () => gone);
    gone = true;
    await expect(done).rejects.toMatchObject({ status: 499 });
    expect(calls).toEqual(['shopper']);
  });
});
