import type { MigrationInterface, QueryRunner } from 'typeorm';

/**
 * What the campaign service keeps of other services' data, rebuilt from their topics: shoppers
 * (profiles.changed.v1), who showed interest in which product and what is in their cart
 * (events.enriched.v1), and products with their price and stock (catalog topics). Caches of the
 * streams, never read by another service.
 */
export class CreateAudience1765000000000 implements MigrationInterface {
  name = 'CreateAudience1765000000000';

  async up(q: QueryRunner): Promise<void> {
    await q.query(`CREATE TABLE "campaign"."shoppers" (
      "store_id" varchar(64) NOT NULL,
      "profile_id" varchar(64) NOT NULL,
      "customer_id" varchar(128),
      "anonymous_id" varchar(128),
      "email" varchar(320),
      "consent_email" boolean,
      "consent_push" boolean,
      "stage" varchar(32) NOT NULL,
      "timezone" varchar(64),
      "country" varchar(8),
      "orders_count" integer NOT NULL DEFAULT 0,
      "revenue" double precision NOT NULL DEFAULT 0,
      "discount_order_share" double precision,
      "offer_response_rate" double precision,
      "segments" text[] NOT NULL DEFAULT '{}',
      "traits" jsonb NOT NULL DEFAULT '{}',
      "affinities" jsonb NOT NULL DEFAULT '{}',
      "purchased" text[] NOT NULL DEFAULT '{}',
      "computed_at" timestamptz NOT NULL,
      PRIMARY KEY ("store_id", "profile_id")
    )`);
    // Who viewed, carted or hearted a product: the audience of its stock and price alerts.
    await q.query(`CREATE TABLE "campaign"."interests" (
      "store_id" varchar(64) NOT NULL,
      "product_id" varchar(128) NOT NULL,
      "profile_id" varchar(64) NOT NULL,
      "kind" varchar(8) NOT NULL,
      "at" timestamptz NOT NULL,
      PRIMARY KEY ("store_id", "product_id", "profile_id", "kind")
    )`);
    await q.query(`CREATE INDEX "interests_profile_idx" ON "campaign"."interests" ("store_id", "profile_id")`);
    await q.query(`CREATE TABLE "campaign"."cart_items" (
      "store_id" varchar(64) NOT NULL,
      "profile_id" varchar(64) NOT NULL,
      "product_id" varchar(128) NOT NULL,
      "quantity" integer NOT NULL,
      "at" timestamptz NOT NULL,
      PRIMARY KEY ("store_id", "profile_id", "product_id")
    )`);
    // Web push subscriptions the browser reported (push_subscribed events); one browser, one row.
    await q.query(`CREATE TABLE "campaign"."push_subscriptions" (
      "store_id" varchar(64) NOT NULL,
      "endpoint" varchar(2048) NOT NULL,
      "profile_id" varchar(64) NOT NULL,
      "p256dh" varchar(256) NOT NULL,
      "auth" varchar(128) NOT NULL,
      "at" timestamptz NOT NULL,
      PRIMARY KEY ("store_id", "endpoint")
    )`);
    await q.query(`CREATE INDEX "push_subscriptions_profile_idx" ON "campaign"."push_subscriptions" ("store_id", "profile_id")`);
    // Addresses and shoppers not to message on a channel: an unsubscribe link, a hard bounce. Held
    // here as well as sent on to the profile, so nothing goes out while the profile catches up.
    await q.query(`CREATE TABLE "campaign"."suppressions" (
      "store_id" varchar(64) NOT NULL,
      "profile_id" varchar(64) NOT NULL,
      "channel" varchar(16) NOT NULL,
      "reason" varchar(64) NOT NULL,
      "at" timestamptz NOT NULL,
      PRIMARY KEY ("store_id", "profile_id", "channel")
    )`);
    await q.query(`CREATE TABLE "campaign"."products" (
      "store_id" varchar(64) NOT NULL,
      "product_id" varchar(128) NOT NULL,
      "title" text NOT NULL,
      "brand" varchar(128),
      "categories" text[] NOT NULL DEFAULT '{}',
      "price" double precision NOT NULL,
      "sale_price" double precision,
      "currency" varchar(3) NOT NULL,
      "image_url" text,
      "in_stock" boolean NOT NULL,
      "stock_level" integer,
      "hidden" boolean NOT NULL DEFAULT false,
      "created_at" timestamptz NOT NULL,
      "updated_at" timestamptz NOT NULL,
      "stock_updated_at" timestamptz,
      PRIMARY KEY ("store_id", "product_id")
    )`);
  }

  async down(q: QueryRunner): Promise<void> {
    for (const t of ['products', 'suppressions', 'push_subscriptions', 'cart_items', 'interests', 'shoppers']) await q.query(`DROP TABLE "campaign"."${t}"`);
  }
}
