import { Injectable } from '@nestjs/common';
import { InjectDataSource } from '@nestjs/typeorm';
import type { DataSource, EntityManager } from 'typeorm';
import type { SegmentRule } from './rules';
import type { SegmentInputValue } from './segment-definition';

export interface SegmentRecord {
  segmentId: string;
  name: string;
  description?: string;
  definition: SegmentRule;
  version: number;
  active: boolean;
  createdAt: string;
  updatedAt: string;
}

interface SegmentRow {
  segment_id: string;
  name: string;
  description: string | null;
  definition: SegmentRule;
  version: number;
  active: boolean;
  created_at: Date;
  updated_at: Date;
}

const record = (r: SegmentRow): SegmentRecord => ({
  segmentId: r.segment_id,
  name: r.name,
  ...(r.description !== null ? { description: r.description } : {}),
  definition: r.definition,
  version: r.version,
  active: r.active,
  createdAt: r.created_at.toISOString(),
  updatedAt: r.updated_at.toISOString(),
});

/** Segment definitions, their background jobs, and membership reads. */
@Injectable()
export class SegmentsRepository {
  constructor(@InjectDataSource() readonly db: DataSource) {}

  async list(storeId: string): Promise<SegmentRecord[]> {
    const rows: SegmentRow[] = await this.db.query(`SELECT * FROM "profile"."segments" WHERE "store_id" = $1 ORDER BY "segment_id"`, [storeId]);
    return rows.map(record);
  }

  async active(storeIds: readonly string[], tx: EntityManager = this.db.manager): Promise<(SegmentRecord & { storeId: string })[]> {
    const rows: (SegmentRow & { store_id: string })[] = await tx.query(`SELECT * FROM "profile"."segments" WHERE "store_id" = ANY($1) AND "active"`, [storeIds]);
    return rows.map((r) => ({ ...record(r), storeId: r.store_id }));
  }

  /** A fingerprint of each store's active definitions: a cache reloads a store only when it changed. */
  async fingerprints(storeIds: readonly string[], tx: EntityManager = this.db.manager): Promise<Map<string, string>> {
    const rows: { store_id: string; f: string }[] = await tx.query(
      `SELECT "store_id", count(*) || ':' || coalesce(max("updated_at")::text, '') || ':' || sum("version") AS f
       FROM "profile"."segments" WHERE "store_id" = ANY($1) AND "active" GROUP BY "store_id"`,
      [storeIds],
    );
    return new Map(rows.map((r) => [r.store_id, r.f]));
  }

  async get(storeId: string, segmentId: string): Promise<SegmentRecord | null> {
    const [row]: SegmentRow[] = await this.db.query(`SELECT * FROM "profile"."segments" WHERE "store_id" = $1 AND "segment_id" = $2`, [storeId, segmentId]);
    return row ? record(row) : null;
  }

  /** Creates a segment and queues its evaluation over existing profiles; null when the id is taken. */
  async create(storeId: string, segmentId: string, input: SegmentInputValue, backfillDelayMs: number): Promise<SegmentRecord | null> {
    return this.db.transaction(async (tx) => {
      const [row]: SegmentRow[] = await tx.query(
        `INSERT INTO "profile"."segments" ("store_id", "segment_id", "name", "description", "definition", "active") VALUES ($1, $2, $3, $4, $5, $6)
         ON CONFLICT DO NOTHING RETURNING *`,
        [storeId, segmentId, input.name, input.description ?? null, JSON.stringify(input.definition), input.active],
      );
      if (!row) return null;
      if (row.active) await this.queueBackfill(tx, storeId, segmentId, row.version, backfillDelayMs);
      return record(row);
    });
  }

  /** Replaces a definition (a new version) and queues its re-evaluation; null when there is no such segment. */
  async replace(storeId: string, segmentId: string, input: SegmentInputValue, backfillDelayMs: number): Promise<SegmentRecord | null> {
    return this.db.transaction(async (tx) => {
      const [[row]]: [SegmentRow[], number] = await tx.query(
        `UPDATE "profile"."segments" SET "name" = $3, "description" = $4, "definition" = $5, "active" = $6, "version" = "version" + 1, "updated_at" = now()
         WHERE "store_id" = $1 AND "segment_id" = $2 RETURNING *`,
        [storeId, segmentId, input.name, input.description ?? null, JSON.stringify(input.definition), input.active],
      );
      if (!row) return null;
      // Inactive: everyone leaves (version 0 means "exit all").
      await this.queueBackfill(tx, storeId, segmentId, row.active ? row.version : 0, backfillDelayMs);
      return record(row);
    });
  }

  /** Deletes a definition; its members leave in the background. */
  async delete(storeId: string, segmentId: string): Promise<boolean> {
    return this.db.transaction(async (tx) => {
      const [, n]: [unknown, number] = await tx.query(`DELETE FROM "profile"."segments" WHERE "store_id" = $1 AND "segment_id" = $2`, [storeId, segmentId]);
      if (n === 0) return false;
      await this.queueBackfill(tx, storeId, segmentId, 0, 0);
      return true;
    });
  }

  private async queueBackfill(tx: EntityManager, storeId: string, segmentId: string, version: number, delayMs: number): Promise<void> {
    await tx.query(
      `INSERT INTO "profile"."segment_backfills" ("store_id", "segment_id", "version", "after_profile_id", "not_before")
       VALUES ($1, $2, $3, '', now() + make_interval(secs => $4))
       ON CONFLICT ("store_id", "segment_id") DO UPDATE SET "version" = EXCLUDED."version", "after_profile_id" = '', "not_before" = EXCLUDED."not_before"`,
      [storeId, segmentId, version, delayMs / 1000],
    );
  }

  async members(storeId: string, segmentId: string, limit: number, after: string): Promise<{ profileId: string; enteredAt: string; because: string }[]> {
    const rows: { profile_id: string; entered_at: Date; because: string }[] = await this.db.query(
      `SELECT "profile_id", "entered_at", "because" FROM "profile"."segment_memberships"
       WHERE "store_id" = $1 AND "segment_id" = $2 AND "profile_id" > $3 ORDER BY "profile_id" LIMIT $4`,
      [storeId, segmentId, after, limit],
    );
    return rows.map((r) => ({ profileId: r.profile_id, enteredAt: r.entered_at.toISOString(), because: r.because }));
  }

  async count(storeId: string, segmentId: string): Promise<number> {
    const [row]: { n: string }[] = await this.db.query(`SELECT count(*) AS n FROM "profile"."segment_memberships" WHERE "store_id" = $1 AND "segment_id" = $2`, [storeId, segmentId]);
    return Number(row?.n ?? 0);
  }

  async ofProfile(storeId: string, profileId: string): Promise<{ segmentId: string; version: number; enteredAt: string; because: string }[]> {
    const rows: { segment_id: string; segment_version: number; entered_at: Date; because: string }[] = await this.db.query(
      `SELECT "segment_id", "segment_version", "entered_at", "because" FROM "profile"."segment_memberships" WHERE "store_id" = $1 AND "profile_id" = $2 ORDER BY "segment_id"`,
      [storeId, profileId],
    );
    return rows.map((r) => ({ segmentId: r.segment_id, version: r.segment_version, enteredAt: r.entered_at.toISOString(), because: r.because }));
  }

  /** Hashed-email export, a page at a time: members with an e-mail address. */
  async memberEmails(storeId: string, segmentId: string, after: string, limit: number): Promise<{ profileId: string; email: string | null }[]> {
    const rows: { profile_id: string; email: string | null }[] = await this.db.query(
      `SELECT m."profile_id", p."details"->'email'->>'value' AS email
       FROM "profile"."segment_memberships" m JOIN "profile"."profiles" p ON p.store_id = m.store_id AND p.profile_id = m.profile_id
       WHERE m."store_id" = $1 AND m."segment_id" = $2 AND m."profile_id" > $3 ORDER BY m."profile_id" LIMIT $4`,
      [storeId, segmentId, after, limit],
    );
    return rows.map((r) => ({ profileId: r.profile_id, email: r.email }));
  }
}
