/**
 * The few OpenSearch calls the evaluation makes itself (plain HTTP JSON over fetch, no auth: the
 * local infra), and the baselines: a plain index of the same products with the standard analyzer,
 * searched with `match` on the title and, for autocomplete, `match_phrase_prefix` on the title.
 */
import type { EvalProduct } from './catalog';
import { distinctTop } from './metrics';
import { normalizeQuery } from './normalize';

export interface OsAnswer<T = unknown> {
  status: number;
  body: T;
  ms: number;
}

export class OpenSearchHttp {
  private readonly base: string;

  constructor(url: string, private readonly timeoutMs = 30_000) {
    this.base = url.replace(/\/+$/, '');
  }

  async call<T = unknown>(method: 'GET' | 'POST' | 'PUT' | 'DELETE' | 'HEAD', path: string, body?: unknown, contentType = 'application/json'): Promise<OsAnswer<T>> {
    const t0 = performance.now();
    const res = await fetch(this.base + path, {
      method,
      headers: body === undefined ? {} : { 'content-type': contentType },
      body: body === undefined ? undefined : typeof body === 'string' ? body : JSON.stringify(body),
      signal: AbortSignal.timeout(this.timeoutMs),
    });
    const text = await res.text();
    let parsed: unknown = text;
    try {
      parsed = text ? JSON.parse(text) : null;
    } catch {
      // not JSON: keep the text
    }
    return { status: res.status, body: parsed as T, ms: performance.now() - t0 };
  }

  async ok<T = unknown>(method: 'GET' | 'POST' | 'PUT' | 'DELETE', path: string, body?: unknown, contentType?: string): Promise<T> {
    const r = await this.call<T>(method, path, body, contentType);
    if (r.status >= 300) throw new Error(`OpenSearch ${method} ${path}: HTTP ${r.status} ${JSON.stringify(r.body).slice(0, 500)}`);
    return r.body;
  }

  /** Documents matching `query` in `index` (0 when the index or alias does not exist yet). */
  async count(index: string, query: unknown): Promise<number> {
    const r = await this.call<{ count?: number }>('POST', `/${encodeURIComponent(index)}/_count`, { query });
    return r.status === 200 ? (r.body.count ?? 0) : 0;
  }

  /** Concrete indices whose names start with `prefix`. */
  async indicesWithPrefix(prefix: string): Promise<string[]> {
    const r = await this.call<{ index: string }[]>('GET', `/_cat/indices/${encodeURIComponent(prefix)}*?format=json&h=index&expand_wildcards=all`);
    return r.status === 200 && Array.isArray(r.body) ? r.body.map((x) => x.index).filter((i) => i.startsWith(prefix)).sort() : [];
  }
}

/** The baseline index: productId, and the title with the standard analyzer; nothing else. */
export const BASELINE_INDEX_BODY = {
  settings: { number_of_shards: 1, number_of_replicas: 0 },
  mappings: { dynamic: 'strict', properties: { productId: { type: 'keyword' }, title: { type: 'text' } } },
};

export async function createBaselineIndex(os: OpenSearchHttp, index: string, products: readonly EvalProduct[]): Promise<void> {
  await os.call('DELETE', `/${index}`);
  await os.ok('PUT', `/${index}`, BASELINE_INDEX_BODY);
  for (let i = 0; i < products.length; i += 1000) {
    const lines = products.slice(i, i + 1000).flatMap((p) => [JSON.stringify({ index: { _id: p.productId } }), JSON.stringify({ productId: p.productId, title: p.title })]);
    const r = await os.ok<{ errors: boolean }>('POST', `/${index}/_bulk`, `${lines.join('\n')}\n`, 'application/x-ndjson');
    if (r.errors) throw new Error(`bulk indexing into ${index} reported errors`);
  }
  await os.ok('POST', `/${index}/_refresh`);
}

/** `{ match: { title: q } }`: the plain full-text query (OR of the words, BM25). */
export const matchQueryBody = (q: string, size: number) => ({ size, _source: ['productId'], query: { match: { title: q } } });

/** `{ match_phrase_prefix: { title: prefix } }`: the plain as-you-type query. */
export const phrasePrefixBody = (prefix: string, size: number) => ({ size, _source: ['title'], query: { match_phrase_prefix: { title: prefix } } });

interface Hits<T> {
  hits: { hits: { _source: T }[] };
}

/** Product ids of the baseline `match` search; null when the request failed. */
export async function baselineSearch(os: OpenSearchHttp, index: string, q: string, size: number): Promise<string[] | null> {
  try {
    const r = await os.call<Hits<{ productId: string }>>('POST', `/${index}/_search`, matchQueryBody(q, size));
    return r.status === 200 ? r.body.hits.hits.map((h) => h._source.productId) : null;
  } catch {
    return null;
  }
}

/** Suggestions of the `match_phrase_prefix` baseline: the distinct normalized titles of the best hits. */
export async function baselinePhrasePrefix(os: OpenSearchHttp, index: string, prefix: string, limit: number): Promise<string[] | null> {
  try {
    const r = await os.call<Hits<{ title: string }>>('POST', `/${index}/_search`, phrasePrefixBody(prefix, limit * 3));
    return r.status === 200 ? distinctTop(r.body.hits.hits.map((h) => normalizeQuery(h._source.title)), limit) : null;
  } catch {
    return null;
  }
}
