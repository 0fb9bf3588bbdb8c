/**
 * The few HTTP calls the replay (replay.ts) makes to the running services: catalog and events in
 * through the gateway, recommendations out through the gateway, and the recommender's status page.
 * Every call has a timeout; writes are retried (product upserts and events with fixed eventIds are
 * idempotent), recommendation reads are not (a failed answer is what a shopper would have got).
 */
import { RECOMMENDATION_LIMITS, type Placement, type ProductInput, type RecommendationAnswer, type TrackedEvent } from '@signal/contracts';

export interface HttpAnswer {
  status: number;
  text: string;
  /** Wall time from sending the request to the end of the body (ms). */
  ms: number;
}

/** One request with a timeout; network errors and timeouts reject. */
export async function httpCall(url: string, init: { method: 'GET' | 'POST'; headers?: Record<string, string>; body?: string; timeoutMs: number }): Promise<HttpAnswer> {
  const t0 = performance.now();
  const res = await fetch(url, {
    method: init.method,
    headers: { accept: 'application/json', ...(init.body === undefined ? {} : { 'content-type': 'application/json' }), ...init.headers },
    body: init.body,
    signal: AbortSignal.timeout(init.timeoutMs),
  });
  const text = await res.text();
  return { status: res.status, text, ms: performance.now() - t0 };
}

/** What the replay asks for one test case (see `caseRequest` in replay.ts). */
export interface RecommendationRequest {
  placement: Placement;
  customerId?: string;
  anonymousId?: string;
  cart?: readonly string[];
  limit: number;
}

/**
 * `/v1/recommendations?...` for a request. The cart is sent comma-separated and must already be
 * within the API's cap (RECOMMENDATION_LIMITS.maxCart); a longer one is a bug of the caller.
 */
export function recommendationPath(q: RecommendationRequest): string {
  if (q.cart && q.cart.length > RECOMMENDATION_LIMITS.maxCart) throw new Error(`cart of ${q.cart.length} items: at most ${RECOMMENDATION_LIMITS.maxCart}`);
  const params = new URLSearchParams({ placement: q.placement });
  if (q.customerId !== undefined) params.set('customerId', q.customerId);
  if (q.anonymousId !== undefined) params.set('anonymousId', q.anonymousId);
  if (q.cart && q.cart.length > 0) params.set('cart', q.cart.join(','));
  params.set('limit', String(q.limit));
  // URLSearchParams encodes ',' as %2C; product ids cannot contain a comma, so keep it readable.
  return `/v1/recommendations?${params.toString().replace(/%2C/g, ',')}`;
}

export interface RecommendationResult {
  status: number;
  ms: number;
  /** Set on HTTP 200 with a parsable body. */
  answer?: RecommendationAnswer;
  /** Network error, timeout, non-200 status or unparsable body. */
  error?: string;
}

export interface GatewayClientOptions {
  baseUrl: string;
  writeKey: string;
  secretKey: string;
  /** Per recommendation request (default 10 s). */
  readTimeoutMs?: number;
  /** Per write request (default 60 s). */
  writeTimeoutMs?: number;
  /** Attempts per write (default 6), with 0.5 s, 1 s, 2 s ... between them. */
  writeAttempts?: number;
}

const sleep = (ms: number) => new Promise((ok) => setTimeout(ok, ms));

export class GatewayClient {
  private readonly base: string;

  constructor(private readonly o: GatewayClientOptions) {
    this.base = o.baseUrl.replace(/\/+$/, '');
  }

  /** POST /v1/catalog/products (secret key), at most 500 products; resolves with the accepted count. */
  async publishProducts(products: readonly ProductInput[]): Promise<number> {
    return this.write('/v1/catalog/products', this.o.secretKey, JSON.stringify({ products }));
  }

  /** POST /v1/events (write key), at most EVENTS_MAX_BATCH events; resolves with the accepted count. */
  async sendEvents(events: readonly TrackedEvent[]): Promise<number> {
    return this.write('/v1/events', this.o.writeKey, JSON.stringify({ events }));
  }

  /** GET /v1/recommendations with the write key (what a storefront holds). One attempt, never throws. */
  async recommend(q: RecommendationRequest): Promise<RecommendationResult> {
    const t0 = performance.now();
    try {
      const res = await httpCall(this.base + recommendationPath(q), { method: 'GET', headers: { 'x-api-key': this.o.writeKey }, timeoutMs: this.o.readTimeoutMs ?? 10_000 });
      if (res.status !== 200) return { status: res.status, ms: res.ms, error: `HTTP ${res.status} ${res.text.slice(0, 200)}` };
      try {
        const answer = JSON.parse(res.text) as RecommendationAnswer;
        if (!Array.isArray(answer.items)) return { status: res.status, ms: res.ms, error: 'answer without items' };
        return { status: res.status, ms: res.ms, answer };
      } catch {
        return { status: res.status, ms: res.ms, error: `unparsable answer: ${res.text.slice(0, 200)}` };
      }
    } catch (e) {
      return { status: 0, ms: performance.now() - t0, error: e instanceof Error ? `${e.name}: ${e.message}` : String(e) };
    }
  }

  private async write(path: string, key: string, body: string): Promise<number> {
    const attempts = this.o.writeAttempts ?? 6;
    for (let attempt = 1; ; attempt++) {
      let problem: string;
      let retriable = true;
      try {
        const res = await httpCall(this.base + path, { method: 'POST', headers: { 'x-api-key': key }, body, timeoutMs: this.o.writeTimeoutMs ?? 60_000 });
        if (res.status === 202) return (JSON.parse(res.text) as { accepted: number }).accepted;
        problem = `HTTP ${res.status} ${res.text.slice(0, 500)}`;
        // 4xx (but 408/429) will not change on a retry: a bad payload or key.
        retriable = res.status >= 500 || res.status === 408 || res.status === 429;
      } catch (e) {
        problem = e instanceof Error ? e.message : String(e);
      }
      if (!retriable || attempt >= attempts) throw new Error(`POST ${path} failed after ${attempt} attempt(s): ${problem}`);
      await sleep(500 * 2 ** (attempt - 1));
    }
  }
}

/** `GET /v1/stores/:storeId/recommendations/status` on the recommender itself (not behind the gateway). */
export async function recommenderStatus(baseUrl: string, storeId: string, timeoutMs = 10_000): Promise<unknown> {
  const res = await httpCall(`${baseUrl.replace(/\/+$/, '')}/v1/stores/${encodeURIComponent(storeId)}/recommendations/status`, { method: 'GET', timeoutMs });
  if (res.status !== 200) throw new Error(`recommender status: HTTP ${res.status} ${res.text.slice(0, 200)}`);
  return JSON.parse(res.text) as unknown;
}
