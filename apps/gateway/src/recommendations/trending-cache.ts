import type { RecommendedItem } from '@signal/contracts';

/** The last good trending items of each store, for the fallback; the least recently refreshed store leaves first. */
export class TrendingCache {
  private readonly byStore = new Map<string, readonly RecommendedItem[]>();

  constructor(private readonly maxStores: number) {}

  get(storeId: string): readonly RecommendedItem[] | undefined {
    return this.byStore.get(storeId);
  }

  set(storeId: string, items: readonly RecommendedItem[]): void {
    // Map keeps insertion order: re-inserting moves the store to the young end.
    this.byStore.delete(storeId);
    this.byStore.set(storeId, items);
    if (this.byStore.size > this.maxStores) this.byStore.delete(this.byStore.keys().next().value as string);
  }

  get size(): number {
    return this.byStore.size;
  }
}
