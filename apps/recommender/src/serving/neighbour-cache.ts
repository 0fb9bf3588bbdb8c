import { Inject, Injectable, Logger, type OnApplicationShutdown } from '@nestjs/common';
import { InjectDataSource } from '@nestjs/typeorm';
import type { DataSource } from 'typeorm';
import { RECOMMENDER_CONFIG, type RecommenderConfig } from '../config';
import { NEIGHBOUR_KINDS, type NeighbourKind } from '../models/model-kinds';
import type { NeighbourList } from './placements';

/**
 * Neighbour lists read from Postgres on first use and kept in an LRU, each with the model revision
 * it was read under. When the model job swaps in a new model, every list a replica holds is stale
 * at once: read on demand, the first shelves after it all waited for Postgres together (p99 up to
 * 246 ms and gateway fallbacks in the 5 s after a swap, docs/benchmarks.md). A stale list is served
 * instead while its new version is read in the background (stale-while-revalidate). A product that
 * had no list in the older model is read at once: a list that newly exists is never hidden.
 */
/** Products per warming query (times the five kinds). */
const WARM_CHUNK = 100;
/** Stale lists read per background query, one query at a time: 500 held the event loop while their arrays were parsed. */
const REFRESH_BATCH = 100;
/** A refresh waits this long to gather the stale lists of many requests into one query. */
const REFRESH_DELAY_MS = 10;

/** The cache key of one list: the model revision is kept in the entry, not the key (a stale list can be found). */
const listKey = (storeId: string, kind: string, id: string) => `${storeId}\u0000${kind}\u0000${id}`;

interface Entry {
  revision: string;
  list: NeighbourList | null;
}

interface StaleList {
  storeId: string;
  revision: string;
  kind: string;
  id: string;
  intern: (id: string) => string;
}

@Injectable()
export class NeighbourCache implements OnApplicationShutdown {
  private readonly logger = new Logger(NeighbourCache.name);
  /** Map order is insertion order: re-inserting on a hit makes the first key the least recently used. */
  private readonly lru = new Map<string, Entry>();
  /**
   * Reads in flight, by the key of each list they fetch. After a model swap every cached list is
   * stale at once, and the hottest products are asked for by many requests together: they wait for
   * one read, not one each.
   */
  private readonly reading = new Map<string, Promise<Map<string, NeighbourList>>>();
  /** Stale lists served meanwhile, by key, waiting for their background read. */
  private readonly stale = new Map<string, StaleList>();
  private refreshTimer?: NodeJS.Timeout;

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
    const key = (kind: string, id: string) => listKey(storeId, kind, id);
    const missing: { kind: string; id: string; k: string }[] = [];
    const elsewhere: [string, Promise<Map<string, NeighbourList>>][] = [];
    if (revision !== null) {
      for (const w of wanted) {
        for (const id of w.productIds) {
          const k = key(w.kind, id);
          if (found.has(k)) continue;
          const hit = this.lru.get(k);
          if (hit !== undefined && (hit.revision === revision || hit.list !== null)) {
            this.lru.delete(k);
            this.lru.set(k, hit);
            found.set(k, hit.list);
            if (hit.revision !== revision) this.refreshLater(k, { storeId, revision, kind: w.kind, id, intern });
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
          this.remember(k, { revision: revision as string, list });
        }
      } finally {
        for (const { k } of missing) this.reading.delete(k);
      }
    }
    for (const [k, pending] of elsewhere) found.set(k, (await pending).get(k) ?? null);
    return (kind, productId) => found.get(key(kind, productId)) ?? undefined;
  }

  private refreshLater(k: string, list: StaleList): void {
    if (this.stale.has(k) || this.reading.has(k)) return;
    this.stale.set(k, list);
    if (!this.refreshTimer) this.scheduleRefresh();
  }

  private scheduleRefresh(): void {
    this.refreshTimer = setTimeout(() => void this.refresh(), REFRESH_DELAY_MS);
    this.refreshTimer.unref();
  }

  onApplicationShutdown(): void {
    clearTimeout(this.refreshTimer);
    this.stale.clear();
  }

  /** Reads the stale lists a batch at a time (one store and revision per query) until none is left. */
  private async refresh(): Promise<void> {
    try {
      while (this.stale.size > 0) {
        const first = this.stale.values().next().value as StaleList;
        const batch: { kind: string; id: string; k: string }[] = [];
        for (const [k, s] of this.stale) {
          if (s.storeId !== first.storeId || s.revision !== first.revision) continue;
          batch.push({ kind: s.kind, id: s.id, k });
          if (batch.length === REFRESH_BATCH) break;
        }
        for (const { k } of batch) this.stale.delete(k);
        const lists = await this.read(first.storeId, batch, (kind, id) => listKey(first.storeId, kind, id), first.intern).catch((err: unknown) => {
          // Those lists stay stale and are asked for again by the next shelf that shows them.
          this.logger.warn({ err, storeId: first.storeId }, 'Refreshing stale neighbour lists failed');
          return null;
        });
        if (!lists) continue;
        for (const { k } of batch) {
          // Only over what is still cached and older (an eviction or a newer model's read wins).
          const current = this.lru.get(k);
          if (!current || BigInt(current.revision) >= BigInt(first.revision)) continue;
          current.revision = first.revision;
          current.list = lists.get(k) ?? null;
        }
      }
    } finally {
      this.refreshTimer = undefined;
      if (this.stale.size > 0) this.scheduleRefresh();
    }
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

  private remember(k: string, v: Entry): void {
    this.lru.set(k, v);
    while (this.lru.size > this.config.NEIGHBOUR_CACHE_ITEMS) this.lru.delete(this.lru.keys().next().value as string);
  }
}
