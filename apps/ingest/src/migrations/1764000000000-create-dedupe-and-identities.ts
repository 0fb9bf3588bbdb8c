import type { MigrationInterface, QueryRunner } from 'typeorm';

export class CreateDedupeAndIdentities1764000000000 implements MigrationInterface {
  name = 'CreateDedupeAndIdentities1764000000000';

  async up(q: QueryRunner): Promise<void> {
    // The dedupe window: every eventId seen recently. Pruned by age.
    await q.query(`CREATE TABLE "ingest"."seen_events" (
      "store_id" varchar(64) NOT NULL,
      "event_id" varchar(128) NOT NULL,
      "seen_at" timestamptz NOT NULL DEFAULT now(),
      PRIMARY KEY ("store_id", "event_id")
    )`);
    await q.query(`CREATE INDEX "seen_events_seen_at_idx" ON "ingest"."seen_events" ("seen_at")`);
    // The identity map: which customer a device belongs to, learnt on identifying events.
    await q.query(`CREATE TABLE "ingest"."identity_links" (
      "store_id" varchar(64) NOT NULL,
      "anonymous_id" varchar(128) NOT NULL,
      "customer_id" varchar(128) NOT NULL,
      "linked_at" timestamptz NOT NULL DEFAULT now(),
      PRIMARY KEY ("store_id", "anonymous_id")
    )`);
  }

  async down(q: QueryRunner): Promise<void> {
    await q.query(`DROP TABLE "ingest"."identity_links"`);
    await q.query(`DROP TABLE "ingest"."seen_events"`);
  }
}
