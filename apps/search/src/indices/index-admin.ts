import { Inject, Injectable, Logger } from '@nestjs/common';
import type { Client } from '@opensearch-project/opensearch';
import { OPENSEARCH } from '@signal/platform';
import { SEARCH_INDICES, type IndexNames } from './index-names';
import { PRODUCTS_MAPPING_VERSION, PRODUCT_MAPPINGS, PRODUCT_SETTINGS, QUERY_INDEX, REWRITE_INDEX, SESSION_INDEX, SHOPPER_INDEX } from './mappings';

export interface ReindexResult {
  from: string | null;
  to: string;
  copied: number;
  tookMs: number;
}

// The typed client wants its own request types; our bodies are plain JSON checked by OpenSearch.
type Body = never;

/**
 * Creates the indices and keeps the products alias on an index of the current mapping version.
 * A reindex fills a new concrete index while writes go to both (the `next` alias), then swaps the
 * read/write alias in one atomic `_aliases` call: searches never see a missing or half-filled index.
 */
@Injectable()
export class IndexAdmin {
  private readonly log = new Logger(IndexAdmin.name);

  constructor(
    @Inject(OPENSEARCH) private readonly os: Client,
    @Inject(SEARCH_INDICES) private readonly names: IndexNames,
  ) {}

  /** Idempotent; safe to run from several replicas at once. */
  async ensure(): Promise<void> {
    await this.os.indices.putIndexTemplate({
      name: `${this.names.products}-template`,
      body: { index_patterns: [this.names.productsPattern], priority: 100, template: { settings: PRODUCT_SETTINGS, mappings: PRODUCT_MAPPINGS } } as Body,
    });
    await Promise.all([
      this.createIfMissing(this.names.queries, QUERY_INDEX),
      this.createIfMissing(this.names.rewrites, REWRITE_INDEX),
      this.createIfMissing(this.names.shoppers, SHOPPER_INDEX),
      this.createIfMissing(this.names.sessions, SESSION_INDEX),
    ]);
    const current = await this.productsIndex();
    if (!current) {
      // A fixed first name: replicas starting together race on one index, not create two.
      const index = `${this.names.productsConcrete(PRODUCTS_MAPPING_VERSION)}0`;
      await this.createIfMissing(index, {});
      await this.os.indices.updateAliases({ body: { actions: [{ add: { index, alias: this.names.products, is_write_index: true } }] } as Body });
    } else if (versionOf(current) !== PRODUCTS_MAPPING_VERSION) {
      this.log.log(`products index ${current} has mapping v${versionOf(current)}; reindexing into v${PRODUCTS_MAPPING_VERSION}`);
      await this.reindex();
    }
  }

  /** The concrete index the products alias points to, or null before the first start. */
  async productsIndex(): Promise<string | null> {
    const res = await this.os.indices.getAlias({ name: this.names.products }, { ignore: [404] });
    if (res.statusCode === 404) return null;
    return Object.keys(res.body as Record<string, unknown>)[0] ?? null;
  }

  /** Indices products are written to: the alias, and the index being filled during a reindex. */
  async writeTargets(): Promise<string[]> {
    const res = await this.os.indices.getAlias({ name: this.names.productsNext }, { ignore: [404] });
    return res.statusCode === 404 ? [this.names.products] : [this.names.products, this.names.productsNext];
  }

  /** Copies products into a fresh index of the current mapping and swaps the alias to it. */
  async reindex(): Promise<ReindexResult> {
    const started = Date.now();
    const from = await this.productsIndex();
    const to = this.newProductsIndexName();
    await this.createIfMissing(to, {});
    // From here the indexer writes to both; a document it writes to `to` first is newer than the
    // copy, so the copy skips it (op_type create, conflicts proceed).
    await this.os.indices.updateAliases({ body: { actions: [{ add: { index: to, alias: this.names.productsNext } }] } as Body });
    let copied = 0;
    try {
      if (from) {
        await this.os.indices.refresh({ index: from });
        const res = await this.os.reindex({
          body: { source: { index: from }, dest: { index: to, op_type: 'create' }, conflicts: 'proceed' } as Body,
          refresh: true,
          wait_for_completion: true,
        });
        copied = (res.body as { created?: number }).created ?? 0;
      }
      const actions: unknown[] = [{ remove: { index: to, alias: this.names.productsNext } }, { add: { index: to, alias: this.names.products, is_write_index: true } }];
      if (from) actions.push({ remove: { index: from, alias: this.names.products } });
      await this.os.indices.updateAliases({ body: { actions } as Body });
    } catch (e) {
      await this.os.indices.updateAliases({ body: { actions: [{ remove: { index: to, alias: this.names.productsNext } }] } as Body }).catch(() => undefined);
      await this.os.indices.delete({ index: to }).catch(() => undefined);
      throw e;
    }
    if (from) await this.os.indices.delete({ index: from }, { ignore: [404] });
    const result = { from, to, copied, tookMs: Date.now() - started };
    this.log.log(`reindexed products ${from ?? '(none)'} → ${to}: ${copied} documents in ${result.tookMs} ms`);
    return result;
  }

  private newProductsIndexName(): string {
    const stamp = new Date().toISOString().replace(/[-:.TZ]/g, '').slice(0, 17);
    return `${this.names.productsConcrete(PRODUCTS_MAPPING_VERSION)}${stamp}`;
  }

  private async createIfMissing(index: string, body: object): Promise<void> {
    const res = await this.os.indices.create({ index, body: body as Body }, { ignore: [400] });
    if (res.statusCode === 400) {
      const type = (res.body as { error?: { type?: string } }).error?.type;
      if (type !== 'resource_already_exists_exception') throw new Error(`creating index ${index}: ${JSON.stringify(res.body)}`);
    }
  }
}

/** Mapping version of a concrete products index name (`...products-v3-2026...` → 3). */
export const versionOf = (index: string): number => Number(/-v(\d+)-\d+$/.exec(index)?.[1] ?? 0);
