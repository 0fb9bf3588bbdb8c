import { Column, CreateDateColumn, Entity, PrimaryColumn } from 'typeorm';

export type ApiKeyKind = 'write' | 'secret';

/** A store's API key. Only its SHA-256 is stored; the key itself is shown once, at creation. */
@Entity({ name: 'api_keys' })
export class ApiKey {
  @PrimaryColumn({ name: 'key_hash', type: 'char', length: 64 })
  keyHash!: string;

  @Column({ name: 'store_id', type: 'varchar', length: 64 })
  storeId!: string;

  @Column({ type: 'varchar', length: 16 })
  kind!: ApiKeyKind;

  @CreateDateColumn({ name: 'created_at', type: 'timestamptz' })
  createdAt!: Date;

  @Column({ name: 'revoked_at', type: 'timestamptz', nullable: true })
  revokedAt!: Date | null;
}
