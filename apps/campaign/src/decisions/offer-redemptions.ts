import { Injectable } from '@nestjs/common';
import type { EntityManager } from 'typeorm';
import type { Fact, FactHandler } from '../audience/facts';

/**
 * Keeps offer codes and on-site history in step with what the audience learns: a purchase that
 * carries a code marks it redeemed (single use), a merged profile's codes and decisions follow it,
 * an erased profile's history goes (its codes stay, anonymous, as they count against budgets).
 */
@Injectable()
export class OfferRedemptions implements FactHandler {
  async handle(facts: readonly Fact[], tx: EntityManager): Promise<void> {
    for (const f of facts) {
      if (f.kind === 'event' && f.event.type === 'purchase') {
        const p = f.event.properties as { discountCode?: string; orderId?: string };
        if (!p.discountCode) continue;
        // Codes are upper-case; shoppers type them as they like. A redelivered purchase finds the code redeemed and changes nothing.
        await tx.query(
          `UPDATE "campaign"."offer_codes" SET "redeemed_at" = $3, "order_id" = $4 WHERE "store_id" = $1 AND "code" = upper($2) AND "redeemed_at" IS NULL`,
          [f.event.storeId, p.discountCode.trim(), f.event.occurredAt, p.orderId ?? null],
        );
      } else if (f.kind === 'profile_gone') {
        await this.profileGone(tx, f.storeId, f.profileId, f.into);
      }
    }
  }

  private async profileGone(tx: EntityManager, storeId: string, profileId: string, into: string | undefined): Promise<void> {
    if (into) {
      // A code of an offer the surviving profile holds already stays with the old id: one code per shopper and offer.
      await tx.query(
        `UPDATE "campaign"."offer_codes" c SET "profile_id" = $3 WHERE c."store_id" = $1 AND c."profile_id" = $2
         AND NOT EXISTS (SELECT 1 FROM "campaign"."offer_codes" o WHERE o."store_id" = $1 AND o."profile_id" = $3 AND o."offer_id" = c."offer_id")`,
        [storeId, profileId, into],
      );
      for (const table of ['decisions', 'decision_events']) {
        await tx.query(`UPDATE "campaign"."${table}" SET "profile_id" = $3 WHERE "store_id" = $1 AND "profile_id" = $2`, [storeId, profileId, into]);
      }
      return;
    }
    await tx.query(`UPDATE "campaign"."offer_codes" SET "profile_id" = NULL WHERE "store_id" = $1 AND "profile_id" = $2`, [storeId, profileId]);
    for (const table of ['decision_events', 'decisions']) await tx.query(`DELETE FROM "campaign"."${table}" WHERE "store_id" = $1 AND "profile_id" = $2`, [storeId, profileId]);
  }
}
