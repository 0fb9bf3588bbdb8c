import { HttpException, Logger } from '@nestjs/common';
import type { RecommendationAnswer } from '@signal/contracts';
import { loadConfig, metricsRegistry } from '@signal/platform';
import { GatewayConfigSchema } from '../../config';
import type { RecommenderClient } from '../../upstream/recommender-client';
import { UpstreamFailure, type UpstreamCall } from '../../upstream/upstream-client';
import { checkedQuery } from '../recommendation-query';
import { RecommendationsService } from '../recommendations.service';

const config = loadConfig(GatewayConfigSchema, { ADMIN_TOKEN: 'x'.repeat(16), RECOMMENDATIONS_TIMEOUT_MS: '120' });
const item = (productId: string) => ({ productId, score: 1, reason: 'Trending' });
const answer = (over: Partial<RecommendationAnswer> = {}): RecommendationAnswer => ({
  recommendationId: 'r-1',
  placement: 'trending',
  personalized: false,
  items: [item('p1'), item('p2'), item('p3')],
  ...over,
});

const fallbackCount = async (reason: string) => {
  const metric = await metricsRegistry.getSingleMetric('gateway_recommendation_fallbacks_total')?.get();
  return metric?.values.find((v) => v.labels.reason === reason)?.value ?? 0;
};

describe('RecommendationsService', () => {
  let reply: (call: UpstreamCall) => Promise<{ status: number; body: unknown }>;
  let calls: UpstreamCall[];
  let service: RecommendationsService;

  beforeEach(() => {
    calls = [];
    reply = async () => ({ status: 200, body: answer() });
    const client = { json: (call: UpstreamCall) => (calls.push(call), reply(call)) } as unknown as RecommenderClient;
    service = new RecommendationsService(client, config);
  });

  const failWith = (reason: 'timeout' | 'unreachable' | 'error') => {
    reply = async () => {
      throw new UpstreamFailure(reason, 'Recommender service down');
    };
  };

  it("asks for the caller's store under RECOMMENDATIONS_TIMEOUT_MS, with the checked query, and returns the answer", async () => {
    const personal = answer({ placement: 'home', personalized: true });
    reply = async () => ({ status: 200, body: personal });
    await expect(service.recommend('store-a', checkedQuery({ placement: 'home', anonymousId: 'a1', cart: ['x', 'y'] }), 'req-1')).resolves.toEqual(personal);
    expect(calls).toEqual([
      expect.objectContaining({ method: 'GET', storeId: 'store-a', path: '/recommendations', timeoutMs: 120, requestId: 'req-1' }),
    ]);
    expect(calls[0].query?.toString()).toBe('placement=home&anonymousId=a1&cart=x&cart=y&limit=10');
  });

  it('passes a refusal on with its status and body', async () => {
    const refusal = { statusCode: 400, error: 'Bad Request', message: 'Unknown product', errors: [{ field: 'productId', message: 'unknown' }] };
    reply = async () => ({ status: 400, body: refusal });
    const failed = service.recommend('store-a', checkedQuery({ placement: 'similar', productId: 'nope' }));
    await expect(failed).rejects.toBeInstanceOf(HttpException);
    await expect(failed).rejects.toMatchObject({ status: 400, response: refusal });
  });

  it.each(['timeout', 'unreachable', 'error'] as const)('on %s serves the last trending answer of the store, filtered, and counts it', async (reason) => {
    await service.recommend('store-a', checkedQuery({ placement: 'trending' }));
    const before = await fallbackCount(reason);
    failWith(reason);
    const served = await service.recommend('store-a', checkedQuery({ placement: 'home', exclude: 'p1', limit: '1' }));
    expect(served).toMatchObject({ placement: 'home', personalized: false, items: [item('p2')], fallback: 'recommender unavailable: cached trending' });
    expect(await fallbackCount(reason)).toBe(before + 1);
  });

  it("never serves another store's trending items", async () => {
    await service.recommend('store-a', checkedQuery({ placement: 'trending' }));
    failWith('timeout');
    expect(await service.recommend('store-b', checkedQuery({ placement: 'trending' }))).toMatchObject({ items: [], fallback: 'recommender unavailable: no items' });
  });

  it.each([
    ['a personalized trending answer', { placement: 'trending', category: undefined }, answer({ personalized: true })],
    ['a trending answer for one category', { placement: 'trending', category: 'Rugs' }, answer()],
    ['another placement', { placement: 'home', category: undefined }, answer({ placement: 'home' })],
  ])('does not cache %s', async (_, raw, body) => {
    reply = async () => ({ status: 200, body });
    await service.recommend('store-a', checkedQuery(raw));
    failWith('unreachable');
    expect((await service.recommend('store-a', checkedQuery({ placement: 'trending' }))).items).toEqual([]);
  });

  it('falls back on a 200 that is not a RecommendationAnswer, counted as an error and logged', async () => {
    const warn = jest.spyOn(Logger.prototype, 'warn').mockImplementation(() => undefined);
    const before = await fallbackCount('error');
    reply = async () => ({ status: 200, body: { items: 'nope' } });
    expect(await service.recommend('store-a', checkedQuery({ placement: 'home' }))).toMatchObject({ items: [], personalized: false });
    expect(await fallbackCount('error')).toBe(before + 1);
    expect(warn).toHaveBeenCalledTimes(1);
    warn.mockRestore();
  });

  it('lets a failure of its own through', async () => {
    reply = async () => {
      throw new TypeError('bug');
    };
    await expect(service.recommend('store-a', checkedQuery({ placement: 'home' }))).rejects.toThrow('bug');
  });
});
