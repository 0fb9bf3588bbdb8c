import { Inject, Injectable } from '@nestjs/common';
import type { Client } from '@opensearch-project/opensearch';
import { InventoryChange, Product, Validator } from '@signal/contracts';
import { OPENSEARCH, UnprocessableMessageError, type ConsumedMessage } from '@signal/platform';
import { IndexAdmin } from '../indices/index-admin';
import { SEARCH_INDICES, docId, type IndexNames } from '../indices/index-names';
import { normalizeQuery } from '../query/normalize';
import { CATALOG_PHRASE_SCRIPT, SET_STOCK_SCRIPT, UPSERT_PRODUCT_SCRIPT, productDocument } from './product-document';

const product = new Validator(Product);
const inventory = new Validator(InventoryChange);

/** Longest catalog phrase offered as a suggestion. */
const MAX_PHRASE = 100;

interface BulkItemResult {
  status: number;
  error?: { type?: string; reason?: string };
}

/** Hooks called after products are indexed (image embeddings). */
export const PRODUCTS_INDEXED = Symbol('PRODUCTS_INDEXED');
export type ProductsIndexed = (products: Product[]) => Promise<void>;

/** catalog.products.v1 and catalog.inventory.v1 → the products index and the catalog suggestions. */
@Injectable()
export class IndexCatalogService {
  constructor(
    @Inject(OPENSEARCH) private readonly os: Client,
    @Inject(SEARCH_INDICES) private readonly names: IndexNames,
    private readonly admin: IndexAdmin,
  ) {}

  async products(messages: ConsumedMessage[]): Promise<Product[]> {
    const ops: object[] = [];
    const indexed: Product[] = [];
    let invalid: UnprocessableMessageError | undefined;
    const targets = await this.admin.writeTargets();
    for (const m of messages) {
      if (m.value === null) {
        const id = tombstoneId(m.key);
        if (id) for (const index of targets) ops.push({ delete: { _index: index, _id: id } });
        continue;
      }
      const checked = product.validate(m.value);
      if (!checked.ok) {
        invalid ??= new UnprocessableMessageError('invalid_product', checked.errors);
        continue;
      }
      const doc = productDocument(checked.value);
      const id = docId(doc.storeId, doc.productId);
      for (const index of targets) {
        ops.push({ update: { _index: index, _id: id, retry_on_conflict: 5 } }, { script: { source: UPSERT_PRODUCT_SCRIPT, params: { doc } }, upsert: {}, scripted_upsert: true });
      }
      if (!doc.hidden) {
        const phrases: [string | undefined, 'title' | 'brand' | 'category'][] = [[doc.category, 'category'], [doc.brand, 'brand'], [doc.title, 'title']];
        for (const [text, kind] of phrases) {
          const query = text ? normalizeQuery(text).slice(0, MAX_PHRASE) : '';
          if (query.length < 2) continue;
          ops.push(
            { update: { _index: this.names.queries, _id: docId(doc.storeId, query), retry_on_conflict: 5 } },
            { script: { source: CATALOG_PHRASE_SCRIPT, params: { storeId: doc.storeId, query, catalog: { kind, products: 1 } } }, upsert: {}, scripted_upsert: true },
          );
        }
      }
      indexed.push(checked.value);
    }
    await this.bulk(ops, false);
    if (invalid) throw invalid;
    return indexed;
  }

  /** Stock of the product as a whole; variant-level changes do not take the product out. */
  async inventory(messages: ConsumedMessage[]): Promise<void> {
    const ops: object[] = [];
    let invalid: UnprocessableMessageError | undefined;
    const targets = await this.admin.writeTargets();
    for (const m of messages) {
      const checked = inventory.validate(m.value);
      if (!checked.ok) {
        invalid ??= new UnprocessableMessageError('invalid_inventory_change', checked.errors);
        continue;
      }
      const c = checked.value;
      if (c.variantId !== undefined) continue;
      const params = { inStock: c.inStock && c.stockLevel > 0, stockLevel: c.stockLevel, at: new Date(c.updatedAt).toISOString() };
      for (const index of targets) {
        ops.push({ update: { _index: index, _id: docId(c.storeId, c.productId), retry_on_conflict: 5 } }, { script: { source: SET_STOCK_SCRIPT, params } });
      }
    }
    // A stock change for a product not indexed yet is dropped: the product brings its own stock.
    await this.bulk(ops, true);
    if (invalid) throw invalid;
  }

  private async bulk(ops: object[], missingIsFine: boolean): Promise<void> {
    if (!ops.length) return;
    const res = await this.os.bulk({ body: ops as never });
    const body = res.body as { errors: boolean; items: Record<string, BulkItemResult>[] };
    if (!body.errors) return;
    for (const item of body.items) {
      const r = Object.values(item)[0];
      if (!r.error) continue;
      if (r.status === 404 && missingIsFine && r.error.type === 'document_missing_exception') continue;
      // A document OpenSearch refuses (mapping) will be refused again: dead-letter it. Anything else is retried.
      if (r.status === 400) throw new UnprocessableMessageError('rejected_by_index', [{ field: '', message: `${r.error.type}: ${r.error.reason}` }]);
      throw new Error(`bulk ${r.status}: ${r.error.type}: ${r.error.reason}`);
    }
  }
}

const tombstoneId = (key: string | null): string | null => {
  const at = key?.indexOf(':') ?? -1;
  return key && at > 0 ? docId(key.slice(0, at), key.slice(at + 1)) : null;
};
