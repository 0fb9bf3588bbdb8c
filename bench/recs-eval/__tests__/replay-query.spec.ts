import { parseRecommendationQuery } from '@signal/contracts';
import { caseRequest, latencySummary, mapLimit, topicLag } from '../replay';
import { recommendationPath } from '../service-client';
import type { TestCase } from '../types';

/** What Express would hand the gateway for a path: query string → record (repeated keys as arrays). */
function parsedQuery(path: string): Record<string, unknown> {
  const out: Record<string, unknown> = {};
  for (const [k, v] of new URL(path, 'http://x').searchParams) {
    const prev = out[k];
    out[k] = prev === undefined ? v : Array.isArray(prev) ? [...prev, v] : [prev, v];
  }
  return out;
}

const basket = (n: number) => Array.from({ length: n }, (_, i) => String(20000 + i));
const btCase = (items: string[]): TestCase => ({ task: 'bought_together', id: '577000', input: { items }, exclude: new Set(items), relevant: new Set(['99999']) });
const customerCase = (task: 'next_purchase' | 'home'): TestCase => ({
  task,
  id: '12347',
  input: { items: ['85123A'], history: [{ item: '85123A', at: 0 }], customerId: 12347 },
  exclude: new Set(['85123A']),
  relevant: new Set(['22041']),
});

describe('replay: test case → request → URL', () => {
  it('bought_together: the basket as cart, a fresh anonymous visitor per case', () => {
    const { request, truncated } = caseRequest(btCase(['85123A', '22041', '84406B']), 10);
    expect(truncated).toBe(false);
    expect(request).toEqual({ placement: 'bought_together', cart: ['85123A', '22041', '84406B'], anonymousId: 'uci-bt-577000', limit: 10 });
    const path = recommendationPath(request);
    expect(path).toBe('/v1/recommendations?placement=bought_together&anonymousId=uci-bt-577000&cart=85123A,22041,84406B&limit=10');
    const parsed = parseRecommendationQuery(parsedQuery(path));
    expect(parsed.ok && parsed.value).toEqual({ placement: 'bought_together', anonymousId: 'uci-bt-577000', cart: ['85123A', '22041', '84406B'], limit: 10 });
  });

  it('cuts a basket above 100 items to its first 100', () => {
    const items = basket(250);
    const { request, truncated } = caseRequest(btCase(items), 10);
    expect(truncated).toBe(true);
    expect(request.cart).toEqual(items.slice(0, 100));
    expect(parseRecommendationQuery(parsedQuery(recommendationPath(request))).ok).toBe(true);
    expect(caseRequest(btCase(basket(100)), 10).truncated).toBe(false);
    expect(() => recommendationPath({ placement: 'bought_together', cart: basket(101), limit: 10 })).toThrow(/at most 100/);
  });

  it('next_purchase and home: the customer id', () => {
    for (const task of ['next_purchase', 'home'] as const) {
      const { request } = caseRequest(customerCase(task), 10);
      expect(request).toEqual({ placement: task, customerId: '12347', limit: 10 });
      const path = recommendationPath(request);
      expect(path).toBe(`/v1/recommendations?placement=${task}&customerId=12347&limit=10`);
      expect(parseRecommendationQuery(parsedQuery(path)).ok).toBe(true);
    }
    const anonymous: TestCase = { ...customerCase('home'), input: { items: [] } };
    expect(() => caseRequest(anonymous, 10)).toThrow(/without a customer/);
  });
});

describe('replay: latency, concurrency, lag', () => {
  it('nearest-rank percentiles', () => {
    const ms = Array.from({ length: 100 }, (_, i) => 100 - i); // 100..1, unsorted
    expect(latencySummary(ms)).toEqual({ n: 100, p50: 50, p90: 90, p99: 99, max: 100, mean: 50.5 });
    expect(latencySummary([3.14159])).toEqual({ n: 1, p50: 3.1, p90: 3.1, p99: 3.1, max: 3.1, mean: 3.1 });
    const empty = latencySummary([]);
    expect(empty.n).toBe(0);
    expect(empty.p50).toBeNaN();
  });

  it('mapLimit keeps order and never exceeds the concurrency', async () => {
    let inFlight = 0;
    let most = 0;
    const out = await mapLimit(Array.from({ length: 50 }, (_, i) => i), 8, async (x) => {
      most = Math.max(most, ++inFlight);
      await new Promise((ok) => setTimeout(ok, (x * 7) % 5));
      inFlight--;
      return x * 2;
    });
    expect(out).toEqual(Array.from({ length: 50 }, (_, i) => i * 2));
    expect(most).toBe(8);
    expect(await mapLimit([], 8, async () => 1)).toEqual([]);
  });

  it('lag = end − committed; no commit counts from the low watermark', () => {
    const ends = [
      { partition: 0, high: '100', low: '0' },
      { partition: 1, high: '50', low: '10' },
      { partition: 2, high: '7', low: '7' },
    ];
    expect(topicLag(ends, [{ partition: 0, offset: '100' }, { partition: 1, offset: '50' }, { partition: 2, offset: '7' }])).toBe(0);
    expect(topicLag(ends, [{ partition: 0, offset: '90' }, { partition: 1, offset: '-1' }])).toBe(10 + 40 + 0);
  });
});
