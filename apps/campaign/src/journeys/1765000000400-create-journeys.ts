import type { MigrationInterface, QueryRunner } from 'typeorm';

/**
 * Journey definitions (every saved version kept, so a run finishes on the steps it started with)
 * and journey runs: one row per shopper per trigger, which is also the run's durable timer.
 */
export class CreateJourneys1765000000400 implements MigrationInterface {
  name = 'CreateJourneys1765000000400';

  async up(q: QueryRunner): Promise<void> {
    await q.query(`CREATE TABLE "campaign"."journeys" (
      "store_id" varchar(64) NOT NULL,
      "journey_id" varchar(64) NOT NULL,
      "version" integer NOT NULL,
      "name" varchar(200) NOT NULL,
      "trigger" varchar(32) NOT NULL,
      "status" varchar(16) NOT NULL,
      "definition" jsonb NOT NULL,
      "created_at" timestamptz NOT NULL DEFAULT now(),
      "updated_at" timestamptz NOT NULL DEFAULT now(),
      "deleted_at" timestamptz,
      PRIMARY KEY ("store_id", "journey_id")
    )`);
    // Triggers look up a store's live journeys by trigger on every fact.
    await q.query(`CREATE INDEX "journeys_trigger_idx" ON "campaign"."journeys" ("store_id", "trigger") WHERE "deleted_at" IS NULL`);
    await q.query(`CREATE TABLE "campaign"."journey_versions" (
      "store_id" varchar(64) NOT NULL,
      "journey_id" varchar(64) NOT NULL,
      "version" integer NOT NULL,
      "definition" jsonb NOT NULL,
      "saved_at" timestamptz NOT NULL DEFAULT now(),
      PRIMARY KEY ("store_id", "journey_id", "version")
    )`);
    await q.query(`CREATE TABLE "campaign"."journey_runs" (
      "run_id" uuid PRIMARY KEY,
      "store_id" varchar(64) NOT NULL,
      "journey_id" varchar(64) NOT NULL,
      "journey_version" integer NOT NULL,
      "profile_id" varchar(64) NOT NULL,
      "trigger_key" varchar(300) NOT NULL,
      "state" varchar(16) NOT NULL,
      "holdout" boolean NOT NULL,
      "current_step" varchar(64),
      "due_at" timestamptz,
      "context" jsonb NOT NULL DEFAULT '{}',
      "sends" integer NOT NULL DEFAULT 0,
      "reason" text,
      "incentive_code" varchar(128),
      "converted_at" timestamptz,
      "converted_with_incentive" boolean NOT NULL DEFAULT false,
      "entered_at" timestamptz NOT NULL DEFAULT now(),
      "updated_at" timestamptz NOT NULL DEFAULT now(),
      CONSTRAINT "journey_runs_trigger_uq" UNIQUE ("store_id", "journey_id", "profile_id", "trigger_key")
    )`);
    // The timer wheel: only waiting runs, in due order.
    await q.query(`CREATE INDEX "journey_runs_due_idx" ON "campaign"."journey_runs" ("due_at") WHERE "state" = 'waiting'`);
    // Exits, restarts and conversions find a shopper's runs.
    await q.query(`CREATE INDEX "journey_runs_profile_idx" ON "campaign"."journey_runs" ("store_id", "profile_id")`);
    await q.query(`CREATE INDEX "journey_runs_journey_idx" ON "campaign"."journey_runs" ("store_id", "journey_id", "state")`);
  }

  async down(q: QueryRunner): Promise<void> {
    for (const t of ['journey_runs', 'journey_versions', 'journeys']) await q.query(`DROP TABLE "campaign"."${t}"`);
  }
}
