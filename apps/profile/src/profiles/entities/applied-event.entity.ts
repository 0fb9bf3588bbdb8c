import { Column, Entity, Index, PrimaryColumn } from 'typeorm';

/** Every event already counted: written in the same transaction as the profile, so nothing counts twice. */
@Entity({ name: 'applied_events' })
@Index('applied_events_applied_at_idx', ['appliedAt'])
export class AppliedEvent {
  @PrimaryColumn({ name: 'store_id', type: 'varchar', length: 64 })
  storeId!: string;

  @PrimaryColumn({ name: 'event_id', type: 'varchar', length: 128 })
  eventId!: string;

  @Column({ name: 'applied_at', type: 'timestamptz', default: () => 'now()' })
  appliedAt!: Date;
}
