import type { MigrationInterface, QueryRunner } from 'typeorm';

/**
 * On-site campaigns and the decisions taken for them (with what the shopper did with each), offers
 * and the single-use codes issued for them. Caps, cool-downs, budgets and "one offer at a time" are
 * all read from these tables, so every replica enforces the same limits.
 */
export class CreateDecisions1765000000200 implements MigrationInterface {
  name = 'CreateDecisions1765000000200';

  async up(q: QueryRunner): Promise<void> {
    await q.query(`CREATE TABLE "campaign"."onsite_campaigns" (
      "store_id" varchar(64) NOT NULL,
      "campaign_id" varchar(128) NOT NULL,
      "name" varchar(200) NOT NULL,
      "placement" varchar(64) NOT NULL,
      "priority" integer NOT NULL DEFAULT 0,
      "status" varchar(16) NOT NULL,
      "starts_at" timestamptz,
      "ends_at" timestamptz,
      "definition" jsonb NOT NULL,
      "created_at" timestamptz NOT NULL DEFAULT now(),
      "updated_at" timestamptz NOT NULL DEFAULT now(),
      PRIMARY KEY ("store_id", "campaign_id")
    )`);
    await q.query(`CREATE INDEX "onsite_campaigns_placement_idx" ON "campaign"."onsite_campaigns" ("store_id", "placement", "priority" DESC) WHERE "status" = 'active'`);
    // One row per answer that named a campaign (shown or held out): the events below refer to it.
    await q.query(`CREATE TABLE "campaign"."decisions" (
      "decision_id" uuid PRIMARY KEY,
      "store_id" varchar(64) NOT NULL,
      "profile_id" varchar(64) NOT NULL,
      "placement" varchar(64) NOT NULL,
      "campaign_id" varchar(128) NOT NULL,
      "variant_id" varchar(64),
      "holdout" boolean NOT NULL,
      "offer_code" varchar(64),
      "at" timestamptz NOT NULL DEFAULT now()
    )`);
    await q.query(`CREATE INDEX "decisions_profile_idx" ON "campaign"."decisions" ("store_id", "profile_id")`);
    // At most one impression, click and dismiss per decision: a retried beacon counts once.
    await q.query(`CREATE TABLE "campaign"."decision_events" (
      "decision_id" uuid NOT NULL,
      "type" varchar(16) NOT NULL,
      "store_id" varchar(64) NOT NULL,
      "profile_id" varchar(64) NOT NULL,
      "campaign_id" varchar(128) NOT NULL,
      "variant_id" varchar(64),
      "at" timestamptz NOT NULL DEFAULT now(),
      PRIMARY KEY ("decision_id", "type")
    )`);
    await q.query(`CREATE INDEX "decision_events_shopper_idx" ON "campaign"."decision_events" ("store_id", "profile_id", "campaign_id", "at" DESC)`);
    await q.query(`CREATE TABLE "campaign"."offers" (
      "store_id" varchar(64) NOT NULL,
      "offer_id" varchar(128) NOT NULL,
      "name" varchar(200) NOT NULL,
      "kind" varchar(16) NOT NULL,
      "status" varchar(16) NOT NULL,
      "discount" jsonb NOT NULL,
      "code_prefix" varchar(16) NOT NULL,
      "validity_days" integer NOT NULL,
      "budget" integer NOT NULL,
      "issued" integer NOT NULL DEFAULT 0,
      "created_at" timestamptz NOT NULL DEFAULT now(),
      "updated_at" timestamptz NOT NULL DEFAULT now(),
      PRIMARY KEY ("store_id", "offer_id")
    )`);
    // profile_id is cleared when the shopper is erased: the code still counts against the budget.
    await q.query(`CREATE TABLE "campaign"."offer_codes" (
      "store_id" varchar(64) NOT NULL,
      "code" varchar(64) NOT NULL,
      "offer_id" varchar(128) NOT NULL,
      "profile_id" varchar(64),
      "issued_at" timestamptz NOT NULL DEFAULT now(),
      "expires_at" timestamptz NOT NULL,
      "redeemed_at" timestamptz,
      "order_id" varchar(128),
      PRIMARY KEY ("store_id", "code")
    )`);
    await q.query(`CREATE UNIQUE INDEX "offer_codes_shopper_idx" ON "campaign"."offer_codes" ("store_id", "profile_id", "offer_id")`);
    await q.query(`CREATE INDEX "offer_codes_offer_idx" ON "campaign"."offer_codes" ("store_id", "offer_id")`);
  }

  async down(q: QueryRunner): Promise<void> {
    for (const t of ['offer_codes', 'offers', 'decision_events', 'decisions', 'onsite_campaigns']) await q.query(`DROP TABLE "campaign"."${t}"`);
  }
}
