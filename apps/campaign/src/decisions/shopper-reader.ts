import type { EntityManager } from 'typeorm';
import { UNKNOWN_SHOPPER, type Shopper } from './rules';

interface ShopperRow {
  stage: string;
  segments: string[];
  traits: Record<string, unknown>;
  orders_count: number;
  discount_order_share: number | null;
  offer_response_rate: number | null;
  consent_email: boolean | null;
  consent_push: boolean | null;
  country: string | null;
  purchased: string[];
  affinities: { category?: { value: string }[] };
}

/** The shopper as campaign.shoppers holds them; an unknown profile is a new visitor. */
export async function readShopper(db: Pick<EntityManager, 'query'>, storeId: string, profileId: string): Promise<Shopper> {
  const [row]: ShopperRow[] = await db.query(
    `SELECT "stage", "segments", "traits", "orders_count", "discount_order_share", "offer_response_rate", "consent_email", "consent_push", "country", "purchased", "affinities"
     FROM "campaign"."shoppers" WHERE "store_id" = $1 AND "profile_id" = $2`,
    [storeId, profileId],
  );
  if (!row) return UNKNOWN_SHOPPER;
  return {
    known: true,
    stage: row.stage,
    segments: row.segments,
    traits: row.traits,
    ordersCount: row.orders_count,
    discountOrderShare: row.discount_order_share,
    offerResponseRate: row.offer_response_rate,
    consentEmail: row.consent_email,
    consentPush: row.consent_push,
    country: row.country,
    purchased: row.purchased,
    affinityCategories: (row.affinities.category ?? []).map((c) => c.value),
  };
}
