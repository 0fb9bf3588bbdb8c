import { BadRequestException } from '@nestjs/common';
import { parseRecommendationQuery, type RecommendationQuery } from '@signal/contracts';

/**
 * The query of GET /v1/recommendations, checked by the parser the recommender uses too, so a
 * bad one gets its 400 here, naming the field, without a call.
 */
export function checkedQuery(raw: Record<string, unknown>): RecommendationQuery {
  const parsed = parseRecommendationQuery(raw);
  if (!parsed.ok) throw new BadRequestException({ statusCode: 400, error: 'Bad Request', message: 'Invalid recommendation query', errors: parsed.errors });
  return parsed.value;
}

export { upstreamQuery } from '../upstream/upstream-call';
