import { Injectable } from '@nestjs/common';
import type { EntityManager } from 'typeorm';
import type { Fact, FactHandler } from '../audience/facts';

/**
 * Messages follow their shopper: a merged profile's messages move to the profile it merged into
 * (so the frequency cap still counts them, and queued ones go to the surviving profile's address);
 * an erased shopper's messages are deleted with them. Idempotent: a repeat finds nothing to move.
 */
@Injectable()
export class MessagesFollowProfiles implements FactHandler {
  async handle(facts: readonly Fact[], tx: EntityManager): Promise<void> {
    for (const f of facts) {
      if (f.kind !== 'profile_gone') continue;
      if (f.into) await tx.query(`UPDATE "campaign"."messages" SET "profile_id" = $3 WHERE "store_id" = $1 AND "profile_id" = $2`, [f.storeId, f.profileId, f.into]);
      else await tx.query(`DELETE FROM "campaign"."messages" WHERE "store_id" = $1 AND "profile_id" = $2`, [f.storeId, f.profileId]);
    }
  }
}
