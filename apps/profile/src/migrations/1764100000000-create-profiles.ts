import type { MigrationInterface, QueryRunner } from 'typeorm';

export class CreateProfiles1764100000000 implements MigrationInterface {
  name = 'CreateProfiles1764100000000';

  async up(q: QueryRunner): Promise<void> {
    await q.query(`CREATE TABLE "profile"."profiles" (
      "store_id" varchar(64) NOT NULL,
      "profile_id" varchar(128) NOT NULL,
      "customer_id" varchar(128),
      "first_seen_at" timestamptz NOT NULL,
      "last_seen_at" timestamptz NOT NULL,
      "event_count" bigint NOT NULL CHECK ("event_count" >= 0),
      "counters" jsonb NOT NULL DEFAULT '{}',
      "device" jsonb,
      "geo" jsonb,
      "timezone" text,
      "updated_at" timestamptz NOT NULL DEFAULT now(),
      PRIMARY KEY ("store_id", "profile_id")
    )`);
    // Identities move between profiles on merges; the foreign key keeps none pointing at a deleted one.
    await q.query(`CREATE TABLE "profile"."identities" (
      "store_id" varchar(64) NOT NULL,
      "kind" varchar(16) NOT NULL CHECK ("kind" IN ('anonymous', 'customer')),
      "value" varchar(128) NOT NULL,
      "profile_id" varchar(128) NOT NULL,
      "linked_at" timestamptz NOT NULL DEFAULT now(),
      PRIMARY KEY ("store_id", "kind", "value"),
      FOREIGN KEY ("store_id", "profile_id") REFERENCES "profile"."profiles" ("store_id", "profile_id")
    )`);
    await q.query(`CREATE INDEX "identities_profile_idx" ON "profile"."identities" ("store_id", "profile_id")`);
    await q.query(`CREATE TABLE "profile"."applied_events" (
      "store_id" varchar(64) NOT NULL,
      "event_id" varchar(128) NOT NULL,
      "applied_at" timestamptz NOT NULL DEFAULT now(),
      PRIMARY KEY ("store_id", "event_id")
    )`);
    await q.query(`CREATE INDEX "applied_events_applied_at_idx" ON "profile"."applied_events" ("applied_at")`);
    await q.query(`CREATE TABLE "profile"."profile_merges" (
      "store_id" varchar(64) NOT NULL,
      "merged_profile_id" varchar(128) NOT NULL,
      "into_profile_id" varchar(128) NOT NULL,
      "merged_at" timestamptz NOT NULL DEFAULT now(),
      PRIMARY KEY ("store_id", "merged_profile_id")
    )`);
  }

  async down(q: QueryRunner): Promise<void> {
    await q.query(`DROP TABLE "profile"."profile_merges"`);
    await q.query(`DROP TABLE "profile"."applied_events"`);
    await q.query(`DROP TABLE "profile"."identities"`);
    await q.query(`DROP TABLE "profile"."profiles"`);
  }
}
