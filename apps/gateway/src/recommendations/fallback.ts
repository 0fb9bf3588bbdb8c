import { randomUUID } from 'node:crypto';
import { RECOMMENDATION_LIMITS, type RecommendationAnswer, type RecommendationQuery, type RecommendedItem } from '@signal/contracts';

/**
 * What a shelf gets when the recommender gives no answer: the store's cached trending items this
 * request may show (not excluded, not in the cart, not the product on the page), or none. Never
 * personalized; the recommendationId is fresh so that clicks on it are still told apart.
 */
export function fallbackAnswer(query: RecommendationQuery, trending: readonly RecommendedItem[] | undefined): RecommendationAnswer {
  const hidden = new Set([...(query.exclude ?? []), ...(query.cart ?? []), ...(query.productId === undefined ? [] : [query.productId])]);
  const items = (trending ?? []).filter((item) => !hidden.has(item.productId)).slice(0, query.limit ?? RECOMMENDATION_LIMITS.defaultLimit);
  return {
    recommendationId: `fallback-${randomUUID()}`,
    placement: query.placement,
    personalized: false,
    items,
    fallback: `recommender unavailable: ${trending ? 'cached trending' : 'no items'}`,
  };
}
