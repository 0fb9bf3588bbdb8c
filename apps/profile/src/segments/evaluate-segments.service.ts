import { createHash } from 'node:crypto';
import { Injectable } from '@nestjs/common';
import { MERGED_INTO_HEADER, TOPICS, shopperKey, type EnrichedEvent, type EventType, type ProfileView, type SegmentMembershipChange } from '@signal/contracts';
import { KafkaPublisher, metricsRegistry, type OutgoingMessage } from '@signal/platform';
import { Counter } from 'prom-client';
import type { EntityManager } from 'typeorm';
import { toView, type Identity, type ProfileState } from '../profiles/profile-state';
import { stageAt } from '../profiles/stage';
import type { StoreSettings } from '../settings/store-settings';
import { SettingsService } from '../settings/settings.service';
import { MAX_AFFINITY_VALUES } from '../profiles/affinities';
import { HISTORY_MAX_ENTRIES } from '../profiles/profile-state';
import type { ChangedBy } from '../record-events/stitch';
import { AFFINITY_DIMENSIONS } from '../settings/store-settings';
import { StoreSegments, LiveSegments } from './live-segments';
import { diffMemberships, type Membership, type MembershipTrigger } from './memberships';

const changesTotal = new Counter({ name: 'profile_segment_changes_total', help: 'Segment membership changes', labelNames: ['change', 'trigger'], registers: [metricsRegistry] });

/** Header on a `profiles.changed.v1` tombstone: the profile id it was merged into. */
export { MERGED_INTO_HEADER };

const NO_SEGMENTS = new StoreSegments([]);

/**
 * When an event batch must re-evaluate every segment rather than those its events can change:
 * consent and quiz answers reach every segment, a full history drops old entries of any type, a
 * full affinity dimension drops its weakest value, and a pending time-based change is due.
 */
const evaluateAll = (p: ProfileState, types: ReadonlySet<EventType>, now: number): boolean =>
  types.has('consent') ||
  types.has('quiz_answer') ||
  p.history.length >= HISTORY_MAX_ENTRIES ||
  AFFINITY_DIMENSIONS.some((d) => Object.keys(p.affinities.scores[d]).length >= MAX_AFFINITY_VALUES) ||
  (p.nextEvaluationAt !== null && p.nextEvaluationAt <= now);

const key = (storeId: string, profileId: string): string => `${storeId}\u0000${profileId}`;

export interface Settled {
  profile: ProfileState;
  nextEvaluationAt: number | null;
  /** Whether a membership or the stage changed. */
  changed: boolean;
  /** Every segment the profile is in after settling; absent after a single-segment backfill. */
  segments?: string[];
}

export interface ProfileRef {
  storeId: string;
  profileId: string;
}

/** Messages for Kafka, sent before the transaction that made them commits. */
export class Outbox {
  readonly memberships: SegmentMembershipChange[] = [];
  /** `mergedInto`: set on the tombstone of a profile merged away, so readers can re-key what they hold. */
  readonly profiles: { storeId: string; profileId: string; view: ProfileView | null; mergedInto?: string }[] = [];
}

/**
 * Settles profiles against their store's segments: computes stage and memberships, writes the
 * membership changes in the caller's transaction, and collects the messages that announce them.
 */
@Injectable()
export class EvaluateSegmentsService {
  constructor(
    private readonly settings: SettingsService,
    private readonly live: LiveSegments,
    private readonly publisher: KafkaPublisher,
  ) {}

  /**
   * `only`: evaluate just this segment (a backfill); otherwise all the store's active segments.
   * `causes`: the event behind each profile's change, by storeId\0profileId.
   */
  async settle(
    tx: EntityManager,
    profiles: readonly ProfileState[],
    now: number,
    trigger: MembershipTrigger,
    outbox: Outbox,
    o: { causes?: ReadonlyMap<string, EnrichedEvent>; changedBy?: ReadonlyMap<string, ChangedBy | 'all'>; only?: { storeId: string; segmentId: string } } = {},
  ): Promise<Settled[]> {
    if (profiles.length === 0) return [];
    const settings = await this.settings.forStores(
      profiles.map((p) => p.storeId),
      tx,
    );
    const segments = await this.live.forStores(tx, settings);
    const current = await this.currentMemberships(tx, profiles, o.only?.segmentId);
    const entered: { storeId: string; profileId: string; segmentId: string; version: number; because: string }[] = [];
    const exited: { storeId: string; profileId: string; segmentId: string }[] = [];
    const settled: Settled[] = [];
    const at = new Date(now).toISOString();

    for (const profile of profiles) {
      const s = settings.get(profile.storeId) as StoreSettings;
      const stage = stageAt(profile, now, s.stages);
      const store = segments.get(profile.storeId) ?? NO_SEGMENTS;
      const scope = o.changedBy?.get(key(profile.storeId, profile.profileId));
      const partial = !o.only && scope !== undefined && scope !== 'all' && !evaluateAll(profile, scope.types, now);
      const evaluated = o.only ? store.all.filter((x) => x.segmentId === o.only?.segmentId) : partial ? store.changedBy((scope as ChangedBy).types, (scope as ChangedBy).entries) : store.all;
      const mine = current.get(key(profile.storeId, profile.profileId)) ?? new Map<string, Membership>();
      const diff = diffMemberships(profile, now, evaluated, mine, stage.nextChangeAt);
      // Segments left out keep their pending time (still in the future, or we would have evaluated all).
      if (partial && profile.nextEvaluationAt !== null && (diff.nextEvaluationAt === null || profile.nextEvaluationAt < diff.nextEvaluationAt)) diff.nextEvaluationAt = profile.nextEvaluationAt;
      const cause = o.causes?.get(key(profile.storeId, profile.profileId));
      for (const [change, list] of [['entered', diff.entered], ['exited', diff.exited]] as const) {
        for (const d of list) {
          const ref = { storeId: profile.storeId, profileId: profile.profileId, segmentId: d.segmentId };
          if (change === 'entered') entered.push({ ...ref, version: d.version, because: d.because });
          else exited.push(ref);
          outbox.memberships.push(membershipChange({ ...ref, segmentVersion: d.version, change, because: d.because, trigger, occurredAt: at }, cause));
        }
      }
      let after: string[] | undefined;
      if (!o.only) {
        const set = new Set(mine.keys());
        for (const d of diff.exited) set.delete(d.segmentId);
        for (const d of diff.entered) set.add(d.segmentId);
        after = [...set];
      }
      settled.push({ profile: { ...profile, stage: stage.stage, nextEvaluationAt: diff.nextEvaluationAt }, nextEvaluationAt: diff.nextEvaluationAt, ...(after ? { segments: after } : {}), changed: diff.entered.length + diff.exited.length > 0 || stage.stage !== profile.stage });
    }
    await this.write(tx, entered, exited, at);
    if (entered.length) changesTotal.inc({ change: 'entered', trigger }, entered.length);
    if (exited.length) changesTotal.inc({ change: 'exited', trigger }, exited.length);
    return settled;
  }

  /** Profiles that are gone (merged away, erased) leave all their segments; their changelog entry is tombstoned. */
  async remove(tx: EntityManager, refs: readonly (ProfileRef & { mergedInto?: string })[], now: number, trigger: MembershipTrigger, outbox: Outbox): Promise<void> {
    if (refs.length === 0) return;
    // DELETE answers [rows, rowCount] through TypeORM's query().
    const [rows]: [{ store_id: string; profile_id: string; segment_id: string; segment_version: number }[], number] = await tx.query(
      `DELETE FROM "profile"."segment_memberships" m USING unnest($1::varchar[], $2::varchar[]) AS u(store_id, profile_id)
       WHERE m.store_id = u.store_id AND m.profile_id = u.profile_id RETURNING m.store_id, m.profile_id, m.segment_id, m.segment_version`,
      [refs.map((r) => r.storeId), refs.map((r) => r.profileId)],
    );
    const at = new Date(now).toISOString();
    for (const r of rows) {
      outbox.memberships.push(
        membershipChange({ storeId: r.store_id, profileId: r.profile_id, segmentId: r.segment_id, segmentVersion: r.segment_version, change: 'exited', because: `profile ${trigger === 'merge' ? 'merged into another' : 'erased'}`, trigger, occurredAt: at }),
      );
    }
    if (rows.length) changesTotal.inc({ change: 'exited', trigger }, rows.length);
    for (const r of refs) outbox.profiles.push({ storeId: r.storeId, profileId: r.profileId, view: null, ...(r.mergedInto ? { mergedInto: r.mergedInto } : {}) });
  }

  /** These profiles leave one segment (deleted or deactivated). */
  async leave(tx: EntityManager, storeId: string, segmentId: string, profileIds: readonly string[], now: number, trigger: MembershipTrigger, outbox: Outbox): Promise<void> {
    if (profileIds.length === 0) return;
    const [rows]: [{ profile_id: string; segment_version: number }[], number] = await tx.query(
      `DELETE FROM "profile"."segment_memberships" WHERE "store_id" = $1 AND "segment_id" = $2 AND "profile_id" = ANY($3) RETURNING "profile_id", "segment_version"`,
      [storeId, segmentId, profileIds],
    );
    const at = new Date(now).toISOString();
    const because = trigger === 'segment_deleted' ? 'segment deleted' : 'segment deactivated';
    for (const r of rows) {
      outbox.memberships.push(membershipChange({ storeId, profileId: r.profile_id, segmentId, segmentVersion: r.segment_version, change: 'exited', because, trigger, occurredAt: at }));
    }
    if (rows.length) changesTotal.inc({ change: 'exited', trigger }, rows.length);
  }

  /** Adds the current views of settled profiles to the outbox (profiles.changed.v1). */
  async announce(tx: EntityManager, settled: readonly Settled[], now: number, outbox: Outbox): Promise<void> {
    if (settled.length === 0) return;
    const refs = settled.map((s) => s.profile);
    const identities = await this.identities(tx, refs);
    // Settling knows the memberships it left; only a single-segment backfill has to read them.
    const memberships = settled.every((s) => s.segments) ? null : await this.currentMemberships(tx, refs);
    const settings = await this.settings.forStores(
      refs.map((p) => p.storeId),
      tx,
    );
    for (const { profile, segments: known } of settled) {
      const k = key(profile.storeId, profile.profileId);
      const segments = memberships === null ? (known ?? []) : [...(memberships.get(k)?.keys() ?? [])];
      outbox.profiles.push({ storeId: profile.storeId, profileId: profile.profileId, view: toView(profile, identities.get(k) ?? [], segments, now, settings.get(profile.storeId) as StoreSettings) });
    }
  }

  /** Sends the outbox; the caller commits only after Kafka acknowledged, so a failure re-sends rather than loses. */
  async flush(outbox: Outbox): Promise<void> {
    const memberships: OutgoingMessage[] = outbox.memberships.map((m) => ({ key: shopperKey(m.storeId, m.profileId), value: m }));
    const profiles: OutgoingMessage[] = outbox.profiles.map((p) => ({ key: shopperKey(p.storeId, p.profileId), value: p.view, ...(p.mergedInto ? { headers: { [MERGED_INTO_HEADER]: p.mergedInto } } : {}) }));
    await Promise.all([memberships.length ? this.publisher.publish(TOPICS.SegmentsMembership, memberships) : undefined, profiles.length ? this.publisher.publish(TOPICS.ProfilesChanged, profiles) : undefined]);
  }

  private async currentMemberships(tx: EntityManager, profiles: readonly ProfileRef[], segmentId?: string): Promise<Map<string, Map<string, Membership>>> {
    const rows: { store_id: string; profile_id: string; segment_id: string; segment_version: number }[] = await tx.query(
      `SELECT m.store_id, m.profile_id, m.segment_id, m.segment_version FROM "profile"."segment_memberships" m
       JOIN unnest($1::varchar[], $2::varchar[]) AS u(store_id, profile_id) ON m.store_id = u.store_id AND m.profile_id = u.profile_id
       ${segmentId !== undefined ? 'WHERE m.segment_id = $3' : ''}`,
      [profiles.map((p) => p.storeId), profiles.map((p) => p.profileId), ...(segmentId !== undefined ? [segmentId] : [])],
    );
    const out = new Map<string, Map<string, Membership>>();
    for (const r of rows) {
      const k = key(r.store_id, r.profile_id);
      const m = out.get(k) ?? new Map<string, Membership>();
      m.set(r.segment_id, { segmentId: r.segment_id, version: r.segment_version });
      out.set(k, m);
    }
    return out;
  }

  private async identities(tx: EntityManager, profiles: readonly ProfileRef[]): Promise<Map<string, Identity[]>> {
    const rows: { store_id: string; profile_id: string; kind: Identity['kind']; value: string }[] = await tx.query(
      `SELECT i.store_id, i.profile_id, i.kind, i.value FROM "profile"."identities" i
       JOIN unnest($1::varchar[], $2::varchar[]) AS u(store_id, profile_id) ON i.store_id = u.store_id AND i.profile_id = u.profile_id`,
      [profiles.map((p) => p.storeId), profiles.map((p) => p.profileId)],
    );
    const out = new Map<string, Identity[]>();
    for (const r of rows) {
      const k = key(r.store_id, r.profile_id);
      out.set(k, [...(out.get(k) ?? []), { kind: r.kind, value: r.value }]);
    }
    return out;
  }

  private async write(tx: EntityManager, entered: { storeId: string; profileId: string; segmentId: string; version: number; because: string }[], exited: { storeId: string; profileId: string; segmentId: string }[], at: string): Promise<void> {
    if (exited.length) {
      await tx.query(
        `DELETE FROM "profile"."segment_memberships" m USING jsonb_to_recordset($1::jsonb) AS v(store_id varchar, profile_id varchar, segment_id varchar)
         WHERE m.store_id = v.store_id AND m.profile_id = v.profile_id AND m.segment_id = v.segment_id`,
        [JSON.stringify(exited.map((e) => ({ store_id: e.storeId, profile_id: e.profileId, segment_id: e.segmentId })))],
      );
    }
    if (entered.length) {
      await tx.query(
        `INSERT INTO "profile"."segment_memberships" ("store_id", "profile_id", "segment_id", "segment_version", "entered_at", "because")
         SELECT store_id, profile_id, segment_id, segment_version, $2::timestamptz, because
         FROM jsonb_to_recordset($1::jsonb) AS v(store_id varchar, profile_id varchar, segment_id varchar, segment_version integer, because text)
         ORDER BY store_id, profile_id, segment_id
         ON CONFLICT ("store_id", "profile_id", "segment_id") DO UPDATE SET "segment_version" = EXCLUDED."segment_version", "because" = EXCLUDED."because"`,
        [JSON.stringify(entered.map((e) => ({ store_id: e.storeId, profile_id: e.profileId, segment_id: e.segmentId, segment_version: e.version, because: e.because }))), at],
      );
    }
  }
}

/** A change with a stable id: re-sent after a failed commit, it is recognisably the same change. */
function membershipChange(m: Omit<SegmentMembershipChange, 'changeId' | 'eventId' | 'eventType'>, cause?: EnrichedEvent): SegmentMembershipChange {
  const basis = [m.storeId, m.profileId, m.segmentId, m.segmentVersion, m.change, cause?.eventId ?? `${m.trigger}@${m.occurredAt}`].join('\u0000');
  return {
    changeId: createHash('sha256').update(basis).digest('hex').slice(0, 32),
    ...m,
    ...(cause ? { eventId: cause.eventId, eventType: cause.type } : {}),
  };
}
