import type { MigrationInterface, QueryRunner } from 'typeorm';

/**
 * "Is this shopper already waiting in this journey?" is asked for every shopper a trigger reaches
 * (thousands on a stock alert). With only (store, journey, state) to go on, each question scanned
 * every waiting run of the journey: a 3,000-shopper alert took 86 s. This index answers it directly.
 */
export class IndexWaitingRuns1765000000500 implements MigrationInterface {
  name = 'IndexWaitingRuns1765000000500';

  async up(q: QueryRunner): Promise<void> {
    await q.query(`CREATE INDEX "journey_runs_waiting_idx" ON "campaign"."journey_runs" ("store_id", "journey_id", "profile_id") WHERE "state" = 'waiting'`);
  }

  async down(q: QueryRunner): Promise<void> {
    await q.query(`DROP INDEX "campaign"."journey_runs_waiting_idx"`);
  }
}
