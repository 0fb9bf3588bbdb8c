import type { MigrationInterface, QueryRunner } from 'typeorm';

export class CreateApiKeys1764000000000 implements MigrationInterface {
  name = 'CreateApiKeys1764000000000';

  async up(q: QueryRunner): Promise<void> {
    await q.query(`CREATE TABLE "gateway"."api_keys" (
      "key_hash" char(64) PRIMARY KEY,
      "store_id" varchar(64) NOT NULL,
      "kind" varchar(16) NOT NULL CHECK ("kind" IN ('write', 'secret')),
      "created_at" timestamptz NOT NULL DEFAULT now(),
      "revoked_at" timestamptz
    )`);
    await q.query(`CREATE INDEX "api_keys_store_idx" ON "gateway"."api_keys" ("store_id")`);
  }

  async down(q: QueryRunner): Promise<void> {
    await q.query(`DROP TABLE "gateway"."api_keys"`);
  }
}
