import { HttpException, Inject, Injectable, Logger } from '@nestjs/common';
import { RecommendationAnswer, Validator, type RecommendationQuery } from '@signal/contracts';
import { metricsRegistry } from '@signal/platform';
import { Counter } from 'prom-client';
import { GATEWAY_CONFIG, type GatewayConfig } from '../config';
import { RecommenderClient } from '../upstream/recommender-client';
import { UpstreamFailure, upstreamPath } from '../upstream/upstream-client';
import { fallbackAnswer } from './fallback';
import { upstreamQuery } from './recommendation-query';
import { TrendingCache } from './trending-cache';

const fallbacks = new Counter({
  name: 'gateway_recommendation_fallbacks_total',
  help: 'Recommendations the gateway answered itself, by why the recommender gave none (timeout, unreachable, error)',
  labelNames: ['reason'],
  registers: [metricsRegistry],
});

const TRENDING_STORES = 1_000;
const answers = new Validator(RecommendationAnswer);

/**
 * GET /v1/recommendations: the recommender's answer under RECOMMENDATIONS_TIMEOUT_MS, its 4xx as
 * they are, and otherwise a 200 fallback, because a storefront shelf must render either way.
 */
@Injectable()
export class RecommendationsService {
  private readonly log = new Logger(RecommendationsService.name);
  private readonly trending = new TrendingCache(TRENDING_STORES);

  constructor(
    private readonly recommender: RecommenderClient,
    @Inject(GATEWAY_CONFIG) private readonly config: GatewayConfig,
  ) {}

  async recommend(storeId: string, query: RecommendationQuery, requestId?: string): Promise<RecommendationAnswer> {
    let answer: RecommendationAnswer;
    try {
      answer = await this.ask(storeId, query, requestId);
    } catch (e) {
      if (!(e instanceof UpstreamFailure)) throw e;
      fallbacks.inc({ reason: e.reason });
      return fallbackAnswer(query, this.trending.get(storeId));
    }
    // Only the store-wide shelf: a category's trending items would be wrong on any other page.
    if (answer.placement === 'trending' && !answer.personalized && query.category === undefined) this.trending.set(storeId, answer.items);
    return answer;
  }

  private async ask(storeId: string, query: RecommendationQuery, requestId?: string): Promise<RecommendationAnswer> {
    const { status, body } = await this.recommender.json({
      method: 'GET',
      storeId,
      path: upstreamPath`/recommendations`,
      query: upstreamQuery(query),
      timeoutMs: this.config.RECOMMENDATIONS_TIMEOUT_MS,
      requestId,
    });
    // A refusal is about the request (unknown product, bad parameter): the client's to see, not to paper over.
    if (status >= 400) throw new HttpException(body ?? { statusCode: status, message: 'Recommendation request refused' }, status);
    if (!answers.is(body)) {
      this.log.warn({ storeId, placement: query.placement }, 'Recommender answered with something that is not a RecommendationAnswer; serving the fallback');
      throw new UpstreamFailure('error', 'Recommender service answered with an invalid recommendation');
    }
    return body;
  }
}
