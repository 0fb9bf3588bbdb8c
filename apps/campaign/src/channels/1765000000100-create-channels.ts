import type { MigrationInterface, QueryRunner } from 'typeorm';

/**
 * A hard bounce names an address, not a shopper: finding the store's shoppers with that address
 * must not scan the store's whole shopper table.
 */
export class CreateChannels1765000000100 implements MigrationInterface {
  name = 'CreateChannels1765000000100';

  async up(q: QueryRunner): Promise<void> {
    await q.query(`CREATE INDEX IF NOT EXISTS "shoppers_email_idx" ON "campaign"."shoppers" ("store_id", lower("email")) WHERE "email" IS NOT NULL`);
  }

  async down(q: QueryRunner): Promise<void> {
    await q.query(`DROP INDEX IF EXISTS "campaign"."shoppers_email_idx"`);
  }
}
