import { randomUUID } from 'node:crypto';
import { Injectable } from '@nestjs/common';
import { InjectDataSource } from '@nestjs/typeorm';
import { TOPICS, profileIdFor, shopperKey, type PrivacyErasure } from '@signal/contracts';
import { KafkaPublisher } from '@signal/platform';
import type { DataSource, EntityManager } from 'typeorm';
import { Profile, stateOf } from '../profiles/entities';
import { RESOLVE_MERGED_SQL, type ResolvedRow } from '../profiles/merges';
import { toView, type Identity } from '../profiles/profile-state';
import { EvaluateSegmentsService, Outbox } from '../segments/evaluate-segments.service';
import { SettingsService } from '../settings/settings.service';

/** Profile ids merged (directly or through others) into this one. */
const MERGED_INTO_SQL = `
  WITH RECURSIVE merged AS (
    SELECT m.merged_profile_id AS id, 0 AS hops FROM "profile"."profile_merges" m WHERE m.store_id = $1 AND m.into_profile_id = $2
    UNION ALL
    SELECT m.merged_profile_id, merged.hops + 1 FROM merged JOIN "profile"."profile_merges" m ON m.store_id = $1 AND m.into_profile_id = merged.id
    WHERE merged.hops < 32
  )
  SELECT DISTINCT id FROM merged`;

/**
 * The right to be forgotten and the right of access. Erasure removes the profile, its identities,
 * memberships, merges and quiz rewards in one transaction, tombstones the compacted topic, and
 * tells other services (privacy.erasures.v1) to delete what they hold.
 */
@Injectable()
export class PrivacyService {
  constructor(
    @InjectDataSource() private readonly db: DataSource,
    private readonly segments: EvaluateSegmentsService,
    private readonly settings: SettingsService,
    private readonly publisher: KafkaPublisher,
  ) {}

  /** Answers what was erased, or null when there is no such profile. */
  async erase(storeId: string, profileId: string): Promise<PrivacyErasure | null> {
    return this.db.transaction(async (tx) => {
      const id = await this.current(tx, storeId, profileId);
      const row = await tx.getRepository(Profile).createQueryBuilder('p').where('p.store_id = :storeId AND p.profile_id = :id', { storeId, id }).setLock('pessimistic_write').getOne();
      if (!row) return null;
      const identities = await this.identities(tx, storeId, id);
      const merged: { id: string }[] = await tx.query(MERGED_INTO_SQL, [storeId, id]);
      const gone = [...new Set([id, ...merged.map((m) => m.id), ...identities.map((i) => profileIdFor(storeId, i.kind === 'customer' ? { customerId: i.value, anonymousId: '' } : { anonymousId: i.value }))])];

      const now = Date.now();
      const outbox = new Outbox();
      await this.segments.remove(
        tx,
        gone.map((profileId) => ({ storeId, profileId })),
        now,
        'erasure',
        outbox,
      );
      const holders = identities.map((i) => `${i.kind}:${i.value}`);
      await tx.query(`DELETE FROM "profile"."quiz_rewards" WHERE "store_id" = $1 AND ("profile_id" = ANY($2) OR "holder" = ANY($3))`, [storeId, gone, holders]);
      await tx.query(`DELETE FROM "profile"."identities" WHERE "store_id" = $1 AND "profile_id" = $2`, [storeId, id]);
      await tx.query(`DELETE FROM "profile"."profiles" WHERE "store_id" = $1 AND "profile_id" = $2`, [storeId, id]);
      await tx.query(`DELETE FROM "profile"."profile_merges" WHERE "store_id" = $1 AND ("into_profile_id" = ANY($2) OR "merged_profile_id" = ANY($2))`, [storeId, gone]);
      await tx.query(
        `INSERT INTO "profile"."erasures" ("store_id", "profile_id", "erased_at") SELECT $1, unnest($2::varchar[]), to_timestamp($3 / 1000.0)
         ON CONFLICT ("store_id", "profile_id") DO UPDATE SET "erased_at" = EXCLUDED."erased_at"`,
        [storeId, gone, now],
      );
      const erasure: PrivacyErasure = { erasureId: randomUUID(), storeId, profileId: id, identities, requestedAt: new Date(now).toISOString() };
      await Promise.all([this.segments.flush(outbox), this.publisher.publish(TOPICS.PrivacyErasures, [{ key: shopperKey(storeId, id), value: erasure }])]);
      return erasure;
    });
  }

  /** Everything held about a person, as JSON; null when there is no such profile. */
  async export(storeId: string, profileId: string): Promise<Record<string, unknown> | null> {
    return this.db.transaction('REPEATABLE READ', async (tx) => {
      const id = await this.current(tx, storeId, profileId);
      const row = await tx.getRepository(Profile).findOneBy({ storeId, profileId: id });
      if (!row) return null;
      const state = stateOf(row);
      const identities = await this.identities(tx, storeId, id);
      const memberships: unknown[] = await tx.query(
        `SELECT "segment_id" AS "segmentId", "segment_version" AS "segmentVersion", "entered_at" AS "enteredAt", "because" FROM "profile"."segment_memberships" WHERE "store_id" = $1 AND "profile_id" = $2 ORDER BY 1`,
        [storeId, id],
      );
      const merges: unknown[] = await tx.query(`SELECT "merged_profile_id" AS "mergedProfileId", "merged_at" AS "mergedAt" FROM "profile"."profile_merges" WHERE "store_id" = $1 AND "into_profile_id" = $2`, [storeId, id]);
      const rewards: unknown[] = await tx.query(
        `SELECT "quiz_id" AS "quizId", "code", "issued_at" AS "issuedAt", "redeemed_at" AS "redeemedAt" FROM "profile"."quiz_rewards" WHERE "store_id" = $1 AND ("profile_id" = $2 OR "holder" = ANY($3))`,
        [storeId, id, identities.map((i) => `${i.kind}:${i.value}`)],
      );
      const settings = await this.settings.get(storeId, tx);
      const now = Date.now();
      return {
        exportedAt: new Date(now).toISOString(),
        profile: toView(state, identities, memberships.map((m) => (m as { segmentId: string }).segmentId), now, settings),
        // The raw record behind the view: every stamped trait and consent statement, affinity scores, remembered events.
        record: {
          email: state.email,
          traits: state.traits,
          consent: state.consent,
          affinities: state.affinities,
          orders: state.orders,
          purchased: state.purchased,
          hearted: state.hearted,
          assignedSegments: state.assignedSegments,
          history: state.history.map((h) => ({ ...h, at: new Date(h.at).toISOString() })),
        },
        memberships,
        mergedProfiles: merges,
        quizRewards: rewards,
      };
    });
  }

  private async current(tx: EntityManager, storeId: string, profileId: string): Promise<string> {
    const [merged]: ResolvedRow[] = await tx.query(RESOLVE_MERGED_SQL, [[storeId], [profileId]]);
    return merged?.current ?? profileId;
  }

  private async identities(tx: EntityManager, storeId: string, profileId: string): Promise<Identity[]> {
    return tx.query(`SELECT "kind", "value" FROM "profile"."identities" WHERE "store_id" = $1 AND "profile_id" = $2 ORDER BY "kind", "value"`, [storeId, profileId]);
  }
}
