import { Check, Column, Entity, Index, PrimaryColumn } from 'typeorm';
import type { LifecycleStage } from '../../settings/store-settings';
import { emptyProfile, type Device, type Geo, type ProfileState } from '../profile-state';

// bigint comes back from pg as text; event counts stay far below 2^53.
const bigintAsNumber = { to: (n: number) => n, from: (s: string) => Number(s) };

/** One shopper of one store: counters and the latest surroundings. */
@Entity({ name: 'profiles' })
@Check('profiles_event_count_check', '"event_count" >= 0')
@Index('profiles_next_evaluation_idx', ['nextEvaluationAt'], { where: '"next_evaluation_at" IS NOT NULL' })
export class Profile {
  @PrimaryColumn({ name: 'store_id', type: 'varchar', length: 64 })
  storeId!: string;

  @PrimaryColumn({ name: 'profile_id', type: 'varchar', length: 128 })
  profileId!: string;

  @Column({ name: 'customer_id', type: 'varchar', length: 128, nullable: true })
  customerId!: string | null;

  @Column({ name: 'first_seen_at', type: 'timestamptz' })
  firstSeenAt!: Date;

  @Column({ name: 'last_seen_at', type: 'timestamptz' })
  lastSeenAt!: Date;

  @Column({ name: 'event_count', type: 'bigint', transformer: bigintAsNumber })
  eventCount!: number;

  @Column({ type: 'jsonb', default: () => "'{}'" })
  counters!: Record<string, number>;

  @Column({ type: 'jsonb', nullable: true })
  device!: Device | null;

  @Column({ type: 'jsonb', nullable: true })
  geo!: Geo | null;

  @Column({ type: 'text', nullable: true })
  timezone!: string | null;

  /** Traits, affinities, orders, consent, products and history: see ProfileDetails. */
  @Column({ type: 'jsonb', default: () => "'{}'" })
  details!: Partial<ProfileDetails>;

  @Column({ type: 'varchar', length: 32, default: 'new_visitor' })
  stage!: LifecycleStage;

  /** When time alone may change a segment membership or the stage; the sweep looks here. */
  @Column({ name: 'next_evaluation_at', type: 'timestamptz', nullable: true })
  nextEvaluationAt!: Date | null;

  @Column({ name: 'updated_at', type: 'timestamptz', default: () => 'now()' })
  updatedAt!: Date;
}

export type ProfileDetails = Pick<ProfileState, (typeof DETAIL_FIELDS)[number]>;
export const DETAIL_FIELDS = ['email', 'traits', 'affinities', 'orders', 'consent', 'purchased', 'hearted', 'assignedSegments', 'history'] as const;

export const detailsOf = (p: ProfileState): ProfileDetails => ({
  email: p.email,
  traits: p.traits,
  affinities: p.affinities,
  orders: p.orders,
  consent: p.consent,
  purchased: p.purchased,
  hearted: p.hearted,
  assignedSegments: p.assignedSegments,
  history: p.history,
});

/** A row as state; details missing from rows written before they existed take their empty values. */
export const stateOf = (row: Profile): ProfileState => ({
  ...emptyProfile(row.storeId, row.profileId, row.customerId),
  ...row.details,
  stage: row.stage,
  nextEvaluationAt: row.nextEvaluationAt?.getTime() ?? null,
  storeId: row.storeId,
  profileId: row.profileId,
  customerId: row.customerId,
  firstSeenAt: row.firstSeenAt.getTime(),
  lastSeenAt: row.lastSeenAt.getTime(),
  eventCount: row.eventCount,
  counters: row.counters,
  device: row.device,
  geo: row.geo,
  timezone: row.timezone,
});
