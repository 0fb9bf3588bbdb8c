import { Inject, Injectable } from '@nestjs/common';
import { InjectDataSource } from '@nestjs/typeorm';
import { profileIdFor } from '@signal/contracts';
import type { DataSource } from 'typeorm';
import { RECOMMENDER_CONFIG, type RecommenderConfig } from '../config';
import { SCORING } from './placements';
import { EMPTY_SHOPPER, shopperFrom, type InteractionRow, type Shopper } from './shopper';

/**
 * Reads a shopper's latest interactions straight from Postgres on every request (one indexed
 * query), so what they did a moment ago (a purchase) already shapes this answer. Both of their
 * ids are read: events before and after they logged in may sit under either profile until the
 * profile service's merge arrives.
 */
/** Purchases read per shopper: beyond this, the oldest could be recommended again (a bulk buyer's years). */
const MAX_PURCHASES = 10_000;

@Injectable()
export class ShopperReader {
  constructor(
    @InjectDataSource() private readonly db: DataSource,
    @Inject(RECOMMENDER_CONFIG) private readonly config: RecommenderConfig,
  ) {}

  profileIds(storeId: string, ids: { anonymousId?: string; customerId?: string }): string[] {
    const out: string[] = [];
    if (ids.customerId) out.push(profileIdFor(storeId, { customerId: ids.customerId, anonymousId: '' }));
    if (ids.anonymousId) out.push(profileIdFor(storeId, { anonymousId: ids.anonymousId }));
    return out;
  }

  async read(storeId: string, profileIds: string[], nowMs: number): Promise<Shopper> {
    if (profileIds.length === 0) return EMPTY_SHOPPER;
    // Recent interest (the latest N interactions that are not purchases) plus every product bought,
    // once, at its latest purchase: the "never what they bought" rule needs all of them, however
    // long ago, and a bulk buyer's thousands of order lines fold into one row per product.
    const rows: (InteractionRow & { withdrawn: boolean | null })[] = await this.db.query(
      `WITH c AS (SELECT bool_or(NOT "personalization") AS withdrawn FROM "recommender"."consents" WHERE "store_id" = $1 AND "profile_id" = ANY($2))
       SELECT i."product_id", i."kind", i."context_id", i."at", c.withdrawn FROM c
       LEFT JOIN LATERAL (
         (SELECT "product_id", "kind", "context_id", "at" FROM "recommender"."interactions"
          WHERE "store_id" = $1 AND "profile_id" = ANY($2) AND "kind" <> 'purchase' ORDER BY "at" DESC LIMIT $3)
         UNION ALL
         (SELECT "product_id", 'purchase', (array_agg("context_id" ORDER BY "at" DESC))[1], max("at") FROM "recommender"."interactions"
          WHERE "store_id" = $1 AND "profile_id" = ANY($2) AND "kind" = 'purchase' GROUP BY "product_id" ORDER BY max("at") DESC LIMIT $4)
       ) i ON NOT coalesce(c.withdrawn, false)`,
      [storeId, profileIds, this.config.SHOPPER_HISTORY_LIMIT, MAX_PURCHASES],
    );
    if (rows[0]?.withdrawn) return EMPTY_SHOPPER;
    return shopperFrom(rows.filter((r) => r.product_id !== null), nowMs, SCORING.seedHalfLifeDays);
  }
}
