import { Injectable } from '@nestjs/common';
import { InjectDataSource } from '@nestjs/typeorm';
import type { ProfileView } from '@signal/contracts';
import type { DataSource, EntityManager } from 'typeorm';
import { Profile, ProfileIdentity, stateOf } from '../profiles/entities';
import { RESOLVE_MERGED_SQL, type ResolvedRow } from '../profiles/merges';
import { toView, type Identity } from '../profiles/profile-state';
import { SettingsService } from '../settings/settings.service';

/** Reads a profile by id (following merges) or by an identity. */
@Injectable()
export class LookupProfilesService {
  constructor(
    @InjectDataSource() private readonly db: DataSource,
    private readonly settings: SettingsService,
  ) {}

  byProfileId(storeId: string, profileId: string): Promise<ProfileView | null> {
    return this.snapshot(async (tx) => {
      const [merged]: ResolvedRow[] = await tx.query(RESOLVE_MERGED_SQL, [[storeId], [profileId]]);
      return this.load(tx, storeId, merged?.current ?? profileId);
    });
  }

  byIdentity(storeId: string, identity: Identity): Promise<ProfileView | null> {
    return this.snapshot(async (tx) => {
      const owner = await tx.getRepository(ProfileIdentity).findOneBy({ storeId, kind: identity.kind, value: identity.value });
      return owner ? this.load(tx, storeId, owner.profileId) : null;
    });
  }

  // One snapshot for every read: a merge committing in between cannot leave us halfway.
  private snapshot<T>(work: (tx: EntityManager) => Promise<T>): Promise<T> {
    return this.db.transaction('REPEATABLE READ', work);
  }

  private async load(tx: EntityManager, storeId: string, profileId: string): Promise<ProfileView | null> {
    const row = await tx.getRepository(Profile).findOneBy({ storeId, profileId });
    if (!row) return null;
    const identities = await tx.getRepository(ProfileIdentity).find({ where: { storeId, profileId }, select: { kind: true, value: true } });
    const segments: { segment_id: string }[] = await tx.query(`SELECT "segment_id" FROM "profile"."segment_memberships" WHERE "store_id" = $1 AND "profile_id" = $2`, [storeId, profileId]);
    const settings = await this.settings.get(storeId, tx);
    return toView(
      stateOf(row),
      identities.map(({ kind, value }) => ({ kind, value })),
      segments.map((s) => s.segment_id),
      Date.now(),
      settings,
    );
  }
}
