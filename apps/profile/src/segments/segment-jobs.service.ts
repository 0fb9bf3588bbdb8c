import { Inject, Injectable, Logger, type OnApplicationBootstrap, type OnModuleDestroy } from '@nestjs/common';
import { InjectDataSource } from '@nestjs/typeorm';
import { PollingLoop } from '@signal/platform';
import type { DataSource, EntityManager } from 'typeorm';
import { PROFILE_CONFIG, type ProfileConfig } from '../config';
import { Profile, stateOf } from '../profiles/entities';
import { EvaluateSegmentsService, Outbox, type Settled } from './evaluate-segments.service';

/** Profiles settled per transaction by the sweep and by backfills. */
export const PAGE = 500;

interface BackfillRow {
  store_id: string;
  segment_id: string;
  version: number;
  after_profile_id: string;
}

/**
 * Work no event triggers: the sweep re-evaluates profiles whose memberships or stage change with
 * the passing of time (profiles.next_evaluation_at, indexed: no full scan), and backfills evaluate
 * a new or edited segment over existing profiles, or walk a deleted one's members out.
 * Rows are claimed with SKIP LOCKED, so any number of replicas share the work.
 */
@Injectable()
export class SegmentJobsService implements OnApplicationBootstrap, OnModuleDestroy {
  private readonly log = new Logger(SegmentJobsService.name);
  private readonly loop: PollingLoop;

  constructor(
    @InjectDataSource() private readonly db: DataSource,
    private readonly segments: EvaluateSegmentsService,
    @Inject(PROFILE_CONFIG) private readonly config: ProfileConfig,
  ) {
    this.loop = new PollingLoop({ intervalMs: config.SEGMENT_SWEEP_INTERVAL_MS, work: () => this.runOnce(), log: this.log, failure: 'Segment sweep failed; will retry' });
  }

  onApplicationBootstrap(): void {
    if (this.config.SEGMENT_SWEEP_INTERVAL_MS > 0) this.loop.start();
  }

  async onModuleDestroy(): Promise<void> {
    await this.loop.stop();
  }

  /** One round: everything due now, then one page of each pending backfill. */
  async runOnce(): Promise<void> {
    while (!this.loop.stopped && (await this.sweepPage()) === PAGE);
    while (!this.loop.stopped && (await this.backfillPage()));
  }

  /** Re-evaluates one page of profiles due; answers how many. */
  async sweepPage(): Promise<number> {
    return this.db.transaction(async (tx) => {
      const rows = await tx
        .getRepository(Profile)
        .createQueryBuilder('p')
        .where('p.next_evaluation_at <= now()')
        .orderBy('p.next_evaluation_at')
        .limit(PAGE)
        .setLock('pessimistic_write')
        .setOnLocked('skip_locked')
        .getMany();
      if (rows.length === 0) return 0;
      const now = Date.now();
      const outbox = new Outbox();
      const settled = await this.segments.settle(tx, rows.map(stateOf), now, 'time', outbox);
      await this.saveSettled(tx, settled, 'replace');
      await this.segments.announce(
        tx,
        settled.filter((s) => s.changed),
        now,
        outbox,
      );
      await this.segments.flush(outbox);
      return rows.length;
    });
  }

  /** Advances one backfill by a page; answers whether there was one to advance. */
  async backfillPage(): Promise<boolean> {
    return this.db.transaction(async (tx) => {
      const [job]: BackfillRow[] = await tx.query(
        `SELECT "store_id", "segment_id", "version", "after_profile_id" FROM "profile"."segment_backfills"
         WHERE "not_before" <= now() ORDER BY "not_before" LIMIT 1 FOR UPDATE SKIP LOCKED`,
      );
      if (!job) return false;
      const now = Date.now();
      const outbox = new Outbox();
      const last = job.version === 0 ? await this.exitPage(tx, job, now, outbox) : await this.evaluatePage(tx, job, now, outbox);
      if (last === null) {
        await tx.query(`DELETE FROM "profile"."segment_backfills" WHERE "store_id" = $1 AND "segment_id" = $2`, [job.store_id, job.segment_id]);
      } else {
        await tx.query(`UPDATE "profile"."segment_backfills" SET "after_profile_id" = $3 WHERE "store_id" = $1 AND "segment_id" = $2`, [job.store_id, job.segment_id, last]);
      }
      await this.segments.flush(outbox);
      return true;
    });
  }

  /** Evaluates the job's segment over the next page of the store's profiles; the last profile id, or null when done. */
  private async evaluatePage(tx: EntityManager, job: BackfillRow, now: number, outbox: Outbox): Promise<string | null> {
    const rows = await tx
      .getRepository(Profile)
      .createQueryBuilder('p')
      .where('p.store_id = :store AND p.profile_id > :after', { store: job.store_id, after: job.after_profile_id })
      .orderBy('p.profile_id')
      .limit(PAGE)
      .setLock('pessimistic_write')
      .getMany();
    const settled = await this.segments.settle(tx, rows.map(stateOf), now, 'definition', outbox, { only: { storeId: job.store_id, segmentId: job.segment_id } });
    await this.saveSettled(tx, settled, 'earliest');
    await this.segments.announce(
      tx,
      settled.filter((s) => s.changed),
      now,
      outbox,
    );
    return rows.length === PAGE ? (rows[rows.length - 1] as Profile).profileId : null;
  }

  /** Walks the next page of a deleted or deactivated segment's members out. */
  private async exitPage(tx: EntityManager, job: BackfillRow, now: number, outbox: Outbox): Promise<string | null> {
    const ids: { profile_id: string }[] = await tx.query(
      `SELECT "profile_id" FROM "profile"."segment_memberships" WHERE "store_id" = $1 AND "segment_id" = $2 AND "profile_id" > $3 ORDER BY "profile_id" LIMIT $4`,
      [job.store_id, job.segment_id, job.after_profile_id, PAGE],
    );
    const stillDefined: unknown[] = await tx.query(`SELECT 1 FROM "profile"."segments" WHERE "store_id" = $1 AND "segment_id" = $2`, [job.store_id, job.segment_id]);
    await this.segments.leave(
      tx,
      job.store_id,
      job.segment_id,
      ids.map((r) => r.profile_id),
      now,
      stillDefined.length ? 'definition' : 'segment_deleted',
      outbox,
    );
    return ids.length === PAGE ? (ids[ids.length - 1] as { profile_id: string }).profile_id : null;
  }

  /** Stage and next evaluation time; a single-segment backfill can only bring the next evaluation closer. */
  private async saveSettled(tx: EntityManager, settled: readonly Settled[], mode: 'replace' | 'earliest'): Promise<void> {
    if (settled.length === 0) return;
    const next = mode === 'replace' ? 'v.next_evaluation_at' : 'LEAST(p.next_evaluation_at, v.next_evaluation_at)';
    await tx.query(
      `UPDATE "profile"."profiles" p SET "stage" = v.stage, "next_evaluation_at" = ${next}
       FROM jsonb_to_recordset($1::jsonb) AS v(store_id varchar, profile_id varchar, stage varchar, next_evaluation_at timestamptz)
       WHERE p.store_id = v.store_id AND p.profile_id = v.profile_id`,
      [
        JSON.stringify(
          settled.map((s) => ({
            store_id: s.profile.storeId,
            profile_id: s.profile.profileId,
            stage: s.profile.stage,
            next_evaluation_at: s.nextEvaluationAt === null ? null : new Date(s.nextEvaluationAt).toISOString(),
          })),
        ),
      ],
    );
  }
}
