import { HttpException } from '@nestjs/common';
import { loadConfig, metricsRegistry } from '@signal/platform';
import type { Request } from 'express';
import { GatewayConfigSchema } from '../../config';
import { UpstreamFailure, type UpstreamCall } from '../../upstream/upstream-client';
import type { CampaignClient } from '../campaign-client';
import { checkedDecisionQuery } from '../decision-query';
import { DecisionsService } from '../decisions.service';
import { forwardedPath } from '../forwarded-path';

const config = loadConfig(GatewayConfigSchema, { ADMIN_TOKEN: 'x'.repeat(16), DECISIONS_TIMEOUT_MS: '90' });
const shown = { decisionId: 'd-1', placement: 'popup', content: { campaignId: 'c', variantId: 'v', kind: 'signup', title: 'Join' }, reason: 'shown' };

const fallbackCount = async (reason: string) => {
  const metric = await metricsRegistry.getSingleMetric('gateway_decision_fallbacks_total')?.get();
  return metric?.values.find((v) => v.labels.reason === reason)?.value ?? 0;
};

describe('DecisionsService (gateway)', () => {
  let reply: (call: UpstreamCall) => Promise<{ status: number; body: unknown }>;
  let calls: UpstreamCall[];
  let service: DecisionsService;

  beforeEach(() => {
    calls = [];
    reply = async () => ({ status: 200, body: shown });
    const client = { json: (call: UpstreamCall) => (calls.push(call), reply(call)) } as unknown as CampaignClient;
    service = new DecisionsService(client, config);
  });

  it("asks for the caller's store under DECISIONS_TIMEOUT_MS with the checked query, and returns the answer", async () => {
    await expect(service.decide('store-a', checkedDecisionQuery({ placement: 'popup', anonymousId: 'a1', page: '/home' }), 'req-1')).resolves.toEqual(shown);
    expect(calls).toEqual([expect.objectContaining({ method: 'GET', storeId: 'store-a', path: '/decisions', timeoutMs: 90, requestId: 'req-1' })]);
    expect(calls[0].query?.toString()).toBe('placement=popup&anonymousId=a1&page=%2Fhome');
  });

  it.each(['timeout', 'unreachable', 'error'] as const)('answers 200 with nothing to show when the campaign service fails (%s), and counts it', async (reason) => {
    const before = await fallbackCount(reason);
    reply = async () => {
      throw new UpstreamFailure(reason, 'Campaign service down');
    };
    const answer = await service.decide('store-a', checkedDecisionQuery({ placement: 'banner', customerId: 'c1' }));
    expect(answer).toMatchObject({ placement: 'banner', content: null, reason: 'campaign service unavailable' });
    expect(await fallbackCount(reason)).toBe(before + 1);
  });

  it('answers with nothing when the answer is not a decision', async () => {
    reply = async () => ({ status: 200, body: { content: 'surprise' } });
    await expect(service.decide('store-a', checkedDecisionQuery({ placement: 'popup', anonymousId: 'a' }))).resolves.toMatchObject({ content: null });
  });

  it("passes the campaign service's 4xx on", async () => {
    reply = async () => ({ status: 400, body: { statusCode: 400, message: 'Invalid decision request' } });
    const failed = await service.decide('store-a', checkedDecisionQuery({ placement: 'popup', anonymousId: 'a' })).catch((e: unknown) => e);
    expect(failed).toBeInstanceOf(HttpException);
    expect((failed as HttpException).getStatus()).toBe(400);
  });
});

describe('checkedDecisionQuery', () => {
  const fails = (raw: Record<string, unknown>) => {
    try {
      checkedDecisionQuery(raw);
      return null;
    } catch (e) {
      return (e as HttpException).getResponse() as { errors: { field: string }[] };
    }
  };
  it('names the field of a bad query', () => {
    expect(fails({ anonymousId: 'a' })?.errors[0].field).toBe('placement');
    expect(fails({ placement: 'popup' })?.errors[0].field).toBe('anonymousId');
    expect(fails({ placement: 'popup', anonymousId: 'a', storeId: 'x' })?.errors[0].field).toBe('storeId');
    expect(fails({ placement: 'popup', anonymousId: ['a', 'b'] })?.errors[0].field).toBe('anonymousId');
    expect(fails({ placement: 'popup', anonymousId: 'a'.repeat(129) })?.errors[0].field).toBe('anonymousId');
    expect(fails({ placement: 'popup', customerId: 'c', page: '/x' })).toBeNull();
  });
});

describe('forwardedPath', () => {
  const req = (originalUrl: string) => ({ originalUrl }) as Request;
  it('keeps the path after the prefix, every segment encoded again', () => {
    expect(forwardedPath(req('/admin/v1/stores/s1/offers/welcome10/report?x=1'), 4)).toBe('/offers/welcome10/report');
    expect(forwardedPath(req('/admin/v1/stores/s1/offers/a%20b/'), 4)).toBe('/offers/a%20b');
  });
  it('refuses dot segments, also encoded, and bad encodings', () => {
    for (const url of ['/admin/v1/stores/s1/offers/../../other', '/admin/v1/stores/s1/offers/%2e%2e/x', '/admin/v1/stores/s1/offers//x', '/admin/v1/stores/s1/offers/%E0%A4%A']) {
      expect(() => forwardedPath(req(url), 4)).toThrow(HttpException);
    }
  });
});
