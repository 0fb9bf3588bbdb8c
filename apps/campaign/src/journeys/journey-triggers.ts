import { Injectable } from '@nestjs/common';
import { categoryPaths, type EnrichedEvent } from '@signal/contracts';
import type { EntityManager } from 'typeorm';
import type { Fact, FactHandler } from '../audience/facts';
import { entryOf, exitEventsOf, type JourneyDefinition, type TriggerType } from './definition';
import { holdoutSql } from './holdout';

export interface LiveJourney {
  storeId: string;
  journeyId: string;
  version: number;
  definition: JourneyDefinition;
}

/** Triggers about one product, whose runs carry its id in their context. */
const PRODUCT_TRIGGERS: ReadonlySet<TriggerType> = new Set(['low_stock', 'back_in_stock', 'price_drop', 'new_product']);

/** Shoppers a purchase counts as a conversion for: runs entered within this many days before it. */
export const CONVERSION_WINDOW_DAYS = 30;
const DEFAULT_NEW_PRODUCT_AUDIENCE = 1000;

/**
 * Starts, restarts and exits journey runs from what the audience read model learned, inside the
 * transaction that stored it. Every start is an INSERT ... ON CONFLICT DO NOTHING on (store,
 * journey, profile, trigger key), so a redelivered event or catalog change starts nothing new, and
 * fan-outs (a stock alert to every interested shopper) are one INSERT ... SELECT.
 */
@Injectable()
export class JourneyTriggers implements FactHandler {
  async handle(facts: readonly Fact[], tx: EntityManager): Promise<void> {
    const stores = [...new Set(facts.map(storeOf))];
    const rows: { store_id: string; journey_id: string; version: number; definition: JourneyDefinition }[] = await tx.query(
      `SELECT "store_id", "journey_id", "version", "definition" FROM "campaign"."journeys" WHERE "store_id" = ANY($1) AND "deleted_at" IS NULL`,
      [stores],
    );
    const journeys: LiveJourney[] = rows.map((r) => ({ storeId: r.store_id, journeyId: r.journey_id, version: r.version, definition: r.definition }));
    for (const f of facts) {
      // Purchases count as conversions (for lift) and merges move runs even for stores without journeys now.
      if (f.kind === 'event' && f.event.type === 'purchase') await this.convert(tx, f.event);
      if (f.kind === 'profile_gone') await this.profileGone(tx, f.storeId, f.profileId, f.into);
      if (journeys.length === 0) continue;
      const of = (storeId: string) => journeys.filter((j) => j.storeId === storeId);
      if (f.kind === 'event') await this.event(tx, f.event, of(f.event.storeId));
      else if (f.kind === 'profile') {
        if (f.profile.stage === 'subscribed') {
          for (const j of started(of(f.profile.storeId), 'welcome')) await this.start(tx, j, { profiles: [f.profile.profileId] }, 'welcome', {});
        }
      } else if (f.kind === 'stock') {
        const { before, after, productId } = f;
        for (const j of started(of(f.storeId), 'low_stock')) {
          if (j.definition.trigger.type !== 'low_stock') continue;
          const t = j.definition.trigger.threshold;
          // A crossing, not a level: the same low figure reported again starts nothing.
          const crossed = before?.level != null && before.level >= t && after.inStock && after.level !== null && after.level < t && after.level > 0;
          if (crossed) await this.start(tx, j, interested(f.storeId, productId, j), `${productId}:low:${f.at}`, { productId, left: after.level });
        }
        if (before && !before.inStock && after.inStock) {
          for (const j of started(of(f.storeId), 'back_in_stock')) {
            await this.start(tx, j, interested(f.storeId, productId, j), `${productId}:back:${f.at}`, { productId, left: after.level });
          }
        }
      } else if (f.kind === 'price_drop') {
        for (const j of started(of(f.storeId), 'price_drop')) {
          const withinDays = j.definition.trigger.type === 'price_drop' ? j.definition.trigger.withinDays : undefined;
          await this.start(tx, j, interested(f.storeId, f.productId, j, ['heart'], withinDays), `${f.productId}:price:${f.at}`, {
            productId: f.productId,
            priceBefore: f.before,
            priceAfter: f.after,
          });
        }
      } else if (f.kind === 'new_product') {
        for (const j of started(of(f.storeId), 'new_product')) await this.newProduct(tx, j, f.storeId, f.productId, f.at);
      }
    }
  }

  private async event(tx: EntityManager, e: EnrichedEvent, journeys: LiveJourney[]): Promise<void> {
    const exiting = journeys.filter((j) => exitEventsOf(j.definition).includes(e.type)).map((j) => j.journeyId);
    if (exiting.length) {
      await tx.query(
        `UPDATE "campaign"."journey_runs" SET "state" = 'exited', "reason" = $4, "due_at" = NULL, "updated_at" = now()
         WHERE "store_id" = $1 AND "profile_id" = $2 AND "journey_id" = ANY($3) AND "state" = 'waiting'`,
        [e.storeId, e.profileId, exiting, `exit on ${e.type}`],
      );
    }
    const p = e.properties as { productId?: string; items?: { productId: string }[]; orderId?: string };
    if (e.type === 'add_to_cart') {
      for (const j of started(journeys, 'cart_abandoned')) await this.cartAdded(tx, j, e, p.productId);
    }
    if (e.type === 'purchase') {
      const productIds = (p.items ?? []).map((i) => i.productId);
      for (const j of started(journeys, 'post_purchase')) {
        await this.start(tx, j, { profiles: [e.profileId] }, e.eventId, { triggerEventId: e.eventId, productId: productIds[0], productIds, orderId: p.orderId });
      }
    }
    if (e.type === 'subscribe') {
      for (const j of started(journeys, 'welcome')) await this.start(tx, j, { profiles: [e.profileId] }, 'welcome', { triggerEventId: e.eventId });
    }
  }

  /** A new add_to_cart restarts the wait of a run that has sent nothing yet; otherwise it starts one. */
  private async cartAdded(tx: EntityManager, j: LiveJourney, e: EnrichedEvent, productId: string | undefined): Promise<void> {
    const entry = entryOf(j.definition);
    const [restarted]: [unknown[]] = await tx.query(
      `UPDATE "campaign"."journey_runs" SET "current_step" = $4, "due_at" = now() + make_interval(secs => $5), "updated_at" = now(),
         "context" = "context" || jsonb_build_object('cartEventId', $6::text, 'productId', $7::text)
       WHERE "store_id" = $1 AND "journey_id" = $2 AND "profile_id" = $3 AND "state" = 'waiting' AND "sends" = 0
         AND "context"->>'cartEventId' IS DISTINCT FROM $6 RETURNING 1`,
      [j.storeId, j.journeyId, e.profileId, entry.stepId, entry.delaySeconds, e.eventId, productId ?? null],
    );
    if (restarted.length > 0) return;
    await this.start(tx, j, { profiles: [e.profileId] }, e.eventId, { triggerEventId: e.eventId, cartEventId: e.eventId, productId });
  }

  private async newProduct(tx: EntityManager, j: LiveJourney, storeId: string, productId: string, at: string): Promise<void> {
    const [product]: { categories: string[]; brand: string | null }[] = await tx.query(`SELECT "categories", "brand" FROM "campaign"."products" WHERE "store_id" = $1 AND "product_id" = $2`, [
      storeId,
      productId,
    ]);
    if (!product) return;
    const limit = (j.definition.trigger.type === 'new_product' && j.definition.trigger.limit) || DEFAULT_NEW_PRODUCT_AUDIENCE;
    // Affinity values are the profile service's lower-cased category paths and brands.
    const audience: Audience = {
      sql: `SELECT s."profile_id" FROM "campaign"."shoppers" s
            CROSS JOIN LATERAL (
              SELECT sum((a->>'score')::float8) AS score FROM (
                SELECT x AS a FROM jsonb_array_elements(COALESCE(s."affinities"->'category', '[]')) x WHERE x->>'value' = ANY(:paths)
                UNION ALL SELECT x FROM jsonb_array_elements(COALESCE(s."affinities"->'brand', '[]')) x WHERE x->>'value' = :brand
              ) m
            ) sc
            WHERE s."store_id" = :store AND sc.score > 0 ORDER BY sc.score DESC, s."profile_id" LIMIT :limit`,
      params: { store: storeId, paths: categoryPaths(product.categories), brand: product.brand?.toLowerCase() ?? '', limit },
    };
    await this.start(tx, j, audience, `${productId}:new:${at}`, { productId });
  }

  /** Purchases after entering a run are its conversions (treatment and holdout alike: that is the lift). */
  private async convert(tx: EntityManager, e: EnrichedEvent): Promise<void> {
    const code = (e.properties as { discountCode?: string }).discountCode ?? null;
    await tx.query(
      `UPDATE "campaign"."journey_runs" SET "converted_at" = COALESCE("converted_at", $3::timestamptz),
         "converted_with_incentive" = "converted_with_incentive" OR ("incentive_code" IS NOT NULL AND "incentive_code" = $4), "updated_at" = now()
       WHERE "store_id" = $1 AND "profile_id" = $2 AND "entered_at" <= $3::timestamptz AND "entered_at" > $3::timestamptz - make_interval(days => $5)
         AND ("converted_at" IS NULL OR ("incentive_code" IS NOT NULL AND "incentive_code" = $4 AND NOT "converted_with_incentive"))`,
      [e.storeId, e.profileId, e.occurredAt, code, CONVERSION_WINDOW_DAYS],
    );
  }

  /** A merged profile's runs follow it (unless the survivor has the same run); an erased one's are deleted. */
  private async profileGone(tx: EntityManager, storeId: string, profileId: string, into: string | undefined): Promise<void> {
    if (into) {
      await tx.query(
        `UPDATE "campaign"."journey_runs" r SET "profile_id" = $3, "updated_at" = now() WHERE r."store_id" = $1 AND r."profile_id" = $2
           AND NOT EXISTS (SELECT 1 FROM "campaign"."journey_runs" o WHERE o."store_id" = $1 AND o."journey_id" = r."journey_id" AND o."profile_id" = $3 AND o."trigger_key" = r."trigger_key")`,
        [storeId, profileId, into],
      );
    }
    await tx.query(`DELETE FROM "campaign"."journey_runs" WHERE "store_id" = $1 AND "profile_id" = $2`, [storeId, profileId]);
  }

  /**
   * Starts the journey for the audience in one statement. Reentry 'once': never twice for a
   * shopper; 'after_exit': not while a run of theirs is waiting (for the same product, on product alerts). Holdout is decided here, in SQL,
   * with the same hash as `inHoldout`. "Already in" is NOT IN over the journey's runs (only the named
   * shopper's, when the audience is one), not NOT EXISTS: a hashed set of them, read once, whatever the
   * planner knows; as an anti-join on tables not yet analyzed it re-read every waiting run for each
   * shopper reached (86 s for a 3,000-shopper alert).
   */
  async start(tx: EntityManager, j: LiveJourney, audience: Audience | { profiles: string[] }, triggerKey: string, context: Record<string, unknown>): Promise<void> {
    const a: Audience = 'profiles' in audience ? { sql: `SELECT unnest(:profiles::text[]) AS "profile_id"`, params: { profiles: audience.profiles } } : audience;
    const entry = entryOf(j.definition);
    // Alerts about a product (stock, price, new arrival) are per product: a shopper waiting for one
    // product's alert still gets another product's.
    const perProduct = PRODUCT_TRIGGERS.has(j.definition.trigger.type) && typeof context.productId === 'string';
    const reentry = j.definition.reentry === 'once' ? '' : `AND r."state" = 'waiting'${perProduct ? ` AND r."context"->>'productId' = ($8::jsonb)->>'productId'` : ''}`;
    const fixed = [j.storeId, j.journeyId, j.version, triggerKey, entry.stepId, entry.delaySeconds, j.definition.holdoutPercent, JSON.stringify(context)];
    const { sql, params } = bind(a, fixed.length);
    // A named shopper (every event-driven start): only their own runs are read.
    const only = 'profiles' in audience ? `AND r."profile_id" = ANY($${fixed.length + 1}::text[])` : '';
    await tx.query(
      `INSERT INTO "campaign"."journey_runs" ("run_id", "store_id", "journey_id", "journey_version", "profile_id", "trigger_key", "state", "holdout", "current_step", "due_at", "context")
       SELECT gen_random_uuid(), $1::varchar, $2::varchar, $3::int, p."profile_id", $4::varchar, 'waiting', ${holdoutSql('$2::varchar', 'p."profile_id"', '$7::float8')},
         $5::varchar, now() + make_interval(secs => $6::float8), $8::jsonb
       FROM (SELECT DISTINCT "profile_id"::varchar AS "profile_id" FROM (${sql}) aud) p
       WHERE p."profile_id" NOT IN (SELECT r."profile_id" FROM "campaign"."journey_runs" r WHERE r."store_id" = $1::varchar AND r."journey_id" = $2::varchar ${only} ${reentry})
       ON CONFLICT ("store_id", "journey_id", "profile_id", "trigger_key") DO NOTHING`,
      [...fixed, ...params],
    );
  }
}

/** A set of shoppers as SQL selecting "profile_id", with :named parameters. */
export interface Audience {
  sql: string;
  params: Record<string, unknown>;
}

/** Turns :named parameters into $n after the `offset` fixed ones. */
function bind(a: Audience, offset: number): { sql: string; params: unknown[] } {
  const names = Object.keys(a.params);
  const sql = a.sql.replace(/(?<!:):([a-z]+)\b/g, (m, name: string) => {
    const i = names.indexOf(name);
    return i < 0 ? m : `$${offset + i + 1}`;
  });
  return { sql, params: names.map((n) => a.params[n]) };
}

/** Shoppers who viewed, carted or hearted the product (the trigger's kinds), recently if it says so. */
function interested(storeId: string, productId: string, j: LiveJourney, kinds?: string[], withinDays?: number): Audience {
  const t = j.definition.trigger as { kinds?: string[]; withinDays?: number };
  const days = withinDays ?? t.withinDays ?? null;
  return {
    sql: `SELECT "profile_id" FROM "campaign"."interests" WHERE "store_id" = :store AND "product_id" = :product AND "kind" = ANY(:kinds)
          AND (:days::int IS NULL OR "at" > now() - make_interval(days => :days::int))`,
    params: { store: storeId, product: productId, kinds: kinds ?? t.kinds ?? ['view', 'cart', 'heart'], days },
  };
}

const started = (journeys: LiveJourney[], trigger: TriggerType) => journeys.filter((j) => j.definition.status === 'active' && j.definition.trigger.type === trigger);

function storeOf(f: Fact): string {
  if (f.kind === 'event') return f.event.storeId;
  if (f.kind === 'profile') return f.profile.storeId;
  return f.storeId;
}
