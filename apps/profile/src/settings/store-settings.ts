import { Type, type Static } from '@sinclair/typebox';
import { Value } from '@sinclair/typebox/value';

export const AFFINITY_DIMENSIONS = ['brand', 'category', 'priceBand', 'color', 'size'] as const;
export type AffinityDimension = (typeof AFFINITY_DIMENSIONS)[number];

export const LIFECYCLE_STAGES = ['new_visitor', 'browsing', 'engaged', 'subscribed', 'first_time_buyer', 'repeat_buyer', 'loyal', 'lapsed'] as const;
export type LifecycleStage = (typeof LIFECYCLE_STAGES)[number];

const weight = (d: number, description: string) => Type.Number({ minimum: 0, maximum: 1000, default: d, description });

/** Per-store knobs of the profile service (`PUT /v1/settings`). Every field has a default. */
export const StoreSettings = Type.Object(
  {
    affinityHalfLifeDays: Type.Number({ minimum: 0.01, maximum: 3650, default: 30, description: 'An affinity weight halves after this many days without new signal.' }),
    affinityWeights: Type.Object(
      {
        product_view: weight(1, 'A product view.'),
        product_click: weight(2, 'A click on a product in a list.'),
        add_to_cart: weight(4, 'An add-to-cart.'),
        favorite: weight(6, 'A heart.'),
        purchase: weight(10, 'A purchased item.'),
        quiz_answer: weight(5, 'A quiz answer mapped to an affinity (the option can set its own weight).'),
      },
      { additionalProperties: false, default: {} },
    ),
    priceBands: Type.Array(Type.Object({ name: Type.String({ minLength: 1, maxLength: 32 }), below: Type.Union([Type.Number({ exclusiveMinimum: 0 }), Type.Null()]) }, { additionalProperties: false }), {
      minItems: 1,
      maxItems: 10,
      default: [
        { name: 'budget', below: 25 },
        { name: 'mid', below: 100 },
        { name: 'premium', below: 500 },
        { name: 'luxury', below: null },
      ],
      description: 'Price bands in ascending order; a price falls in the first band it is below; the last band has below: null.',
    }),
    stages: Type.Object(
      {
        browsingMinEvents: Type.Integer({ minimum: 1, default: 2, description: 'Events after which a new visitor is browsing.' }),
        engagedMinEvents: Type.Integer({ minimum: 1, default: 10, description: 'Events after which a shopper is engaged (an add-to-cart or heart also makes them engaged).' }),
        repeatMinOrders: Type.Integer({ minimum: 2, default: 2, description: 'Orders that make a repeat buyer.' }),
        loyalMinOrders: Type.Integer({ minimum: 2, default: 5, description: 'Orders that make a loyal customer.' }),
        lapsedAfterDays: Type.Number({ minimum: 1, default: 90, description: 'A buyer with no order for this long is lapsed.' }),
      },
      { additionalProperties: false, default: {} },
    ),
    sensitiveCategories: Type.Array(Type.String({ minLength: 1, maxLength: 128 }), {
      maxItems: 200,
      default: [],
      description: 'Category names (matched case-insensitively against any level of a category path) never used for inference or targeting.',
    }),
  },
  { additionalProperties: false },
);
export type StoreSettings = Static<typeof StoreSettings>;

/** Settings with every default filled in. */
export function withDefaults(partial: Partial<StoreSettings> = {}): StoreSettings {
  return Value.Default(StoreSettings, structuredClone(partial)) as StoreSettings;
}

export const DEFAULT_SETTINGS: StoreSettings = withDefaults();
