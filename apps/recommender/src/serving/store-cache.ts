import { Inject, Injectable, Logger, type OnApplicationShutdown, type OnModuleInit } from '@nestjs/common';
import { InjectDataSource } from '@nestjs/typeorm';
import { RecommendationRules, Validator } from '@signal/contracts';
import { Value } from '@sinclair/typebox/value';
import type { DataSource } from 'typeorm';
import { RECOMMENDER_CONFIG, type RecommenderConfig } from '../config';
import { CatalogSnapshot, RANK_TTL_MS, productOf, type ProductRow } from './catalog-snapshot';

const rulesShape = new Validator(RecommendationRules);
export const defaultRules = (): RecommendationRules => Value.Default(RecommendationRules, {}) as RecommendationRules;

/** Revisions are taken at insert time but become visible at commit: re-read a few polls back. */
const REREAD_POLLS = 5;
/** After a full load, the revisions in flight then (a few batches' worth) are read again. */
const REREAD_AFTER_LOAD = 5_000n;
const MAX_COUNTRY_LISTS = 10_000;
/** A full reload now and then heals anything a poll could have missed. */
const FULL_RELOAD_MS = 10 * 60_000;
/**
 * Rows applied between yields to the event loop. A full load of 50,000 products applied in one go
 * held every request in flight for about 200 ms, every FULL_RELOAD_MS, on every replica.
 */
const APPLY_SLICE = 2_000;

async function applyInSlices<T>(rows: readonly T[], apply: (row: T) => void): Promise<void> {
  for (let i = 0; i < rows.length; i++) {
    if (i > 0 && i % APPLY_SLICE === 0) await new Promise<void>((resolve) => setImmediate(resolve));
    apply(rows[i]);
  }
}

export interface StoreState {
  catalog: CatalogSnapshot;
  rules: RecommendationRules;
  /** Changes when the model job swaps in new neighbour lists. */
  modelRevision: string | null;
  modelBuiltAt: Date | null;
}

interface Loaded {
  state: StoreState;
  /** The highest revision seen at each of the last polls, oldest first. */
  marks: bigint[];
  loadedAt: number;
  lastUsed: number;
}

/**
 * Per-store caches of catalog, popularity, rules and model revision, filled on first request and
 * refreshed every CACHE_REFRESH_MS from what changed in Postgres (by `revision`). Any number of
 * replicas can serve: the truth is in Postgres, this is only a copy.
 */
@Injectable()
export class StoreCache implements OnModuleInit, OnApplicationShutdown {
  private readonly logger = new Logger(StoreCache.name);
  private readonly stores = new Map<string, Promise<Loaded>>();
  private readonly countries = new Map<string, { at: number; ids: string[] }>();
  private timer?: NodeJS.Timeout;
  private refreshing = false;
  private readonly modelListeners: ((storeId: string, state: StoreState) => void)[] = [];

  constructor(
    @InjectDataSource() private readonly db: DataSource,
    @Inject(RECOMMENDER_CONFIG) private readonly config: RecommenderConfig,
  ) {}

  onModuleInit(): void {
    this.timer = setInterval(() => void this.refreshAll(), this.config.CACHE_REFRESH_MS);
    this.timer.unref();
  }

  onApplicationShutdown(): void {
    clearInterval(this.timer);
  }

  async get(storeId: string): Promise<StoreState> {
    let loaded = this.stores.get(storeId);
    if (!loaded) {
      loaded = this.load(storeId);
      this.stores.set(storeId, loaded);
      loaded.catch(() => this.stores.delete(storeId));
    }
    const l = await loaded;
    l.lastUsed = Date.now();
    return l.state;
  }

  private async load(storeId: string): Promise<Loaded> {
    const loaded: Loaded = { state: { catalog: new CatalogSnapshot(), rules: defaultRules(), modelRevision: null, modelBuiltAt: null }, marks: [0n], loadedAt: Date.now(), lastUsed: Date.now() };
    await this.poll(storeId, loaded, 0n);
    const high = loaded.marks[loaded.marks.length - 1];
    loaded.marks = [high > REREAD_AFTER_LOAD ? high - REREAD_AFTER_LOAD : 0n];
    return loaded;
  }

  /** Called when a store's model revision changes (a new model was swapped in), once the cache has it. */
  onModelChange(listener: (storeId: string, state: StoreState) => void): void {
    this.modelListeners.push(listener);
  }

  /** The hottest products among shoppers in a country, straight from the heat index, cached for RANK_TTL_MS. */
  async countryTrending(storeId: string, country: string): Promise<string[]> {
    const key = `${storeId}\u0000${country}`;
    const hit = this.countries.get(key);
    if (hit && Date.now() - hit.at < RANK_TTL_MS) return hit.ids;
    const rows: { product_id: string }[] = await this.db.query(
      `SELECT "product_id" FROM "recommender"."item_stats" WHERE "store_id" = $1 AND "scope" = $2 ORDER BY "heat" DESC LIMIT 500`,
      [storeId, `country:${country}`],
    );
    const ids = rows.map((r) => r.product_id);
    this.countries.delete(key);
    this.countries.set(key, { at: Date.now(), ids });
    while (this.countries.size > MAX_COUNTRY_LISTS) this.countries.delete(this.countries.keys().next().value as string);
    return ids;
  }

  private async refreshAll(): Promise<void> {
    if (this.refreshing) return;
    this.refreshing = true;
    try {
      for (const [storeId, promise] of this.stores) {
        const loaded = await promise.catch(() => null);
        if (!loaded) continue;
        if (Date.now() - loaded.loadedAt > FULL_RELOAD_MS) {
          // The old copy serves until the new one is complete.
          const fresh = await this.load(storeId).catch((err: unknown) => this.logger.warn({ err, storeId }, 'Cache reload failed; serving the last copy'));
          if (fresh) this.stores.set(storeId, Promise.resolve(fresh));
          continue;
        }
        await this.poll(storeId, loaded, loaded.marks[0]).catch((err: unknown) => this.logger.warn({ err, storeId }, 'Cache refresh failed; serving the last copy'));
      }
    } finally {
      this.refreshing = false;
    }
  }

  /** Applies every row changed after revision `since`, then records the new high mark. */
  private async poll(storeId: string, loaded: Loaded, since: bigint): Promise<void> {
    const { state } = loaded;
    const sinceText = since.toString();
    const [products, stats, rules, models]: [ProductRow[], { scope: string; product_id: string; heat: number; orders: number; revision: string }[], { rules: unknown; revision: string }[], { built_at: Date; revision: string }[]] =
      await Promise.all([
        this.db.query(
          `SELECT "product_id", "title", "brand", "categories", "price", "in_stock", "hidden", "variant_group", "created_at", "revision" FROM "recommender"."products"
           WHERE "store_id" = $1 AND "revision" > $2`,
          [storeId, sinceText],
        ),
        // Store-wide popularity only; per-country lists are read on demand (countryTrending).
        this.db.query(`SELECT "scope", "product_id", "heat", "orders", "revision" FROM "recommender"."item_stats" WHERE "store_id" = $1 AND "scope" = '' AND "revision" > $2`, [storeId, sinceText]),
        this.db.query(`SELECT "rules", "revision" FROM "recommender"."rules" WHERE "store_id" = $1`, [storeId]),
        this.db.query(`SELECT "built_at", "revision" FROM "recommender"."models" WHERE "store_id" = $1`, [storeId]),
      ]);
    let high = since;
    const seen = (r: string) => {
      const v = BigInt(r);
      if (v > high) high = v;
    };
    await applyInSlices(products, (p) => {
      state.catalog.setProduct(productOf(p));
      seen(p.revision);
    });
    await applyInSlices(stats, (s) => {
      state.catalog.setPopularity(s.scope, s.product_id, { heat: s.heat, orders: s.orders });
      seen(s.revision);
    });
    const stored = rules[0] ? rulesShape.validate(rules[0].rules) : null;
    state.rules = stored?.ok ? stored.value : defaultRules();
    const previous = state.modelRevision;
    state.modelRevision = models[0]?.revision ?? null;
    state.modelBuiltAt = models[0]?.built_at ?? null;
    if (state.modelRevision !== null && state.modelRevision !== previous) for (const listener of this.modelListeners) listener(storeId, state);
    loaded.marks.push(high > loaded.marks[loaded.marks.length - 1] ? high : loaded.marks[loaded.marks.length - 1]);
    if (loaded.marks.length > REREAD_POLLS) loaded.marks.shift();
  }
}
