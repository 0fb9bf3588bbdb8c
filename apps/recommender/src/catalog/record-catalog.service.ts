import { Injectable } from '@nestjs/common';
import { InjectDataSource } from '@nestjs/typeorm';
import { InventoryChange, Product, Validator } from '@signal/contracts';
import { UnprocessableMessageError, type ConsumedMessage } from '@signal/platform';
import type { DataSource } from 'typeorm';
import { categoryPaths } from './categories';

const product = new Validator(Product);
const inventory = new Validator(InventoryChange);

const splitKey = (key: string | null): { store_id: string; product_id: string } | null => {
  const at = key?.indexOf(':') ?? -1;
  return key && at > 0 ? { store_id: key.slice(0, at), product_id: key.slice(at + 1) } : null;
};

/** catalog.products.v1 and catalog.inventory.v1 → the products recommendations are chosen from. */
@Injectable()
export class RecordCatalogService {
  constructor(@InjectDataSource() private readonly db: DataSource) {}

  async products(messages: ConsumedMessage[]): Promise<void> {
    const upserts: Record<string, unknown>[] = [];
    const deletes: { store_id: string; product_id: string }[] = [];
    let invalid: UnprocessableMessageError | undefined;
    for (const m of messages) {
      if (m.value === null) {
        const key = splitKey(m.key);
        if (key) deletes.push(key);
        continue;
      }
      const checked = product.validate(m.value);
      if (!checked.ok) {
        invalid ??= new UnprocessableMessageError('invalid_product', checked.errors);
        continue;
      }
      const p = checked.value;
      upserts.push({
        store_id: p.storeId,
        product_id: p.productId,
        title: p.title,
        brand: p.brand ?? null,
        categories: categoryPaths(p.categories),
        price: p.salePrice ?? p.price,
        attributes: p.attributes ?? {},
        in_stock: p.inStock && (p.stockLevel === undefined || p.stockLevel > 0),
        hidden: p.hidden ?? false,
        variant_group: p.variantGroupId ?? null,
        created_at: p.createdAt,
        updated_at: p.updatedAt,
      });
    }
    await this.db.transaction(async (tx) => {
      if (upserts.length) {
        // Out-of-order versions: the newest updatedAt wins.
        await tx.query(
          `INSERT INTO "recommender"."products" AS p ("store_id", "product_id", "title", "brand", "categories", "price", "attributes", "in_stock", "hidden", "variant_group", "created_at", "updated_at")
           SELECT DISTINCT ON (store_id, product_id) store_id, product_id, title, brand, ARRAY(SELECT jsonb_array_elements_text(categories)), price, attributes, in_stock, hidden, variant_group, created_at, updated_at
           FROM jsonb_to_recordset($1::jsonb) AS v(store_id varchar, product_id varchar, title text, brand varchar, categories jsonb, price double precision, attributes jsonb,
                                                   in_stock boolean, hidden boolean, variant_group varchar, created_at timestamptz, updated_at timestamptz)
           ORDER BY store_id, product_id, updated_at DESC
           ON CONFLICT ("store_id", "product_id") DO UPDATE SET
             "title" = EXCLUDED."title", "brand" = EXCLUDED."brand", "categories" = EXCLUDED."categories", "price" = EXCLUDED."price",
             "attributes" = EXCLUDED."attributes", "hidden" = EXCLUDED."hidden", "variant_group" = EXCLUDED."variant_group",
             "created_at" = EXCLUDED."created_at", "updated_at" = EXCLUDED."updated_at",
             -- A newer stock message than this product version keeps its say on stock.
             "in_stock" = CASE WHEN p."stock_updated_at" > EXCLUDED."updated_at" THEN p."in_stock" ELSE EXCLUDED."in_stock" END,
             "revision" = nextval('"recommender"."revision"')
           WHERE p."updated_at" <= EXCLUDED."updated_at"`,
          [JSON.stringify(upserts)],
        );
      }
      if (deletes.length) {
        // Hidden rather than deleted: serving replicas notice a change by its revision, never a missing row.
        await tx.query(
          `UPDATE "recommender"."products" p SET "hidden" = true, "revision" = nextval('"recommender"."revision"')
           FROM jsonb_to_recordset($1::jsonb) AS v(store_id varchar, product_id varchar)
           WHERE p.store_id = v.store_id AND p.product_id = v.product_id`,
          [JSON.stringify(deletes)],
        );
      }
    });
    if (invalid) throw invalid;
  }

  /** Stock of the product as a whole (variant-level changes do not take the product out). */
  async inventory(messages: ConsumedMessage[]): Promise<void> {
    const changes: { store_id: string; product_id: string; in_stock: boolean; at: string }[] = [];
    let invalid: UnprocessableMessageError | undefined;
    for (const m of messages) {
      const checked = inventory.validate(m.value);
      if (!checked.ok) {
        invalid ??= new UnprocessableMessageError('invalid_inventory_change', checked.errors);
        continue;
      }
      const c = checked.value;
      if (c.variantId !== undefined) continue;
      changes.push({ store_id: c.storeId, product_id: c.productId, in_stock: c.inStock && c.stockLevel > 0, at: c.updatedAt });
    }
    if (changes.length) {
      await this.db.query(
        `UPDATE "recommender"."products" p SET "in_stock" = v.in_stock, "stock_updated_at" = v.at, "revision" = nextval('"recommender"."revision"')
         FROM (SELECT DISTINCT ON (store_id, product_id) * FROM jsonb_to_recordset($1::jsonb) AS x(store_id varchar, product_id varchar, in_stock boolean, at timestamptz)
               ORDER BY store_id, product_id, at DESC) v
         WHERE p.store_id = v.store_id AND p.product_id = v.product_id AND (p."stock_updated_at" IS NULL OR p."stock_updated_at" <= v.at)`,
        [JSON.stringify(changes)],
      );
    }
    if (invalid) throw invalid;
  }
}
