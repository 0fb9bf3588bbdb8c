import type { MigrationInterface, QueryRunner } from 'typeorm';

/** The 360-degree profile, store settings, the product facts cache, segments, quizzes and erasures. */
export class ProfilesSegmentsQuizzes1764200000000 implements MigrationInterface {
  name = 'ProfilesSegmentsQuizzes1764200000000';

  async up(q: QueryRunner): Promise<void> {
    // Everything a segment rule can read is evaluated in the service, so it lives in one document.
    await q.query(`ALTER TABLE "profile"."profiles"
      ADD COLUMN "details" jsonb NOT NULL DEFAULT '{}',
      ADD COLUMN "stage" varchar(32) NOT NULL DEFAULT 'new_visitor',
      ADD COLUMN "next_evaluation_at" timestamptz`);
    // The sweep finds profiles whose segments may change with time alone.
    await q.query(`CREATE INDEX "profiles_next_evaluation_idx" ON "profile"."profiles" ("next_evaluation_at") WHERE "next_evaluation_at" IS NOT NULL`);
    await q.query(`CREATE TABLE "profile"."store_settings" (
      "store_id" varchar(64) PRIMARY KEY,
      "settings" jsonb NOT NULL,
      "updated_at" timestamptz NOT NULL DEFAULT now()
    )`);
    await q.query(`CREATE TABLE "profile"."products" (
      "store_id" varchar(64) NOT NULL,
      "product_id" varchar(128) NOT NULL,
      "facts" jsonb NOT NULL,
      "updated_at" timestamptz NOT NULL,
      PRIMARY KEY ("store_id", "product_id")
    )`);
    await q.query(`CREATE TABLE "profile"."segments" (
      "store_id" varchar(64) NOT NULL,
      "segment_id" varchar(128) NOT NULL,
      "name" varchar(256) NOT NULL,
      "description" text,
      "definition" jsonb NOT NULL,
      "version" integer NOT NULL DEFAULT 1,
      "active" boolean NOT NULL DEFAULT true,
      "created_at" timestamptz NOT NULL DEFAULT now(),
      "updated_at" timestamptz NOT NULL DEFAULT now(),
      PRIMARY KEY ("store_id", "segment_id")
    )`);
    await q.query(`CREATE TABLE "profile"."segment_memberships" (
      "store_id" varchar(64) NOT NULL,
      "profile_id" varchar(128) NOT NULL,
      "segment_id" varchar(128) NOT NULL,
      "segment_version" integer NOT NULL,
      "entered_at" timestamptz NOT NULL,
      "because" text NOT NULL,
      PRIMARY KEY ("store_id", "profile_id", "segment_id")
    )`);
    await q.query(`CREATE INDEX "segment_memberships_segment_idx" ON "profile"."segment_memberships" ("store_id", "segment_id", "profile_id")`);
    // Segments created or edited are evaluated over the existing profiles in the background, a page at a time.
    await q.query(`CREATE TABLE "profile"."segment_backfills" (
      "store_id" varchar(64) NOT NULL,
      "segment_id" varchar(128) NOT NULL,
      "version" integer NOT NULL,
      "after_profile_id" varchar(128) NOT NULL DEFAULT '',
      "not_before" timestamptz NOT NULL DEFAULT now(),
      PRIMARY KEY ("store_id", "segment_id")
    )`);
    await q.query(`CREATE TABLE "profile"."quizzes" (
      "store_id" varchar(64) NOT NULL,
      "quiz_id" varchar(128) NOT NULL,
      "definition" jsonb NOT NULL,
      "version" integer NOT NULL DEFAULT 1,
      "created_at" timestamptz NOT NULL DEFAULT now(),
      "updated_at" timestamptz NOT NULL DEFAULT now(),
      PRIMARY KEY ("store_id", "quiz_id")
    )`);
    // One single-use code per quiz and shopper identity, however often they finish it.
    await q.query(`CREATE TABLE "profile"."quiz_rewards" (
      "store_id" varchar(64) NOT NULL,
      "quiz_id" varchar(128) NOT NULL,
      "holder" varchar(160) NOT NULL,
      "code" varchar(64) NOT NULL,
      "profile_id" varchar(128) NOT NULL,
      "issued_at" timestamptz NOT NULL DEFAULT now(),
      "redeemed_at" timestamptz,
      PRIMARY KEY ("store_id", "quiz_id", "holder"),
      UNIQUE ("store_id", "code")
    )`);
    await q.query(`CREATE INDEX "quiz_rewards_profile_idx" ON "profile"."quiz_rewards" ("store_id", "profile_id")`);
    // Events of an erased person still in flight are dropped, not used to rebuild them.
    await q.query(`CREATE TABLE "profile"."erasures" (
      "store_id" varchar(64) NOT NULL,
      "profile_id" varchar(128) NOT NULL,
      "erased_at" timestamptz NOT NULL DEFAULT now(),
      PRIMARY KEY ("store_id", "profile_id")
    )`);
  }

  async down(q: QueryRunner): Promise<void> {
    for (const table of ['erasures', 'quiz_rewards', 'quizzes', 'segment_backfills', 'segment_memberships', 'segments', 'products', 'store_settings']) {
      await q.query(`DROP TABLE "profile"."${table}"`);
    }
    await q.query(`DROP INDEX "profile"."profiles_next_evaluation_idx"`);
    await q.query(`ALTER TABLE "profile"."profiles" DROP COLUMN "next_evaluation_at", DROP COLUMN "stage", DROP COLUMN "details"`);
  }
}
