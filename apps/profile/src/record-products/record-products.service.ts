import { Injectable } from '@nestjs/common';
import { InjectDataSource } from '@nestjs/typeorm';
import { Product, Validator } from '@signal/contracts';
import { UnprocessableMessageError, type ConsumedMessage } from '@signal/platform';
import type { DataSource, EntityManager } from 'typeorm';
import type { ProductFacts } from '../profiles/profile-state';
import { factsOf } from './product-facts';

const product = new Validator(Product);

/** catalog.products.v1 → the product facts profiles are enriched with (brand, categories, price, colour, size). */
@Injectable()
export class RecordProductsService {
  constructor(@InjectDataSource() private readonly db: DataSource) {}

  async record(messages: ConsumedMessage[]): Promise<void> {
    const upserts: { store_id: string; product_id: string; facts: ProductFacts; updated_at: string }[] = [];
    const deletes: { store_id: string; product_id: string }[] = [];
    let invalid: UnprocessableMessageError | undefined;
    for (const m of messages) {
      if (m.value === null) {
        // A tombstone: the key is storeId:productId.
        const at = m.key?.indexOf(':') ?? -1;
        if (m.key && at > 0) deletes.push({ store_id: m.key.slice(0, at), product_id: m.key.slice(at + 1) });
        continue;
      }
      const checked = product.validate(m.value);
      if (!checked.ok) {
        invalid ??= new UnprocessableMessageError('invalid_product', checked.errors);
        continue;
      }
      const p = checked.value;
      upserts.push({ store_id: p.storeId, product_id: p.productId, facts: factsOf(p), updated_at: p.updatedAt });
    }
    await this.db.transaction(async (tx) => {
      if (upserts.length) {
        // Out-of-order versions: the newest updatedAt wins.
        await tx.query(
          `INSERT INTO "profile"."products" ("store_id", "product_id", "facts", "updated_at")
           SELECT DISTINCT ON (store_id, product_id) store_id, product_id, facts, updated_at
           FROM jsonb_to_recordset($1::jsonb) AS v(store_id varchar, product_id varchar, facts jsonb, updated_at timestamptz)
           ORDER BY store_id, product_id, updated_at DESC
           ON CONFLICT ("store_id", "product_id") DO UPDATE SET "facts" = EXCLUDED."facts", "updated_at" = EXCLUDED."updated_at"
           WHERE "products"."updated_at" <= EXCLUDED."updated_at"`,
          [JSON.stringify(upserts)],
        );
      }
      if (deletes.length) {
        await tx.query(
          `DELETE FROM "profile"."products" p USING jsonb_to_recordset($1::jsonb) AS v(store_id varchar, product_id varchar)
           WHERE p.store_id = v.store_id AND p.product_id = v.product_id`,
          [JSON.stringify(deletes)],
        );
      }
    });
    if (invalid) throw invalid;
  }

  /** Facts for the products a batch of events names, by `storeId\0productId`. */
  async factsFor(tx: EntityManager, refs: readonly { storeId: string; productId: string }[]): Promise<Map<string, ProductFacts>> {
    if (refs.length === 0) return new Map();
    const rows: { store_id: string; product_id: string; facts: ProductFacts }[] = await tx.query(
      `SELECT p.store_id, p.product_id, p.facts FROM "profile"."products" p
       JOIN unnest($1::varchar[], $2::varchar[]) AS u(store_id, product_id) ON p.store_id = u.store_id AND p.product_id = u.product_id`,
      [refs.map((r) => r.storeId), refs.map((r) => r.productId)],
    );
    return new Map(rows.map((r) => [`${r.store_id}\u0000${r.product_id}`, r.facts]));
  }
}
