import { Column, Entity, PrimaryColumn } from 'typeorm';

/** An anonymous profile folded into a customer's; late events and lookups for it follow the link. */
@Entity({ name: 'profile_merges' })
export class ProfileMerge {
  @PrimaryColumn({ name: 'store_id', type: 'varchar', length: 64 })
  storeId!: string;

  @PrimaryColumn({ name: 'merged_profile_id', type: 'varchar', length: 128 })
  mergedProfileId!: string;

  @Column({ name: 'into_profile_id', type: 'varchar', length: 128 })
  intoProfileId!: string;

  @Column({ name: 'merged_at', type: 'timestamptz', default: () => 'now()' })
  mergedAt!: Date;
}
