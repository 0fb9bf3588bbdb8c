import { randomUUID } from 'node:crypto';
import { Inject, Injectable, Logger } from '@nestjs/common';
import type { Client } from '@opensearch-project/opensearch';
import { TOPICS, shopperKey, type AutocompleteAnswer, type AutocompleteQuery, type FacetValue, type SearchServed } from '@signal/contracts';
import { BACKGROUND_LINGER_MS, KafkaPublisher, OPENSEARCH } from '@signal/platform';
import type { ProductDoc, QueryDoc } from '../indices/documents';
import { SEARCH_INDICES, type IndexNames } from '../indices/index-names';
import { buildAutocompleteRequests } from './autocomplete-request';
import { MAX_QUERY_CHARS, normalizeQuery } from './normalize';
import { SearchContextReader } from './search-context';

/** Products shown beside the suggestions. */
const PRODUCT_LIMIT = 4;
const CATEGORY_LIMIT = 5;

interface MsearchBody {
  responses: { hits?: { hits: { _source: unknown }[] }; aggregations?: { categories?: { buckets: { key: string; doc_count: number }[] } }; error?: unknown }[];
}

/** `GET /v1/autocomplete`: on every keystroke, suggestions, top products and categories in one round trip. */
@Injectable()
export class AutocompleteService {
  private readonly log = new Logger(AutocompleteService.name);

  constructor(
    @Inject(OPENSEARCH) private readonly os: Client,
    @Inject(SEARCH_INDICES) private readonly names: IndexNames,
    private readonly contexts: SearchContextReader,
    private readonly publisher: KafkaPublisher,
  ) {}

  async complete(q: AutocompleteQuery): Promise<AutocompleteAnswer> {
    const typed = normalizeQuery(q.q);
    const personal = q.anonymousId || q.customerId ? await this.contexts.read(q.storeId, '', q) : null;
    const affinities = personal?.affinities ?? null;
    const body = buildAutocompleteRequests({
      queriesIndex: this.names.queries,
      productsIndex: this.names.products,
      storeId: q.storeId,
      typed,
      limit: q.limit,
      productLimit: PRODUCT_LIMIT,
      ranking: { sellsForQuery: {}, affinities, nowHours: Date.now() / 3_600_000 },
      preferCategories: (affinities?.categories ?? []).slice(0, 3).map((c) => c.value.split('>').at(-1)?.trim() ?? c.value),
    });
    const res = await this.os.msearch({ body: body as never });
    const [suggestions, products] = (res.body as unknown as MsearchBody).responses;
    for (const r of [suggestions, products]) if (r?.error) throw new Error(`autocomplete: ${JSON.stringify(r.error).slice(0, 500)}`);
    const answer: AutocompleteAnswer = {
      searchId: randomUUID(),
      query: q.q.slice(0, MAX_QUERY_CHARS),
      suggestions: (suggestions?.hits?.hits ?? []).map((h) => {
        const d = h._source as QueryDoc;
        return { query: d.query, source: d.searches ? ('searches' as const) : ('catalog' as const), ...(typed ? {} : { trending: true }) };
      }),
      products: (products?.hits?.hits ?? []).map((h) => {
        const d = h._source as ProductDoc;
        return { productId: d.productId, title: d.title, price: d.price, currency: d.currency, inStock: d.inStock, ...(d.salePrice !== undefined ? { salePrice: d.salePrice } : {}), ...(d.imageUrl ? { imageUrl: d.imageUrl } : {}) };
      }),
      categories: specific(products?.aggregations?.categories?.buckets ?? []).slice(0, CATEGORY_LIMIT),
    };
    this.served(q, typed, answer);
    return answer;
  }

  private served(q: AutocompleteQuery, typed: string, a: AutocompleteAnswer): void {
    const value: SearchServed = {
      searchId: a.searchId,
      storeId: q.storeId,
      kind: 'autocomplete',
      query: a.query,
      normalizedQuery: typed,
      rewrites: [],
      filters: {},
      page: 1,
      total: a.products.length,
      items: a.products.map((p, position) => ({ productId: p.productId, position })),
      suggestions: a.suggestions.map((s) => s.query),
      servedAt: new Date().toISOString(),
    };
    if (q.anonymousId) value.anonymousId = q.anonymousId;
    if (q.customerId) value.customerId = q.customerId;
    this.publisher
      .publish(TOPICS.SearchServed, [{ key: shopperKey(q.storeId, q.customerId ?? q.anonymousId ?? '-'), value }], { lingerMs: BACKGROUND_LINGER_MS })
      .catch((e: unknown) => this.log.warn(`search.served.v1 not recorded for ${a.searchId}: ${String(e)}`));
  }
}

/** Category paths, dropping a parent that holds no more than its most popular child ("home" when all is "home > kitchen"). */
export function specific(buckets: { key: string; doc_count: number }[]): FacetValue[] {
  return buckets
    .filter((b) => !buckets.some((c) => c.key.startsWith(`${b.key} > `) && c.doc_count >= b.doc_count))
    .map((b) => ({ value: b.key, count: b.doc_count }));
}
