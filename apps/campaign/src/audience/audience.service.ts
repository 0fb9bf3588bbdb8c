import { Inject, Injectable } from '@nestjs/common';
import { InjectDataSource } from '@nestjs/typeorm';
import { EnrichedEvent, InventoryChange, MERGED_INTO_HEADER, PrivacyErasure, Product, ProfileView, Validator, profileIdFor } from '@signal/contracts';
import { UnprocessableMessageError, type ConsumedMessage } from '@signal/platform';
import type { DataSource, EntityManager } from 'typeorm';
import { FACT_HANDLERS, type Fact, type FactHandler } from './facts';

const profileView = new Validator(ProfileView);
const enriched = new Validator(EnrichedEvent);
const product = new Validator(Product);
const inventory = new Validator(InventoryChange);
const erasure = new Validator(PrivacyErasure);

/** Interest kinds by event type: who counts as interested in a product's stock and price. */
const INTEREST: Partial<Record<EnrichedEvent['type'], string>> = { product_view: 'view', add_to_cart: 'cart', favorite: 'heart' };

const splitKey = (key: string | null): [string, string] | null => {
  const at = key?.indexOf(':') ?? -1;
  return key && at > 0 ? [key.slice(0, at), key.slice(at + 1)] : null;
};

const effectivePrice = (p: { price: number; salePrice?: number }) => p.salePrice ?? p.price;

/**
 * Keeps the campaign service's picture of shoppers, their interests and carts, and the catalog,
 * from the topics, and hands what it learned (facts) to journeys within the same transaction: a
 * batch's rows and what its facts started are stored together or not at all. A redelivered batch
 * that was stored already finds nothing new (or hands on facts the handlers dedupe).
 */
@Injectable()
export class AudienceService {
  constructor(
    @InjectDataSource() private readonly db: DataSource,
    @Inject(FACT_HANDLERS) private readonly handlers: FactHandler[],
  ) {}

  /** In the transaction that stored what the facts say: both happen or neither (no trigger lost to a crash between). */
  private async handOn(tx: EntityManager, facts: Fact[]): Promise<void> {
    if (facts.length === 0) return;
    for (const h of this.handlers) await h.handle(facts, tx);
  }

  /**
   * A batch in one transaction: `store` takes each message (answering an error for one it cannot
   * process) and adds the facts it learned, which are handed on in the same transaction. The valid
   * messages are stored first; an invalid one is then thrown, to be dead-lettered on its own.
   */
  private async storeEach(messages: ConsumedMessage[], store: (tx: EntityManager, m: ConsumedMessage, facts: Fact[]) => Promise<UnprocessableMessageError | void>): Promise<void> {
    let invalid: UnprocessableMessageError | undefined;
    await this.db.transaction(async (tx) => {
      const facts: Fact[] = [];
      for (const m of messages) {
        const error = await store(tx, m, facts);
        if (error) invalid ??= error;
      }
      await this.handOn(tx, facts);
    });
    if (invalid) throw invalid;
  }

  async profilesChanged(messages: ConsumedMessage[]): Promise<void> {
    await this.storeEach(messages, async (tx, m, facts) => {
      if (m.value === null) {
        const key = splitKey(m.key);
        if (!key) return;
        const into = m.headers[MERGED_INTO_HEADER] || undefined;
        await this.profileGone(tx, key[0], key[1], into);
        facts.push({ kind: 'profile_gone', storeId: key[0], profileId: key[1], into });
        return;
      }
      const checked = profileView.validate(m.value);
      if (!checked.ok) {
        return new UnprocessableMessageError('invalid_profile', checked.errors);
      }
      const p = checked.value;
      const rows = await tx.query(
        `INSERT INTO "campaign"."shoppers" AS s ("store_id", "profile_id", "customer_id", "anonymous_id", "email", "consent_email", "consent_push", "stage", "timezone", "country",
           "orders_count", "revenue", "discount_order_share", "offer_response_rate", "segments", "traits", "affinities", "purchased", "computed_at")
         VALUES ($1, $2, $3, $19, $4, $5, $6, $7, $8, $9, $10, $11, $12, $13, $14, $15, $16, $17, $18)
         ON CONFLICT ("store_id", "profile_id") DO UPDATE SET
           "customer_id" = EXCLUDED."customer_id", "anonymous_id" = EXCLUDED."anonymous_id", "email" = EXCLUDED."email", "consent_email" = EXCLUDED."consent_email", "consent_push" = EXCLUDED."consent_push",
           "stage" = EXCLUDED."stage", "timezone" = EXCLUDED."timezone", "country" = EXCLUDED."country", "orders_count" = EXCLUDED."orders_count",
           "revenue" = EXCLUDED."revenue", "discount_order_share" = EXCLUDED."discount_order_share", "offer_response_rate" = EXCLUDED."offer_response_rate",
           "segments" = EXCLUDED."segments", "traits" = EXCLUDED."traits", "affinities" = EXCLUDED."affinities", "purchased" = EXCLUDED."purchased",
           "computed_at" = EXCLUDED."computed_at"
         WHERE s."computed_at" <= EXCLUDED."computed_at"
         RETURNING 1`,
        [
          p.storeId,
          p.profileId,
          p.customerId ?? null,
          p.email ?? null,
          p.consent.email ?? null,
          p.consent.push ?? null,
          p.stage,
          p.timezone ?? null,
          p.geo?.country ?? null,
          p.orders.count,
          p.orders.revenue,
          p.discountSensitivity.orderShare ?? null,
          p.discountSensitivity.offerResponseRate ?? null,
          p.segments,
          JSON.stringify(p.traits),
          JSON.stringify({ category: p.affinities.category.slice(0, 10), brand: p.affinities.brand.slice(0, 10), priceBand: p.affinities.priceBand.slice(0, 3) }),
          p.purchased.map((x) => x.productId),
          p.computedAt,
          p.identities.find((i) => i.kind === 'anonymous')?.value ?? null,
        ],
      );
      // An older version arriving late changes nothing and is not handed on.
      if ((rows as unknown[]).length > 0) facts.push({ kind: 'profile', profile: p });
    });
  }

  private async profileGone(tx: EntityManager, storeId: string, profileId: string, into: string | undefined): Promise<void> {
    if (into) {
      await tx.query(
        `INSERT INTO "campaign"."interests" ("store_id", "product_id", "profile_id", "kind", "at")
         SELECT "store_id", "product_id", $3, "kind", "at" FROM "campaign"."interests" WHERE "store_id" = $1 AND "profile_id" = $2
         ON CONFLICT ("store_id", "product_id", "profile_id", "kind") DO UPDATE SET "at" = GREATEST("interests"."at", EXCLUDED."at")`,
        [storeId, profileId, into],
      );
      await tx.query(
        `INSERT INTO "campaign"."cart_items" ("store_id", "profile_id", "product_id", "quantity", "at")
         SELECT "store_id", $3, "product_id", "quantity", "at" FROM "campaign"."cart_items" WHERE "store_id" = $1 AND "profile_id" = $2
         ON CONFLICT ("store_id", "profile_id", "product_id") DO NOTHING`,
        [storeId, profileId, into],
      );
    }
    if (into) {
      await tx.query(`UPDATE "campaign"."push_subscriptions" SET "profile_id" = $3 WHERE "store_id" = $1 AND "profile_id" = $2`, [storeId, profileId, into]);
      await tx.query(
        `INSERT INTO "campaign"."suppressions" ("store_id", "profile_id", "channel", "reason", "at")
         SELECT "store_id", $3, "channel", "reason", "at" FROM "campaign"."suppressions" WHERE "store_id" = $1 AND "profile_id" = $2
         ON CONFLICT DO NOTHING`,
        [storeId, profileId, into],
      );
    }
    for (const table of ['interests', 'cart_items', 'push_subscriptions', 'suppressions', 'shoppers']) {
      await tx.query(`DELETE FROM "campaign"."${table}" WHERE "store_id" = $1 AND "profile_id" = $2`, [storeId, profileId]);
    }
  }

  async erasures(messages: ConsumedMessage[]): Promise<void> {
    await this.storeEach(messages, async (tx, m, facts) => {
      const checked = erasure.validate(m.value);
      if (!checked.ok) {
        return new UnprocessableMessageError('invalid_erasure', checked.errors);
      }
      const e = checked.value;
      const ids = new Set([
        e.profileId,
        ...e.identities.map((i) => profileIdFor(e.storeId, i.kind === 'customer' ? { customerId: i.value, anonymousId: '' } : { anonymousId: i.value })),
      ]);
      for (const id of ids) {
        await this.profileGone(tx, e.storeId, id, undefined);
        facts.push({ kind: 'profile_gone', storeId: e.storeId, profileId: id });
      }
    });
  }

  async events(messages: ConsumedMessage[]): Promise<void> {
    const facts: Fact[] = [];
    let invalid: UnprocessableMessageError | undefined;
    const checked: EnrichedEvent[] = [];
    for (const m of messages) {
      const c = enriched.validate(m.value);
      if (c.ok) checked.push(c.value);
      else invalid ??= new UnprocessableMessageError('invalid_event', c.errors);
    }
    await this.db.transaction(async (tx) => {
      // Interests of the whole batch in one statement (most events are views): the latest time per key.
      const interests = checked.flatMap((e) => {
        const kind = INTEREST[e.type];
        const productId = (e.properties as { productId?: string }).productId;
        return kind && productId ? [{ store_id: e.storeId, product_id: productId, profile_id: e.profileId, kind, at: e.occurredAt }] : [];
      });
      if (interests.length) {
        await tx.query(
          `INSERT INTO "campaign"."interests" ("store_id", "product_id", "profile_id", "kind", "at")
           SELECT DISTINCT ON (store_id, product_id, profile_id, kind) store_id, product_id, profile_id, kind, at
           FROM jsonb_to_recordset($1::jsonb) AS v(store_id varchar, product_id varchar, profile_id varchar, kind varchar, at timestamptz)
           ORDER BY store_id, product_id, profile_id, kind, at DESC
           ON CONFLICT ("store_id", "product_id", "profile_id", "kind") DO UPDATE SET "at" = GREATEST("interests"."at", EXCLUDED."at")`,
          [JSON.stringify(interests)],
        );
      }
      // The rest in order, after the interests: an unfavorite removes only hearts older than itself.
      for (const e of checked) {
        await this.recordEvent(tx, e);
        facts.push({ kind: 'event', event: e });
      }
      await this.handOn(tx, facts);
    });
    if (invalid) throw invalid;
  }

  /** What an event changes besides interests: push subscriptions, opt-ins, hearts removed, the cart. */
  private async recordEvent(tx: EntityManager, e: EnrichedEvent): Promise<void> {
    const p = e.properties as { productId?: string; quantity?: number; items?: { productId: string }[] };
    if (e.type === 'push_subscribed') {
      const sub = e.properties as { endpoint: string; keys: { p256dh: string; auth: string } };
      await tx.query(
        `INSERT INTO "campaign"."push_subscriptions" AS s ("store_id", "endpoint", "profile_id", "p256dh", "auth", "at") VALUES ($1, $2, $3, $4, $5, $6)
         ON CONFLICT ("store_id", "endpoint") DO UPDATE SET "profile_id" = EXCLUDED."profile_id", "p256dh" = EXCLUDED."p256dh", "auth" = EXCLUDED."auth", "at" = EXCLUDED."at"
         WHERE s."at" <= EXCLUDED."at"`,
        [e.storeId, sub.endpoint, e.profileId, sub.keys.p256dh, sub.keys.auth, e.occurredAt],
      );
    }
    if (e.type === 'unsubscribe' && (e.properties as { channel?: string }).channel === 'push') {
      await tx.query(`DELETE FROM "campaign"."push_subscriptions" WHERE "store_id" = $1 AND "profile_id" = $2 AND "at" <= $3`, [e.storeId, e.profileId, e.occurredAt]);
    }
    // Opting in again lifts an earlier unsubscribe (not a bounce: that address is dead).
    const optIn = e.type === 'subscribe' ? [(e.properties as { channel: string }).channel] : e.type === 'consent' ? (['email', 'push'] as const).filter((c) => (e.properties as Record<string, unknown>)[c] === true) : [];
    if (optIn.length) {
      await tx.query(`DELETE FROM "campaign"."suppressions" WHERE "store_id" = $1 AND "profile_id" = $2 AND "channel" = ANY($3) AND "reason" <> 'bounce' AND "at" <= $4`, [
        e.storeId,
        e.profileId,
        optIn,
        e.occurredAt,
      ]);
    }
    if (e.type === 'unfavorite' && p.productId) {
      await tx.query(`DELETE FROM "campaign"."interests" WHERE "store_id" = $1 AND "product_id" = $2 AND "profile_id" = $3 AND "kind" = 'heart' AND "at" <= $4`, [
        e.storeId,
        p.productId,
        e.profileId,
        e.occurredAt,
      ]);
    }
    // The cart as the events tell it; an event older than the line it would change is ignored.
    if (e.type === 'add_to_cart' && p.productId) {
      await tx.query(
        `INSERT INTO "campaign"."cart_items" AS c ("store_id", "profile_id", "product_id", "quantity", "at") VALUES ($1, $2, $3, $4, $5)
         ON CONFLICT ("store_id", "profile_id", "product_id") DO UPDATE SET "quantity" = c."quantity" + EXCLUDED."quantity", "at" = EXCLUDED."at"
         WHERE c."at" < EXCLUDED."at"`,
        [e.storeId, e.profileId, p.productId, p.quantity ?? 1, e.occurredAt],
      );
    }
    if (e.type === 'remove_from_cart' && p.productId) {
      await tx.query(
        `UPDATE "campaign"."cart_items" SET "quantity" = "quantity" - $4, "at" = $5 WHERE "store_id" = $1 AND "profile_id" = $2 AND "product_id" = $3 AND "at" < $5`,
        [e.storeId, e.profileId, p.productId, p.quantity ?? 1, e.occurredAt],
      );
      await tx.query(`DELETE FROM "campaign"."cart_items" WHERE "store_id" = $1 AND "profile_id" = $2 AND "quantity" <= 0`, [e.storeId, e.profileId]);
    }
    if (e.type === 'purchase') {
      // What was bought leaves the cart (lines added after the purchase stay).
      await tx.query(`DELETE FROM "campaign"."cart_items" WHERE "store_id" = $1 AND "profile_id" = $2 AND "at" <= $3 AND "product_id" = ANY($4)`, [
        e.storeId,
        e.profileId,
        e.occurredAt,
        (p.items ?? []).map((i) => i.productId),
      ]);
    }
  }

  async products(messages: ConsumedMessage[]): Promise<void> {
    await this.storeEach(messages, async (tx, m, facts) => {
      if (m.value === null) {
        const key = splitKey(m.key);
        if (key) await tx.query(`UPDATE "campaign"."products" SET "hidden" = true WHERE "store_id" = $1 AND "product_id" = $2`, key);
        return;
      }
      const checked = product.validate(m.value);
      if (!checked.ok) {
        return new UnprocessableMessageError('invalid_product', checked.errors);
      }
      const p = checked.value;
      const [before] = (await tx.query(
        `SELECT "price", "sale_price", "in_stock", "stock_level", "updated_at", "stock_updated_at" FROM "campaign"."products" WHERE "store_id" = $1 AND "product_id" = $2 FOR UPDATE`,
        [p.storeId, p.productId],
      )) as { price: number; sale_price: number | null; in_stock: boolean; stock_level: number | null; updated_at: Date; stock_updated_at: Date | null }[];
      if (before && before.updated_at.getTime() > Date.parse(p.updatedAt)) return; // an older version, late
      // A newer stock message than this product version keeps its say on stock.
      const stockIsNewer = !!before?.stock_updated_at && before.stock_updated_at.getTime() > Date.parse(p.updatedAt);
      const inStock = stockIsNewer ? before.in_stock : p.inStock && (p.stockLevel === undefined || p.stockLevel > 0);
      const level = stockIsNewer ? before.stock_level : (p.stockLevel ?? null);
      await tx.query(
        `INSERT INTO "campaign"."products" ("store_id", "product_id", "title", "brand", "categories", "price", "sale_price", "currency", "image_url", "in_stock", "stock_level", "hidden", "created_at", "updated_at")
         VALUES ($1, $2, $3, $4, $5, $6, $7, $8, $9, $10, $11, $12, $13, $14)
         ON CONFLICT ("store_id", "product_id") DO UPDATE SET "title" = EXCLUDED."title", "brand" = EXCLUDED."brand", "categories" = EXCLUDED."categories",
           "price" = EXCLUDED."price", "sale_price" = EXCLUDED."sale_price", "currency" = EXCLUDED."currency", "image_url" = EXCLUDED."image_url",
           "in_stock" = EXCLUDED."in_stock", "stock_level" = EXCLUDED."stock_level", "hidden" = EXCLUDED."hidden", "created_at" = EXCLUDED."created_at", "updated_at" = EXCLUDED."updated_at"`,
        [p.storeId, p.productId, p.title, p.brand ?? null, p.categories, p.price, p.salePrice ?? null, p.currency, p.imageUrl ?? null, inStock, level, p.hidden ?? false, p.createdAt, p.updatedAt],
      );
      const at = p.updatedAt;
      if (!before) {
        facts.push({ kind: 'new_product', storeId: p.storeId, productId: p.productId, at });
        return;
      }
      const was = before.sale_price ?? before.price;
      if (effectivePrice(p) < was) facts.push({ kind: 'price_drop', storeId: p.storeId, productId: p.productId, before: was, after: effectivePrice(p), at });
      if (!stockIsNewer && (before.in_stock !== inStock || before.stock_level !== level)) {
        facts.push({ kind: 'stock', storeId: p.storeId, productId: p.productId, before: { level: before.stock_level, inStock: before.in_stock }, after: { level, inStock }, at });
      }
    });
  }

  async inventory(messages: ConsumedMessage[]): Promise<void> {
    await this.storeEach(messages, async (tx, m, facts) => {
      const checked = inventory.validate(m.value);
      if (!checked.ok) {
        return new UnprocessableMessageError('invalid_inventory', checked.errors);
      }
      const c = checked.value;
      if (c.variantId) return; // product-level stock only: variant stock is not alerted on
      const [before] = (await tx.query(
        `SELECT "in_stock", "stock_level" FROM "campaign"."products" WHERE "store_id" = $1 AND "product_id" = $2
           AND ("stock_updated_at" IS NULL OR "stock_updated_at" < $3) AND "updated_at" <= $3 FOR UPDATE`,
        [c.storeId, c.productId, c.updatedAt],
      )) as { in_stock: boolean; stock_level: number | null }[];
      if (!before) return; // unknown product, or a newer stock figure is already held
      const inStock = c.inStock && c.stockLevel > 0;
      await tx.query(`UPDATE "campaign"."products" SET "in_stock" = $3, "stock_level" = $4, "stock_updated_at" = $5 WHERE "store_id" = $1 AND "product_id" = $2`, [
        c.storeId,
        c.productId,
        inStock,
        c.stockLevel,
        c.updatedAt,
      ]);
      if (before.in_stock !== inStock || before.stock_level !== c.stockLevel) {
        facts.push({
          kind: 'stock',
          storeId: c.storeId,
          productId: c.productId,
          before: { level: before.stock_level, inStock: before.in_stock },
          after: { level: c.stockLevel, inStock },
          at: c.updatedAt,
        });
      }
    });
  }
}
