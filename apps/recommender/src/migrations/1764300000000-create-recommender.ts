import type { MigrationInterface, QueryRunner } from 'typeorm';

/**
 * The recommender's own tables. `revision` (one sequence for all) lets every serving replica
 * pick up what changed since its last look with an index scan, so caches stay caches.
 */
export class CreateRecommender1764300000000 implements MigrationInterface {
  name = 'CreateRecommender1764300000000';

  async up(q: QueryRunner): Promise<void> {
    await q.query(`CREATE SEQUENCE "recommender"."revision"`);
    const revision = `"revision" bigint NOT NULL DEFAULT nextval('"recommender"."revision"')`;
    await q.query(`CREATE TABLE "recommender"."products" (
      "store_id" varchar(64) NOT NULL,
      "product_id" varchar(128) NOT NULL,
      "title" text NOT NULL,
      "brand" varchar(128),
      "categories" text[] NOT NULL DEFAULT '{}',
      "price" double precision NOT NULL,
      "attributes" jsonb NOT NULL DEFAULT '{}',
      "in_stock" boolean NOT NULL,
      "hidden" boolean NOT NULL DEFAULT false,
      "variant_group" varchar(128),
      "created_at" timestamptz NOT NULL,
      "updated_at" timestamptz NOT NULL,
      "stock_updated_at" timestamptz,
      ${revision},
      PRIMARY KEY ("store_id", "product_id")
    )`);
    await q.query(`CREATE INDEX "products_revision_idx" ON "recommender"."products" ("store_id", "revision")`);
    // One row per (event, product, kind): the key makes a redelivered event a no-op.
    await q.query(`CREATE TABLE "recommender"."interactions" (
      "store_id" varchar(64) NOT NULL,
      "event_id" varchar(128) NOT NULL,
      "product_id" varchar(128) NOT NULL,
      "kind" varchar(16) NOT NULL,
      "profile_id" varchar(128) NOT NULL,
      "context_id" varchar(128),
      "at" timestamptz NOT NULL,
      PRIMARY KEY ("store_id", "event_id", "product_id", "kind")
    )`);
    await q.query(`CREATE INDEX "interactions_shopper_idx" ON "recommender"."interactions" ("store_id", "profile_id", "at" DESC)`);
    await q.query(`CREATE INDEX "interactions_at_idx" ON "recommender"."interactions" ("store_id", "at")`);
    // heat = log2(Σ weight · 2^(hours since 2020 / half-life)): adding an event is a log-add, and
    // the order by heat is the order by decayed score at any moment, so it is indexable.
    await q.query(`CREATE TABLE "recommender"."item_stats" (
      "store_id" varchar(64) NOT NULL,
      "scope" varchar(64) NOT NULL,
      "product_id" varchar(128) NOT NULL,
      "heat" double precision NOT NULL,
      "orders" integer NOT NULL DEFAULT 0,
      ${revision},
      PRIMARY KEY ("store_id", "scope", "product_id")
    )`);
    await q.query(`CREATE INDEX "item_stats_revision_idx" ON "recommender"."item_stats" ("store_id", "revision")`);
    // Trending per country is read straight from here, hottest first.
    await q.query(`CREATE INDEX "item_stats_heat_idx" ON "recommender"."item_stats" ("store_id", "scope", "heat" DESC)`);
    await q.query(`CREATE TABLE "recommender"."neighbours" (
      "store_id" varchar(64) NOT NULL,
      "kind" varchar(32) NOT NULL,
      "product_id" varchar(128) NOT NULL,
      "items" text[] NOT NULL,
      "scores" real[] NOT NULL,
      PRIMARY KEY ("store_id", "kind", "product_id")
    )`);
    await q.query(`CREATE TABLE "recommender"."models" (
      "store_id" varchar(64) PRIMARY KEY,
      "built_at" timestamptz NOT NULL,
      "stats" jsonb NOT NULL,
      ${revision}
    )`);
    await q.query(`CREATE TABLE "recommender"."rules" (
      "store_id" varchar(64) PRIMARY KEY,
      "rules" jsonb NOT NULL,
      "updated_at" timestamptz NOT NULL DEFAULT now(),
      ${revision}
    )`);
    // The latest personalization consent per shopper; withdrawn: served best sellers, never their history.
    await q.query(`CREATE TABLE "recommender"."consents" (
      "store_id" varchar(64) NOT NULL,
      "profile_id" varchar(128) NOT NULL,
      "personalization" boolean NOT NULL,
      "at" timestamptz NOT NULL,
      PRIMARY KEY ("store_id", "profile_id")
    )`);
  }

  async down(q: QueryRunner): Promise<void> {
    for (const t of ['consents', 'rules', 'models', 'neighbours', 'item_stats', 'interactions', 'products']) await q.query(`DROP TABLE "recommender"."${t}"`);
    await q.query(`DROP SEQUENCE "recommender"."revision"`);
  }
}
