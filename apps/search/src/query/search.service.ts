import { randomUUID } from 'node:crypto';
import { Inject, Injectable, Logger } from '@nestjs/common';
import type { Client } from '@opensearch-project/opensearch';
import { TOPICS, shopperKey, type FacetValue, type SearchAnswer, type SearchHit, type SearchQuery, type SearchServed } from '@signal/contracts';
import { BACKGROUND_LINGER_MS, KafkaPublisher, OPENSEARCH } from '@signal/platform';
import type { ProductDoc } from '../indices/documents';
import { SEARCH_INDICES, docId, type IndexNames } from '../indices/index-names';
import { MAX_QUERY_CHARS, normalizeQuery } from './normalize';
import { scoreParts, type RankingContext } from './ranking';
import { SearchContextReader } from './search-context';
import { PRICE_RANGES, buildSearchRequest, type SearchRequestInput, type Strictness } from './search-request';
import { queryVariants } from './variants';

interface Bucket {
  key: string;
  doc_count: number;
  from?: number;
  to?: number;
}
interface SearchResponseBody {
  hits: { total: { value: number }; hits: { _source: ProductDoc; _score: number | null; matched_queries?: string[] }[] };
  aggregations?: Record<string, { values: { buckets: Bucket[] } }>;
}

const hoursNow = () => Date.now() / 3_600_000;

/** `GET /v1/search`: typo-tolerant, learned and personal ranking, facets, and never an empty page. */
@Injectable()
export class SearchService {
  private readonly log = new Logger(SearchService.name);

  constructor(
    @Inject(OPENSEARCH) private readonly os: Client,
    @Inject(SEARCH_INDICES) private readonly names: IndexNames,
    private readonly contexts: SearchContextReader,
    private readonly publisher: KafkaPublisher,
  ) {}

  async search(q: SearchQuery): Promise<SearchAnswer> {
    const normalized = normalizeQuery(q.q);
    const ctx = await this.contexts.read(q.storeId, normalized, q);
    const variants = normalized ? queryVariants(normalized, ctx.synonyms, ctx.learned) : [];
    const ranking: RankingContext = { sellsForQuery: ctx.stats?.products ?? {}, affinities: ctx.affinities, nowHours: hoursNow() };
    const base: SearchRequestInput = {
      index: this.names.products,
      storeId: q.storeId,
      variants,
      strictness: 'all_words',
      query: q,
      from: (q.page - 1) * q.pageSize,
      size: q.pageSize,
      ranking,
      facets: true,
    };
    let fallback: SearchAnswer['fallback'];
    let res = await this.run(base);
    if (res.hits.total.value === 0 && normalized) {
      res = await this.run({ ...base, strictness: 'any_word' as Strictness });
      fallback = 'relaxed';
    }
    if (res.hits.total.value === 0) {
      const category = await this.likelyCategory(q.storeId, ranking);
      if (category) {
        res = await this.run({ ...base, variants: [], from: 0, inCategory: category });
        fallback = 'popular_in_category';
      }
    }
    if (res.hits.total.value === 0) {
      res = await this.run({ ...base, variants: [], from: 0, ignoreFilters: true });
      fallback = 'popular';
    }
    if (fallback && res.hits.total.value === 0) fallback = undefined;
    const answer: SearchAnswer = {
      searchId: randomUUID(),
      query: q.q.slice(0, MAX_QUERY_CHARS),
      normalizedQuery: normalized,
      rewrites: variants.slice(1).map((v) => v.text),
      total: res.hits.total.value,
      page: fallback && fallback !== 'relaxed' ? 1 : q.page,
      pageSize: q.pageSize,
      hits: res.hits.hits.map((h, i) => this.hit(h, (fallback && fallback !== 'relaxed' ? 0 : base.from) + i, q.explain ? ranking : null)),
      facets: facets(res),
      personalized: ctx.affinities !== null,
    };
    if (fallback) answer.fallback = fallback;
    this.served(q, answer);
    return answer;
  }

  private async run(input: SearchRequestInput): Promise<SearchResponseBody> {
    const req = buildSearchRequest(input);
    const res = await this.os.search({ index: req.index, body: req.body as never });
    return res.body as unknown as SearchResponseBody;
  }

  /** Where to look when nothing matched: the category of what sells for the query, else the shopper's favourite. */
  private async likelyCategory(storeId: string, ranking: RankingContext): Promise<string | null> {
    const top = Object.entries(ranking.sellsForQuery).sort((a, b) => b[1] - a[1])[0]?.[0];
    if (top) {
      const res = await this.os.get({ index: this.names.products, id: docId(storeId, top), _source: ['categories'] } as never, { ignore: [404] });
      const categories = (res.body as { _source?: { categories?: string[] } })._source?.categories ?? [];
      const leaf = categories.reduce<string | null>((a, c) => (a === null || c.length > a.length ? c : a), null);
      if (leaf) return leaf;
    }
    return ranking.affinities?.categories[0]?.value.toLowerCase() ?? null;
  }

  private hit(h: SearchResponseBody['hits']['hits'][number], position: number, explainWith: RankingContext | null): SearchHit {
    const d = h._source;
    const hit: SearchHit = { productId: d.productId, title: d.title, price: d.price, currency: d.currency, inStock: d.inStock, position, score: h._score };
    if (d.brand) hit.brand = d.brand;
    if (d.category) hit.category = d.category;
    if (d.salePrice !== undefined) hit.salePrice = d.salePrice;
    if (d.imageUrl) hit.imageUrl = d.imageUrl;
    if (explainWith) {
      const parts = scoreParts(d, explainWith);
      const multiplier = parts.sellsForQuery * parts.popularity * parts.stock * parts.affinity;
      hit.explain = {
        text: round((h._score ?? 0) / multiplier),
        sellsForQuery: round(parts.sellsForQuery),
        popularity: round(parts.popularity),
        stock: round(parts.stock),
        affinity: round(parts.affinity),
        matched: h.matched_queries ?? [],
      };
    }
    return hit;
  }

  /** search.served.v1, off the answer path: analytics must not slow a shopper down. */
  private served(q: SearchQuery, a: SearchAnswer): void {
    const value: SearchServed = {
      searchId: a.searchId,
      storeId: q.storeId,
      kind: 'search',
      query: a.query,
      normalizedQuery: a.normalizedQuery,
      rewrites: a.rewrites,
      filters: Object.fromEntries(Object.entries({ brand: q.brand, category: q.category, color: q.color, size: q.size, price_min: q.price_min, price_max: q.price_max, in_stock: q.in_stock, sort: q.sort }).filter(([, v]) => v !== undefined)),
      page: a.page,
      total: a.total,
      items: a.hits.map((h) => ({ productId: h.productId, position: h.position })),
      servedAt: new Date().toISOString(),
    };
    if (q.anonymousId) value.anonymousId = q.anonymousId;
    if (q.customerId) value.customerId = q.customerId;
    if (a.fallback) value.fallback = a.fallback;
    this.publisher
      .publish(TOPICS.SearchServed, [{ key: shopperKey(q.storeId, q.customerId ?? q.anonymousId ?? '-'), value }], { lingerMs: BACKGROUND_LINGER_MS })
      .catch((e: unknown) => this.log.warn(`search.served.v1 not recorded for ${a.searchId}: ${String(e)}`));
  }
}

const round = (x: number) => Math.round(x * 1000) / 1000;

function facets(res: SearchResponseBody): SearchAnswer['facets'] {
  const values = (name: string): FacetValue[] => (res.aggregations?.[name]?.values.buckets ?? []).map((b) => ({ value: String(b.key), count: b.doc_count }));
  const price = (res.aggregations?.price?.values.buckets ?? [])
    .map((b, i) => ({ ...PRICE_RANGES[i], count: b.doc_count }))
    .filter((b) => b.count > 0);
  return { brand: values('brand'), category: values('category'), color: values('color'), size: values('size'), price };
}
