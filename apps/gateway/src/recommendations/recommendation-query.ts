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

/** The checked query as the recommender reads it: rebuilt from what was checked, never the raw string. */
export function upstreamQuery(query: RecommendationQuery): URLSearchParams {
  const params = new URLSearchParams();
  for (const [key, value] of Object.entries(query)) {
    if (value === undefined || (Array.isArray(value) && value.length === 0)) continue;
    // Product ids cannot hold a comma (the Id pattern), so a joined list splits back into the same ids.
    params.set(key, Array.isArray(value) ? value.join(',') : String(value));
  }
  return params;
}
