import { Injectable } from '@nestjs/common';
import { InjectDataSource } from '@nestjs/typeorm';
import type { EnrichedEvent } from '@signal/contracts';
import type { DataSource, EntityManager } from 'typeorm';
import { Profile, detailsOf, stateOf } from '../profiles/entities';
import { RESOLVE_MERGED_SQL, type ResolvedRow } from '../profiles/merges';
import type { IdentityKind, ProfileState } from '../profiles/profile-state';
import { InconsistentReadError, identityKey, profileKey, type BatchPlan, type Known } from './stitch';

const MAX_LOCK_ROUNDS = 5;

interface OwnerRow {
  store_id: string;
  kind: IdentityKind;
  value: string;
  profile_id: string;
}

const profileRecord = (p: ProfileState, nextEvaluationAt: ReadonlyMap<ProfileState, number | null>) => ({
  store_id: p.storeId,
  profile_id: p.profileId,
  customer_id: p.customerId,
  first_seen_at: new Date(p.firstSeenAt).toISOString(),
  last_seen_at: new Date(p.lastSeenAt).toISOString(),
  event_count: p.eventCount,
  counters: p.counters,
  device: p.device,
  geo: p.geo,
  timezone: p.timezone,
  details: detailsOf(p),
  stage: p.stage,
  next_evaluation_at: toIso(nextEvaluationAt.get(p) ?? null),
});
const toIso = (t: number | null): string | null => (t === null ? null : new Date(t).toISOString());
const PROFILE_RECORD = `store_id varchar, profile_id varchar, customer_id varchar, first_seen_at timestamptz, last_seen_at timestamptz,
  event_count bigint, counters jsonb, device jsonb, geo jsonb, timezone text, details jsonb, stage varchar, next_evaluation_at timestamptz`;

// UPDATE and DELETE answer [rows, rowCount] through TypeORM's query().
const rowCount = (result: unknown): number => (result as [unknown[], number])[1];

function ensureChanged(what: string, done: number, planned: number): void {
  if (done !== planned) throw new InconsistentReadError(`${what}: ${done} of ${planned} rows changed`);
}

/** The write side's SQL. Bulk statements over whole batches; profile rows are locked in key order. */
@Injectable()
export class RecordEventsRepository {
  constructor(@InjectDataSource() private readonly db: DataSource) {}

  transaction<T>(work: (tx: EntityManager) => Promise<T>): Promise<T> {
    return this.db.transaction(work);
  }

  /** Records the events' ids; answers the ones never applied before, in batch order. */
  async markApplied(tx: EntityManager, events: readonly EnrichedEvent[]): Promise<EnrichedEvent[]> {
    // Sorted, so two batches sharing event ids wait on each other instead of deadlocking.
    const rows: { store_id: string; event_id: string }[] = await tx.query(
      `INSERT INTO "profile"."applied_events" ("store_id", "event_id")
       SELECT s, e FROM unnest($1::varchar[], $2::varchar[]) AS u(s, e) ORDER BY s, e
       ON CONFLICT DO NOTHING RETURNING "store_id", "event_id"`,
      [events.map((e) => e.storeId), events.map((e) => e.eventId)],
    );
    const fresh = new Set(rows.map((r) => `${r.store_id}\u0000${r.event_id}`));
    return events.filter((e) => fresh.delete(`${e.storeId}\u0000${e.eventId}`));
  }

  /**
   * Locks every profile the events can touch (their own, the ones they were merged into, the
   * owners of their identities) and reads them. A merge elsewhere can change that set while we
   * wait for a lock, so it is read again until everything it names is locked.
   */
  async lockShoppers(tx: EntityManager, events: readonly EnrichedEvent[]): Promise<Known> {
    const locked = new Set<string>();
    const profiles = new Map<string, ProfileState>();
    for (let round = 1; round <= MAX_LOCK_ROUNDS; round++) {
      const mergedInto = await this.mergedInto(tx, events);
      const owners = await this.owners(tx, events);
      const wanted = new Map<string, { storeId: string; profileId: string }>();
      const want = (storeId: string, profileId: string) => {
        const key = profileKey(storeId, profileId);
        if (!locked.has(key)) wanted.set(key, { storeId, profileId });
      };
      for (const e of events) want(e.storeId, mergedInto.get(profileKey(e.storeId, e.profileId)) ?? e.profileId);
      for (const [key, profileId] of owners) want(key.slice(0, key.indexOf('\u0000')), profileId);
      if (wanted.size === 0) return { profiles, owners, mergedInto };

      const refs = [...wanted.values()];
      const rows = await tx
        .getRepository(Profile)
        .createQueryBuilder('p')
        .where(`(p.store_id, p.profile_id) IN (SELECT * FROM unnest(:stores::varchar[], :ids::varchar[]))`, {
          stores: refs.map((r) => r.storeId),
          ids: refs.map((r) => r.profileId),
        })
        .orderBy('p.store_id')
        .addOrderBy('p.profile_id')
        .setLock('pessimistic_write')
        .getMany();
      for (const key of wanted.keys()) locked.add(key);
      for (const row of rows) profiles.set(profileKey(row.storeId, row.profileId), stateOf(row));
    }
    throw new InconsistentReadError('profiles kept moving while being locked');
  }

  /** `nextEvaluationAt`: per written profile state, when time alone may change its segments. */
  async write(tx: EntityManager, plan: BatchPlan, nextEvaluationAt: ReadonlyMap<ProfileState, number | null>): Promise<void> {
    const rec = (p: ProfileState) => profileRecord(p, nextEvaluationAt);
    if (plan.created.length) {
      // A profile created meanwhile by another partition means our reads are stale: retry.
      const rows: unknown[] = await tx.query(
        `INSERT INTO "profile"."profiles" ("store_id", "profile_id", "customer_id", "first_seen_at", "last_seen_at", "event_count", "counters", "device", "geo", "timezone", "details", "stage", "next_evaluation_at")
         SELECT * FROM jsonb_to_recordset($1::jsonb) AS v(${PROFILE_RECORD}) ORDER BY store_id, profile_id
         ON CONFLICT DO NOTHING RETURNING "profile_id"`,
        [JSON.stringify(plan.created.map(rec))],
      );
      ensureChanged('new profiles', rows.length, plan.created.length);
    }
    if (plan.updated.length) {
      const result: unknown = await tx.query(
        `UPDATE "profile"."profiles" p SET "customer_id" = v.customer_id, "first_seen_at" = v.first_seen_at, "last_seen_at" = v.last_seen_at,
           "event_count" = v.event_count, "counters" = v.counters, "device" = v.device, "geo" = v.geo, "timezone" = v.timezone,
           "details" = v.details, "stage" = v.stage, "next_evaluation_at" = v.next_evaluation_at, "updated_at" = now()
         FROM jsonb_to_recordset($1::jsonb) AS v(${PROFILE_RECORD})
         WHERE p.store_id = v.store_id AND p.profile_id = v.profile_id`,
        [JSON.stringify(plan.updated.map(rec))],
      );
      ensureChanged('updated profiles', rowCount(result), plan.updated.length);
    }
    if (plan.repointed.length) {
      await tx.query(
        `UPDATE "profile"."identities" i SET "profile_id" = v.into_id, "linked_at" = now()
         FROM jsonb_to_recordset($1::jsonb) AS v(store_id varchar, from_id varchar, into_id varchar)
         WHERE i.store_id = v.store_id AND i.profile_id = v.from_id`,
        [JSON.stringify(plan.repointed.map((r) => ({ store_id: r.storeId, from_id: r.fromProfileId, into_id: r.intoProfileId })))],
      );
    }
    const fresh = plan.claims.filter((c) => c.from === null);
    if (fresh.length) {
      const rows: unknown[] = await tx.query(
        `INSERT INTO "profile"."identities" ("store_id", "kind", "value", "profile_id")
         SELECT * FROM jsonb_to_recordset($1::jsonb) AS v(store_id varchar, kind varchar, value varchar, profile_id varchar) ORDER BY store_id, kind, value
         ON CONFLICT DO NOTHING RETURNING "value"`,
        [JSON.stringify(fresh.map((c) => ({ store_id: c.storeId, kind: c.kind, value: c.value, profile_id: c.profileId })))],
      );
      ensureChanged('new identities', rows.length, fresh.length);
    }
    const moved = plan.claims.filter((c) => c.from !== null);
    if (moved.length) {
      const result: unknown = await tx.query(
        `UPDATE "profile"."identities" i SET "profile_id" = v.profile_id, "linked_at" = now()
         FROM jsonb_to_recordset($1::jsonb) AS v(store_id varchar, kind varchar, value varchar, profile_id varchar, from_id varchar)
         WHERE i.store_id = v.store_id AND i.kind = v.kind AND i.value = v.value AND i.profile_id = v.from_id`,
        [JSON.stringify(moved.map((c) => ({ store_id: c.storeId, kind: c.kind, value: c.value, profile_id: c.profileId, from_id: c.from })))],
      );
      ensureChanged('moved identities', rowCount(result), moved.length);
    }
    if (plan.deleted.length) {
      const result: unknown = await tx.query(
        `DELETE FROM "profile"."profiles" p USING jsonb_to_recordset($1::jsonb) AS v(store_id varchar, profile_id varchar)
         WHERE p.store_id = v.store_id AND p.profile_id = v.profile_id`,
        [JSON.stringify(plan.deleted.map((d) => ({ store_id: d.storeId, profile_id: d.profileId })))],
      );
      ensureChanged('merged profiles', rowCount(result), plan.deleted.length);
    }
    if (plan.merges.length) {
      await tx.query(
        `INSERT INTO "profile"."profile_merges" ("store_id", "merged_profile_id", "into_profile_id")
         SELECT * FROM jsonb_to_recordset($1::jsonb) AS v(store_id varchar, merged_profile_id varchar, into_profile_id varchar)`,
        [JSON.stringify(plan.merges.map((m) => ({ store_id: m.storeId, merged_profile_id: m.mergedProfileId, into_profile_id: m.intoProfileId })))],
      );
    }
  }

  /** Drops events of erased people accepted before their erasure: still in flight, they must not rebuild them. */
  async dropErased(tx: EntityManager, events: readonly EnrichedEvent[]): Promise<EnrichedEvent[]> {
    const rows: { store_id: string; profile_id: string; erased_at: Date }[] = await tx.query(
      `SELECT e.store_id, e.profile_id, e.erased_at FROM "profile"."erasures" e
       JOIN unnest($1::varchar[], $2::varchar[]) AS u(store_id, profile_id) ON e.store_id = u.store_id AND e.profile_id = u.profile_id`,
      [events.map((e) => e.storeId), events.map((e) => e.profileId)],
    );
    if (rows.length === 0) return [...events];
    const erasedAt = new Map(rows.map((r) => [profileKey(r.store_id, r.profile_id), r.erased_at.getTime()]));
    return events.filter((e) => {
      const at = erasedAt.get(profileKey(e.storeId, e.profileId));
      return at === undefined || Date.parse(e.receivedAt) > at;
    });
  }

  /** Marks quiz reward codes used by these purchases as redeemed (the first use counts). */
  async redeemCodes(tx: EntityManager, events: readonly EnrichedEvent[]): Promise<void> {
    const used = events.flatMap((e) => (e.type === 'purchase' && typeof e.properties['discountCode'] === 'string' ? [{ store_id: e.storeId, code: e.properties['discountCode'], at: e.occurredAt }] : []));
    if (used.length === 0) return;
    await tx.query(
      `UPDATE "profile"."quiz_rewards" r SET "redeemed_at" = v.at
       FROM jsonb_to_recordset($1::jsonb) AS v(store_id varchar, code varchar, at timestamptz)
       WHERE r.store_id = v.store_id AND r.code = v.code AND (r.redeemed_at IS NULL OR r.redeemed_at > v.at)`,
      [JSON.stringify(used)],
    );
  }

  /** Forgets applied event ids older than any replay can bring back. */
  async pruneApplied(olderThanHours: number): Promise<number> {
    const result: unknown = await this.db.query(`DELETE FROM "profile"."applied_events" WHERE "applied_at" < now() - make_interval(hours => $1)`, [olderThanHours]);
    return rowCount(result);
  }

  private async mergedInto(tx: EntityManager, events: readonly EnrichedEvent[]): Promise<Map<string, string>> {
    const rows: ResolvedRow[] = await tx.query(RESOLVE_MERGED_SQL, [events.map((e) => e.storeId), events.map((e) => e.profileId)]);
    return new Map(rows.map((r) => [profileKey(r.store_id, r.asked), r.current]));
  }

  private async owners(tx: EntityManager, events: readonly EnrichedEvent[]): Promise<Map<string, string>> {
    const asked = events.flatMap((e) => [
      { storeId: e.storeId, kind: 'anonymous', value: e.anonymousId },
      ...(e.customerId ? [{ storeId: e.storeId, kind: 'customer', value: e.customerId }] : []),
    ]);
    const rows: OwnerRow[] = await tx.query(
      `SELECT i.store_id, i.kind, i.value, i.profile_id FROM "profile"."identities" i
       JOIN unnest($1::varchar[], $2::varchar[], $3::varchar[]) AS u(store_id, kind, value)
         ON i.store_id = u.store_id AND i.kind = u.kind AND i.value = u.value`,
      [asked.map((a) => a.storeId), asked.map((a) => a.kind), asked.map((a) => a.value)],
    );
    return new Map(rows.map((r) => [identityKey(r.store_id, r.kind, r.value), r.profile_id]));
  }
}
