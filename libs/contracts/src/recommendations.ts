import { Type, type Static } from '@sinclair/typebox';
import { Id, StoreId, Text, Timestamp } from './primitives';
import { readUrlQuery } from './url-query';
import { Validator, type Validation } from './validation';

/** Every shelf the recommender fills; the storefront names one in `?placement=`. */
export const PLACEMENTS = ['home', 'similar', 'also_viewed', 'bought_together', 'trending', 'my_mix', 'next_purchase', 'new_for_you'] as const;
export type Placement = (typeof PLACEMENTS)[number];

/** Placements that need a product (`productId`) or, for bought_together, a product or a cart. */
export const PRODUCT_PLACEMENTS: readonly Placement[] = ['similar', 'also_viewed'];

export const RECOMMENDATION_LIMITS = { maxLimit: 50, defaultLimit: 10, maxCart: 100, maxExclude: 200 } as const;

const ProductId = Id('Product id as in the catalog.');

/**
 * `GET /v1/recommendations` query, as the recommender reads it (lists come comma-separated or repeated).
 * A shopper is named by anonymousId and/or customerId; neither is fine (a non-personalized answer).
 */
export const RecommendationQuery = Type.Object(
  {
    placement: Type.Union(
      PLACEMENTS.map((p) => Type.Literal(p)),
      { description: 'Which shelf.' },
    ),
    anonymousId: Type.Optional(Id('Browser or device id of the shopper.')),
    customerId: Type.Optional(Id("The store's customer id, once known.")),
    productId: Type.Optional(ProductId),
    cart: Type.Optional(Type.Array(ProductId, { maxItems: RECOMMENDATION_LIMITS.maxCart, description: 'Products in the cart (bought_together).' })),
    exclude: Type.Optional(Type.Array(ProductId, { maxItems: RECOMMENDATION_LIMITS.maxExclude, description: 'Products never to return.' })),
    category: Type.Optional(Text(256, 'Category (trending, new_for_you): only products in it.')),
    country: Type.Optional(Type.String({ pattern: '^[A-Z]{2}$', description: 'ISO 3166-1 alpha-2 country, for visitors the platform does not know yet.' })),
    limit: Type.Optional(Type.Integer({ minimum: 1, maximum: RECOMMENDATION_LIMITS.maxLimit, default: RECOMMENDATION_LIMITS.defaultLimit })),
  },
  { additionalProperties: false, $id: 'RecommendationQuery' },
);
export type RecommendationQuery = Static<typeof RecommendationQuery>;

export const RecommendedItem = Type.Object(
  {
    productId: ProductId,
    score: Type.Number({ description: 'Relative score within this answer (higher is better); not comparable across answers.' }),
    reason: Type.String({ maxLength: 300, description: 'Why it is shown, e.g. "Because you viewed Phone X".' }),
  },
  { additionalProperties: false },
);
export type RecommendedItem = Static<typeof RecommendedItem>;

/** The answer of `GET /v1/recommendations`. */
export const RecommendationAnswer = Type.Object(
  {
    recommendationId: Type.String({ description: 'Send it back in recommendation_click events.' }),
    placement: Type.String(),
    personalized: Type.Boolean({ description: "False when nothing is known about the shopper (or they withdrew consent): best sellers and trending." }),
    items: Type.Array(RecommendedItem),
    fallback: Type.Optional(
      Type.String({ description: "Why the placement's own strategy could not apply and what was served instead, e.g. \"unknown product: trending\"." }),
    ),
  },
  { additionalProperties: false, $id: 'RecommendationAnswer' },
);
export type RecommendationAnswer = Static<typeof RecommendationAnswer>;

/** `recommendations.served.v1`: what one answer showed, for attribution and click-through. */
export const RecommendationServed = Type.Object(
  {
    recommendationId: Type.String(),
    storeId: StoreId,
    placement: Type.String(),
    profileId: Type.Optional(Type.String({ description: 'The shopper, when one was named.' })),
    anonymousId: Type.Optional(Type.String()),
    customerId: Type.Optional(Type.String()),
    productId: Type.Optional(Type.String({ description: 'Context product.' })),
    cart: Type.Optional(Type.Array(Type.String())),
    personalized: Type.Boolean(),
    items: Type.Array(Type.Object({ productId: Type.String(), position: Type.Integer({ minimum: 0 }), reason: Type.String() }, { additionalProperties: false })),
    servedAt: Timestamp('When the answer was computed.'),
  },
  { additionalProperties: false, $id: 'RecommendationServed' },
);
export type RecommendationServed = Static<typeof RecommendationServed>;

/** Which products a merchandising rule applies to: any of the listed ids, brands or categories (a category matches its sub-categories). */
export const ProductMatch = Type.Object(
  {
    productIds: Type.Optional(Type.Array(ProductId, { maxItems: 1000 })),
    brands: Type.Optional(Type.Array(Text(128, 'Brand.'), { maxItems: 100 })),
    categories: Type.Optional(Type.Array(Text(256, 'Category path or prefix, e.g. "Home > Kitchen".'), { maxItems: 100 })),
  },
  { additionalProperties: false },
);
export type ProductMatch = Static<typeof ProductMatch>;

const Placements = Type.Optional(
  Type.Array(
    Type.Union(PLACEMENTS.map((p) => Type.Literal(p))),
    { maxItems: PLACEMENTS.length, description: 'Placements it applies to; all when absent.' },
  ),
);

/** A store's merchandising rules for recommendations (`PUT /v1/recommendations/rules`, secret key). */
export const RecommendationRules = Type.Object(
  {
    boost: Type.Array(Type.Object({ match: ProductMatch, factor: Type.Number({ exclusiveMinimum: 1, maximum: 100 }), placements: Placements }, { additionalProperties: false }), {
      maxItems: 100,
      default: [],
      description: 'Multiply the score of matching products by factor.',
    }),
    bury: Type.Array(Type.Object({ match: ProductMatch, factor: Type.Number({ minimum: 0, exclusiveMaximum: 1 }), placements: Placements }, { additionalProperties: false }), {
      maxItems: 100,
      default: [],
      description: 'Multiply the score of matching products by factor (0 removes them).',
    }),
    pin: Type.Array(
      Type.Object({ productId: ProductId, position: Type.Integer({ minimum: 0, maximum: RECOMMENDATION_LIMITS.maxLimit - 1 }), placements: Placements }, { additionalProperties: false }),
      { maxItems: 50, default: [], description: 'Put the product at this 0-based position (if it may be shown to this shopper at all).' },
    ),
    maxPerBrand: Type.Integer({ minimum: 1, maximum: RECOMMENDATION_LIMITS.maxLimit, default: 3, description: 'Diversity: most items of one brand in one answer.' }),
    maxPerCategory: Type.Integer({ minimum: 1, maximum: RECOMMENDATION_LIMITS.maxLimit, default: 4, description: 'Diversity: most items of one leaf category in one answer.' }),
    rebuyDays: Type.Array(Type.Object({ category: Text(256, 'Category path or prefix.'), days: Type.Integer({ minimum: 1, maximum: 3650 }) }, { additionalProperties: false }), {
      maxItems: 100,
      default: [],
      description: 'Consumables: a product of this category bought more than `days` ago may be recommended again.',
    }),
    newArrivalDays: Type.Integer({ minimum: 1, maximum: 365, default: 30, description: 'How recent createdAt must be for new_for_you.' }),
  },
  { additionalProperties: false, $id: 'RecommendationRules' },
);
export type RecommendationRules = Static<typeof RecommendationRules>;

const queryValidator = new Validator(RecommendationQuery);
const LIST_FIELDS = ['cart', 'exclude'] as const;
const QUERY_FIELDS = new Set(Object.keys(RecommendationQuery.properties));

/**
 * A URL query (as Express parses it: strings, repeated keys as arrays) → a checked RecommendationQuery.
 * Lists may come comma-separated (`cart=a,b`) or repeated (`cart=a&cart=b`); `limit` is a number.
 * The gateway and the recommender both use it, so a request the gateway lets through is one the
 * recommender understands.
 */
export function parseRecommendationQuery(raw: Record<string, unknown>): Validation<RecommendationQuery> {
  const read = readUrlQuery(raw, { fields: QUERY_FIELDS, lists: LIST_FIELDS, numbers: ['limit'] });
  if (!read.ok) return read;
  const query = read.value;
  query.limit ??= RECOMMENDATION_LIMITS.defaultLimit;
  if (typeof query.placement === 'string' && !(PLACEMENTS as readonly string[]).includes(query.placement)) {
    return { ok: false, errors: [{ field: 'placement', message: `Unknown placement; one of ${PLACEMENTS.join(', ')}` }] };
  }
  const checked = queryValidator.validate(query);
  if (checked.ok && PRODUCT_PLACEMENTS.includes(checked.value.placement) && !checked.value.productId) {
    return { ok: false, errors: [{ field: 'productId', message: `Required for placement ${checked.value.placement}` }] };
  }
  return checked;
}
