import type { MigrationInterface, QueryRunner } from 'typeorm';

/**
 * The outbox of messages to send, the status records and events waiting to go to Kafka, and the
 * stores' delivery settings. See delivery/README.md for how a message moves through the states.
 */
export class CreateDelivery1765000000300 implements MigrationInterface {
  name = 'CreateDelivery1765000000300';

  async up(q: QueryRunner): Promise<void> {
    await q.query(`CREATE TABLE "campaign"."messages" (
      "store_id" varchar(64) NOT NULL,
      "message_id" uuid NOT NULL,
      "idempotency_key" varchar(256) NOT NULL,
      "profile_id" varchar(64) NOT NULL,
      "campaign_id" varchar(128) NOT NULL,
      "kind" varchar(16) NOT NULL,
      "step" varchar(128),
      "channel" varchar(16) NOT NULL,
      "content" jsonb NOT NULL,
      "to" varchar(2048),
      "webhook_secret" varchar(512),
      "holdout" boolean NOT NULL,
      "triggered_by" varchar(256),
      "state" varchar(16) NOT NULL,
      "reason" varchar(500),
      "attempts" integer NOT NULL DEFAULT 0,
      "next_attempt_at" timestamptz NOT NULL,
      "lease" uuid,
      "cleared_at" timestamptz,
      "deferred_at" timestamptz,
      "delivered_to" text[] NOT NULL DEFAULT '{}',
      "last_error" varchar(1000),
      "created_at" timestamptz NOT NULL DEFAULT now(),
      "sent_at" timestamptz,
      "provider_id" varchar(512),
      PRIMARY KEY ("store_id", "message_id"),
      CONSTRAINT "messages_idempotency_key" UNIQUE ("store_id", "idempotency_key"),
      CONSTRAINT "messages_state" CHECK ("state" IN ('queued', 'sending', 'sent', 'failed', 'held_out', 'suppressed'))
    )`);
    // What the sender claims: queued and due, or sending with an expired lease (next_attempt_at is the lease end then).
    await q.query(`CREATE INDEX "messages_due_idx" ON "campaign"."messages" ("next_attempt_at") WHERE "state" IN ('queued', 'sending')`);
    // The frequency cap counts a shopper's recent sends; support looks a shopper's messages up.
    await q.query(`CREATE INDEX "messages_profile_idx" ON "campaign"."messages" ("store_id", "profile_id", "created_at" DESC)`);
    await q.query(`CREATE INDEX "messages_campaign_idx" ON "campaign"."messages" ("store_id", "campaign_id", "created_at" DESC)`);
    await q.query(`CREATE INDEX "messages_store_created_idx" ON "campaign"."messages" ("store_id", "created_at" DESC)`);
    // Records for Kafka (message statuses, consent after a bounce), written in the transaction that
    // made them true and published by the relay: none for a rolled-back change, none lost to a crash.
    await q.query(`CREATE TABLE "campaign"."delivery_events" (
      "seq" bigserial PRIMARY KEY,
      "message_id" uuid,
      "topic" varchar(128) NOT NULL,
      "key" varchar(256) NOT NULL,
      "value" jsonb NOT NULL
    )`);
    await q.query(`CREATE INDEX "delivery_events_message_idx" ON "campaign"."delivery_events" ("message_id")`);
    await q.query(`CREATE TABLE "campaign"."delivery_settings" (
      "store_id" varchar(64) PRIMARY KEY,
      "settings" jsonb NOT NULL,
      "updated_at" timestamptz NOT NULL
    )`);
  }

  async down(q: QueryRunner): Promise<void> {
    for (const t of ['delivery_settings', 'delivery_events', 'messages']) await q.query(`DROP TABLE "campaign"."${t}"`);
  }
}
