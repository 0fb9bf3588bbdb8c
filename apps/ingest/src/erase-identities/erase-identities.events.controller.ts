import { Controller } from '@nestjs/common';
import { EventPattern, Payload } from '@nestjs/microservices';
import { InjectDataSource } from '@nestjs/typeorm';
import { PrivacyErasure, TOPICS, Validator } from '@signal/contracts';
import { UnprocessableMessageError, type ConsumedMessage } from '@signal/platform';
import type { DataSource } from 'typeorm';

const erasure = new Validator(PrivacyErasure);

/**
 * privacy.erasures.v1 → forget which devices belonged to the erased customer, so a later event
 * from the same browser is not stitched back to them.
 */
@Controller()
export class EraseIdentitiesEventsController {
  constructor(@InjectDataSource() private readonly db: DataSource) {}

  @EventPattern(TOPICS.PrivacyErasures, { batch: true })
  async handle(@Payload() messages: ConsumedMessage[]): Promise<void> {
    const rows: { store_id: string; kind: string; value: string }[] = [];
    let invalid: UnprocessableMessageError | undefined;
    for (const m of messages) {
      const checked = erasure.validate(m.value);
      if (!checked.ok) invalid ??= new UnprocessableMessageError('invalid_erasure', checked.errors);
      else for (const i of checked.value.identities) rows.push({ store_id: checked.value.storeId, kind: i.kind, value: i.value });
    }
    if (rows.length) {
      await this.db.query(
        `DELETE FROM "ingest"."identity_links" l USING jsonb_to_recordset($1::jsonb) AS v(store_id varchar, kind varchar, value varchar)
         WHERE l.store_id = v.store_id AND ((v.kind = 'anonymous' AND l.anonymous_id = v.value) OR (v.kind = 'customer' AND l.customer_id = v.value))`,
        [JSON.stringify(rows)],
      );
    }
    if (invalid) throw invalid;
  }
}
