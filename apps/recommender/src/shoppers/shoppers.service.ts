import { Injectable } from '@nestjs/common';
import { InjectDataSource } from '@nestjs/typeorm';
import { MERGED_INTO_HEADER, PrivacyErasure, Validator, profileIdFor } from '@signal/contracts';
import { UnprocessableMessageError, type ConsumedMessage } from '@signal/platform';
import type { DataSource } from 'typeorm';

const erasure = new Validator(PrivacyErasure);

/**
 * Follows what the profile service decides about shoppers: a merge moves the merged-away profile's
 * interactions to the survivor (its later events already arrive under the survivor's id), and an
 * erasure deletes everything held about the person.
 */
@Injectable()
export class ShoppersService {
  constructor(@InjectDataSource() private readonly db: DataSource) {}

  async profilesChanged(messages: ConsumedMessage[]): Promise<void> {
    for (const m of messages) {
      const into = m.headers[MERGED_INTO_HEADER];
      const at = m.key?.indexOf(':') ?? -1;
      if (m.value !== null || !into || !m.key || at <= 0) continue;
      const storeId = m.key.slice(0, at);
      const from = m.key.slice(at + 1);
      await this.db.transaction(async (tx) => {
        await tx.query(`UPDATE "recommender"."interactions" SET "profile_id" = $3 WHERE "store_id" = $1 AND "profile_id" = $2`, [storeId, from, into]);
        // A withdrawal on either side stands for the merged person.
        await tx.query(
          `INSERT INTO "recommender"."consents" ("store_id", "profile_id", "personalization", "at")
           SELECT "store_id", $3, "personalization", "at" FROM "recommender"."consents" WHERE "store_id" = $1 AND "profile_id" = $2
           ON CONFLICT ("store_id", "profile_id") DO UPDATE SET "personalization" = EXCLUDED."personalization", "at" = EXCLUDED."at"
           WHERE "consents"."at" <= EXCLUDED."at"`,
          [storeId, from, into],
        );
      });
    }
  }

  async erasures(messages: ConsumedMessage[]): Promise<void> {
    let invalid: UnprocessableMessageError | undefined;
    for (const m of messages) {
      const checked = erasure.validate(m.value);
      if (!checked.ok) {
        invalid ??= new UnprocessableMessageError('invalid_erasure', checked.errors);
        continue;
      }
      const e = checked.value;
      const ids = [
        e.profileId,
        ...e.identities.map((i) => profileIdFor(e.storeId, i.kind === 'customer' ? { customerId: i.value, anonymousId: '' } : { anonymousId: i.value })),
      ];
      await this.db.transaction(async (tx) => {
        await tx.query(`DELETE FROM "recommender"."interactions" WHERE "store_id" = $1 AND "profile_id" = ANY($2)`, [e.storeId, ids]);
        await tx.query(`DELETE FROM "recommender"."consents" WHERE "store_id" = $1 AND "profile_id" = ANY($2)`, [e.storeId, ids]);
      });
    }
    if (invalid) throw invalid;
  }
}
