import { Inject, Injectable } from '@nestjs/common';
import { InjectDataSource } from '@nestjs/typeorm';
import type { DataSource } from 'typeorm';
import { RECOMMENDER_CONFIG, type RecommenderConfig } from '../config';
import { NEIGHBOUR_KINDS, type NeighbourKind } from '../models/model-kinds';
import type { NeighbourList } from './placements';

/**
 * Neighbour lists read from Postgres on first use and kept in an LRU. A key carries the model
 * revision, so lists of a model the job has since replaced are never served (they age out).
 */
/** Products per warming query (times the five kinds). */
const WARM_CHUNK = 100;

@Injectable()
export class NeighbourCache {
  /** Map order is insertion order: re-inserting on a hit makes the first key the least recently used. */
  private readonly lru = new Map<string, NeighbourList | null>();
  /**
   * Reads in flight, by the key of each list they fetch. After a model swap every cached list is
   * stale at once, and the hottest products are asked for by many requests together: they wait for
   * one read, not one each.
   */
  private readonly reading = new Map<string, Promise<Map<string, NeighbourList>>>();

  constructor(
    @InjectDataSource() private readonly db: DataSource,
    @Inject(RECOMMENDER_CONFIG) private readonly config: RecommenderConfig,
  ) {}

  /**
   * The lists asked for, fetched in one query for whatever the cache lacks. `intern` maps an id to
   * the catalog's own string for it, so cached lists hold references, not copies (less to collect).
   */
  async lookup(
    storeId: string,
    revision: string | null,
    wanted: readonly { kind: NeighbourKind; productIds: readonly string[] }[],
    intern: (id: string) => string = (id) => id,
  ): Promise<(kind: NeighbourKind, productId: string) => NeighbourList | undefined> {
    const found = new Map<string, NeighbourList | null>();
    const key = (kind: string, id: string) => `${storeId}\u0000${revision}\u0000${kind}\u0000${id}`;
    const missing: { kind: string; id: string; k: string }[] = [];
    const elsewhere: [string, Promise<Map<string, NeighbourList>>][] = [];
    if (revision !== null) {
      for (const w of wanted) {
        for (const id of w.productIds) {
          const k = key(w.kind, id);
          if (found.has(k)) continue;
          const hit = this.lru.get(k);
          if (hit !== undefined) {
            this.lru.delete(k);
            this.lru.set(k, hit);
            found.set(k, hit);
            continue;
          }
          const pending = this.reading.get(k);
          if (pending) elsewhere.push([k, pending]);
          else missing.push({ kind: w.kind, id, k });
          found.set(k, null);
        }
      }
    }
    if (missing.length) {
      const read = this.read(storeId, missing, key, intern);
      for (const m of missing) this.reading.set(m.k, read);
      try {
        const lists = await read;
        for (const { k } of missing) {
          const list = lists.get(k) ?? null;
          found.set(k, list);
          this.remember(k, list);
        }
      } finally {
        for (const { k } of missing) this.reading.delete(k);
      }
    }
    for (const [k, pending] of elsewhere) found.set(k, (await pending).get(k) ?? null);
    return (kind, productId) => found.get(key(kind, productId)) ?? undefined;
  }

  /** The lists asked for, by their cache key; a product without a list is absent. */
  private async read(
    storeId: string,
    missing: readonly { kind: string; id: string }[],
    key: (kind: string, id: string) => string,
    intern: (id: string) => string,
  ): Promise<Map<string, NeighbourList>> {
    const rows: { kind: string; product_id: string; items: string[]; scores: number[] }[] = await this.db.query(
      `SELECT n."kind", n."product_id", n."items", n."scores" FROM "recommender"."neighbours" n
       JOIN unnest($2::varchar[], $3::varchar[]) AS u(kind, product_id) ON n."kind" = u.kind AND n."product_id" = u.product_id
       WHERE n."store_id" = $1`,
      [storeId, missing.map((m) => m.kind), missing.map((m) => m.id)],
    );
    return new Map(rows.map((r) => [key(r.kind, r.product_id), { items: r.items.map(intern), scores: Float32Array.from(r.scores) }]));
  }

  /**
   * After a model swap every list would be read again on demand, each request paying for its own:
   * the lists of the store's hottest products are read ahead instead, a chunk at a time.
   */
  async warm(storeId: string, revision: string, productIds: readonly string[], intern: (id: string) => string): Promise<number> {
    let read = 0;
    for (let i = 0; i < productIds.length; i += WARM_CHUNK) {
      const ids = productIds.slice(i, i + WARM_CHUNK);
      await this.lookup(storeId, revision, NEIGHBOUR_KINDS.map((kind) => ({ kind, productIds: ids })), intern);
      read += ids.length * NEIGHBOUR_KINDS.length;
      // Requests go first between chunks.
      await new Promise((resolve) => setImmediate(resolve));
    }
    return read;
  }

  private remember(k: string, v: NeighbourList | null): void {
    this.lru.set(k, v);
    while (this.lru.size > this.config.NEIGHBOUR_CACHE_ITEMS) this.lru.delete(this.lru.keys().next().value as string);
  }
}
