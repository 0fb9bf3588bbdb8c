import { Check, Column, Entity, PrimaryColumn } from 'typeorm';
import type { Device, Geo, ProfileState } from '../profile-state';

// bigint comes back from pg as text; event counts stay far below 2^53.
const bigintAsNumber = { to: (n: number) => n, from: (s: string) => Number(s) };

/** One shopper of one store: counters and the latest surroundings. */
@Entity({ name: 'profiles' })
@Check('profiles_event_count_check', '"event_count" >= 0')
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

  @Column({ name: 'updated_at', type: 'timestamptz', default: () => 'now()' })
  updatedAt!: Date;
}

export const stateOf = (row: Profile): ProfileState => ({
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
