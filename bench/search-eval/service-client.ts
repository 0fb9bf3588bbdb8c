/**
 * The search service's read API as the evaluation uses it: search and autocomplete. One attempt per
 * request, never throws: a failure is an outcome.
 *
 * Two URL forms: the service's own `GET /v1/stores/:storeId/search?q=...` (what the gateway proxies
 * `/v1/search` to, as with recommendations) and the `GET /v1/search?storeId=&q=` of the first
 * contract. `detectStyle` asks which one the running service answers.
 */
export type PathStyle = 'store-path' | 'query-param';

export interface SearchParams {
  storeId: string;
  q: string;
  page?: number;
  pageSize?: number;
  sort?: 'relevance' | 'price_asc' | 'price_desc' | 'newest' | 'best_selling';
  anonymousId?: string;
  customerId?: string;
  explain?: boolean;
}

export interface SearchAnswer {
  searchId?: string;
  query?: string;
  total?: number;
  hits: { productId: string; title?: string; score?: number }[];
  facets?: unknown;
  fallback?: string;
}

export interface AutocompleteAnswer {
  searchId?: string;
  suggestions: { query: string }[];
  products?: { productId: string }[];
  categories?: unknown[];
}

export interface Answer<T> {
  status: number;
  ms: number;
  body?: T;
  error?: string;
}

const base = (style: PathStyle, storeId: string, what: 'search' | 'autocomplete'): { path: string; params: URLSearchParams } =>
  style === 'store-path' ? { path: `/v1/stores/${encodeURIComponent(storeId)}/${what}`, params: new URLSearchParams() } : { path: `/v1/${what}`, params: new URLSearchParams({ storeId }) };

export const searchPath = (p: SearchParams, style: PathStyle = 'store-path'): string => {
  const { path, params } = base(style, p.storeId, 'search');
  params.set('q', p.q);
  params.set('page', String(p.page ?? 1));
  params.set('pageSize', String(p.pageSize ?? 24));
  if (p.sort) params.set('sort', p.sort);
  if (p.anonymousId) params.set('anonymousId', p.anonymousId);
  if (p.customerId) params.set('customerId', p.customerId);
  if (p.explain) params.set('explain', 'true');
  return `${path}?${params}`;
};

export const autocompletePath = (storeId: string, q: string, limit: number, style: PathStyle = 'store-path'): string => {
  const { path, params } = base(style, storeId, 'autocomplete');
  params.set('q', q);
  params.set('limit', String(limit));
  return `${path}?${params}`;
};

export class SearchServiceClient {
  private readonly base: string;

  constructor(
    baseUrl: string,
    private readonly timeoutMs = 10_000,
    public style: PathStyle = 'store-path',
  ) {
    this.base = baseUrl.replace(/\/+$/, '');
  }

  /** The URL form the service answers (a search for `q` in `storeId` on each; the first with a 200 wins). */
  async detectStyle(storeId: string, q: string): Promise<PathStyle> {
    const tried: string[] = [];
    for (const style of ['store-path', 'query-param'] as const) {
      const a = await this.get<SearchAnswer>(searchPath({ storeId, q }, style), (b) => Array.isArray(b.hits));
      if (a.body) return (this.style = style);
      tried.push(`${searchPath({ storeId, q }, style)}: ${a.error}`);
    }
    throw new Error(`the service answers no search URL form (${tried.join('; ')})`);
  }

  search(p: SearchParams): Promise<Answer<SearchAnswer>> {
    return this.get<SearchAnswer>(searchPath(p, this.style), (b) => Array.isArray(b.hits));
  }

  autocomplete(storeId: string, q: string, limit: number): Promise<Answer<AutocompleteAnswer>> {
    return this.get<AutocompleteAnswer>(autocompletePath(storeId, q, limit, this.style), (b) => Array.isArray(b.suggestions));
  }

  private async get<T>(path: string, valid: (b: T) => boolean): Promise<Answer<T>> {
    const t0 = performance.now();
    try {
      const res = await fetch(this.base + path, { headers: { accept: 'application/json' }, signal: AbortSignal.timeout(this.timeoutMs) });
      const text = await res.text();
      const ms = performance.now() - t0;
      if (res.status !== 200) return { status: res.status, ms, error: `HTTP ${res.status} ${text.slice(0, 200)}` };
      try {
        const body = JSON.parse(text) as T;
        return valid(body) ? { status: 200, ms, body } : { status: 200, ms, error: `unexpected answer: ${text.slice(0, 200)}` };
      } catch {
        return { status: 200, ms, error: `unparsable answer: ${text.slice(0, 200)}` };
      }
    } catch (e) {
      return { status: 0, ms: performance.now() - t0, error: e instanceof Error ? `${e.name}: ${e.message}` : String(e) };
    }
  }
}
