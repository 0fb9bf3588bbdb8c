import { Check, Column, Entity, Index, JoinColumn, ManyToOne, PrimaryColumn } from 'typeorm';
import type { IdentityKind } from '../profile-state';
import { Profile } from './profile.entity';

/** An anonymous (device) or customer id and the profile it belongs to now. */
@Entity({ name: 'identities' })
@Check('identities_kind_check', `"kind" IN ('anonymous', 'customer')`)
@Index('identities_profile_idx', ['storeId', 'profileId'])
export class ProfileIdentity {
  @PrimaryColumn({ name: 'store_id', type: 'varchar', length: 64 })
  storeId!: string;

  @PrimaryColumn({ type: 'varchar', length: 16 })
  kind!: IdentityKind;

  @PrimaryColumn({ type: 'varchar', length: 128 })
  value!: string;

  @Column({ name: 'profile_id', type: 'varchar', length: 128 })
  profileId!: string;

  @Column({ name: 'linked_at', type: 'timestamptz', default: () => 'now()' })
  linkedAt!: Date;

  @ManyToOne(() => Profile, { onDelete: 'NO ACTION' })
  @JoinColumn([
    { name: 'store_id', referencedColumnName: 'storeId', foreignKeyConstraintName: 'identities_store_id_profile_id_fkey' },
    { name: 'profile_id', referencedColumnName: 'profileId', foreignKeyConstraintName: 'identities_store_id_profile_id_fkey' },
  ])
  profile?: Profile;
}
