import { HttpException, Inject, Injectable, Logger } from '@nestjs/common';
import { DecisionAnswer, Validator, type DecisionQuery } from '@signal/contracts';
import { metricsRegistry } from '@signal/platform';
import { randomUUID } from 'node:crypto';
import { Counter } from 'prom-client';
import { GATEWAY_CONFIG, type GatewayConfig } from '../config';
import { upstreamQuery } from '../upstream/upstream-call';
import { UpstreamFailure, upstreamPath } from '../upstream/upstream-client';
import { CampaignClient } from './campaign-client';

const fallbacks = new Counter({
  name: 'gateway_decision_fallbacks_total',
  help: 'Decisions the gateway answered with nothing itself, by why the campaign service gave none (timeout, unreachable, error)',
  labelNames: ['reason'],
  registers: [metricsRegistry],
});

const answers = new Validator(DecisionAnswer);

/** What a storefront gets when the campaign service gives no answer: nothing to show, never an error. */
export const unavailable = (placement: string): DecisionAnswer => ({ decisionId: `fallback-${randomUUID()}`, placement, content: null, reason: 'campaign service unavailable' });

/**
 * GET /v1/decisions: the campaign service's answer under DECISIONS_TIMEOUT_MS, its 4xx as they
 * are, and otherwise a 200 with content null: a storefront must never break because of a pop-up.
 */
@Injectable()
export class DecisionsService {
  private readonly log = new Logger(DecisionsService.name);

  constructor(
    private readonly campaign: CampaignClient,
    @Inject(GATEWAY_CONFIG) private readonly config: GatewayConfig,
  ) {}

  async decide(storeId: string, query: DecisionQuery, requestId?: string): Promise<DecisionAnswer> {
    try {
      return await this.ask(storeId, query, requestId);
    } catch (e) {
      if (!(e instanceof UpstreamFailure)) throw e;
      fallbacks.inc({ reason: e.reason });
      return unavailable(query.placement);
    }
  }

  private async ask(storeId: string, query: DecisionQuery, requestId?: string): Promise<DecisionAnswer> {
    const { status, body } = await this.campaign.json({
      method: 'GET',
      storeId,
      path: upstreamPath`/decisions`,
      query: upstreamQuery(query),
      timeoutMs: this.config.DECISIONS_TIMEOUT_MS,
      requestId,
    });
    // A refusal is about the request (a malformed id): the client's to see.
    if (status >= 400) throw new HttpException(body ?? { statusCode: status, message: 'Decision request refused' }, status);
    if (!answers.is(body)) {
      this.log.warn({ storeId, placement: query.placement }, 'Campaign service answered with something that is not a DecisionAnswer; answering with nothing');
      throw new UpstreamFailure('error', 'Campaign service answered with an invalid decision');
    }
    return body;
  }
}
