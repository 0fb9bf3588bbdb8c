import { Type, type Static } from '@sinclair/typebox';
import { EVENT_TYPES, type EventType } from '@signal/contracts';
import { MAX_AFFINITY_VALUES } from '../../profiles/affinities';
import { AFFINITY_DIMENSIONS } from '../../settings/store-settings';
import { DURATION_PATTERN } from './duration';

/** Bounds on a definition: every active segment of a store is evaluated on each of its events. */
export const LIMITS = { depth: 8, nodes: 200, string: 256, children: 50, values: 100, count: 10_000 } as const;

export const OPS = ['eq', 'neq', 'in', 'notIn', 'gt', 'gte', 'lt', 'lte', 'exists', 'notExists', 'contains'] as const;
export type Op = (typeof OPS)[number];

/** Built-in profile fields; `counters.<event type>` comes on top. */
export const PROFILE_FIELDS = [
  'stage',
  'eventCount',
  'orders.count',
  'orders.revenue',
  'orders.aov',
  'orders.daysSinceLast',
  'discountSensitivity',
  'offerResponseRate',
  'daysSinceFirstSeen',
  'daysSinceLastSeen',
  'country',
  'region',
  'city',
  'timezone',
  'deviceType',
  'customer',
  'hasEmail',
  'consent.email',
  'consent.push',
  'consent.sms',
  'consent.personalization',
] as const;
export type ProfileField = (typeof PROFILE_FIELDS)[number];
export type CounterField = `counters.${EventType}`;
export type Field = ProfileField | CounterField;

export const TRAIT_NAME = /^[A-Za-z0-9_.:-]{1,128}$/;

const literals = <T extends string>(values: readonly T[]) => Type.Union(values.map((v) => Type.Literal(v)));
const Text = (description: string) => Type.String({ minLength: 1, maxLength: LIMITS.string, description });
const Duration = (description: string) => Type.String({ pattern: DURATION_PATTERN.source, description });
const EventTypeSchema = literals(EVENT_TYPES);

export const EventMatch = Type.Object(
  {
    type: Type.Union([EventTypeSchema, Type.Array(EventTypeSchema, { minItems: 1, maxItems: EVENT_TYPES.length, uniqueItems: true })], {
      description: 'An event type, or a list of them (any of).',
    }),
    productId: Type.Optional(Text('Product id, exactly.')),
    category: Type.Optional(Text('A category name at any level of the product category path; case-insensitive.')),
    brand: Type.Optional(Text('Brand; case-insensitive.')),
    color: Type.Optional(Text('Colour; case-insensitive.')),
    size: Type.Optional(Text('Size; case-insensitive.')),
    priceBand: Type.Optional(Text('Price band name from the store settings.')),
    minValue: Type.Optional(Type.Number({ minimum: 0, description: 'Money involved (item price × quantity, or order value) at least this.' })),
  },
  { additionalProperties: false },
);
export type EventMatch = Static<typeof EventMatch>;

const Scalar = Type.Union([Type.String({ maxLength: LIMITS.string }), Type.Number(), Type.Boolean()]);
const ScalarList = Type.Array(Type.Union([Type.String({ maxLength: LIMITS.string }), Type.Number()]), { minItems: 1, maxItems: LIMITS.values });
const Comparison = {
  op: literals(OPS),
  value: Type.Optional(Type.Union([Scalar, ScalarList], { description: 'A list for in/notIn, a number for gt/gte/lt/lte, none for exists/notExists.' })),
};
const FieldSchema = Type.Union([literals(PROFILE_FIELDS), Type.TemplateLiteral([Type.Literal('counters.'), EventTypeSchema])]);

/** A segment definition: a tree of conditions on a shopper profile (docs/segments.md). */
export const SegmentRule = Type.Recursive(
  (This) =>
    Type.Union([
      Type.Object({ all: Type.Array(This, { minItems: 1, maxItems: LIMITS.children }) }, { additionalProperties: false }),
      Type.Object({ any: Type.Array(This, { minItems: 1, maxItems: LIMITS.children }) }, { additionalProperties: false }),
      Type.Object({ not: This }, { additionalProperties: false }),
      Type.Object({ field: FieldSchema, ...Comparison }, { additionalProperties: false }),
      Type.Object({ trait: Type.String({ pattern: TRAIT_NAME.source }), ...Comparison }, { additionalProperties: false }),
      Type.Object(
        {
          affinity: Type.Object({ dimension: literals(AFFINITY_DIMENSIONS), value: Text('Brand, category, ... as in the catalog.') }, { additionalProperties: false }),
          atLeast: Type.Optional(Type.Number({ exclusiveMinimum: 0, description: 'Decayed score at least this.' })),
          top: Type.Optional(Type.Integer({ minimum: 1, maximum: MAX_AFFINITY_VALUES, description: 'Among the strongest N values of the dimension.' })),
        },
        { additionalProperties: false },
      ),
      Type.Object(
        {
          event: EventMatch,
          count: Type.Optional(
            Type.Object(
              { atLeast: Type.Optional(Type.Integer({ minimum: 0, maximum: LIMITS.count })), atMost: Type.Optional(Type.Integer({ minimum: 0, maximum: LIMITS.count })) },
              { additionalProperties: false },
            ),
          ),
          within: Type.Optional(Duration('Only entries newer than this.')),
        },
        { additionalProperties: false },
      ),
      Type.Object(
        {
          event: EventMatch,
          notFollowedBy: EventMatch,
          after: Duration('How long the event must have gone without the follow-up.'),
          within: Type.Optional(Duration('Only events at most this old.')),
        },
        { additionalProperties: false },
      ),
    ]),
  { $id: 'SegmentRule' },
);
export type SegmentRule = Static<typeof SegmentRule>;

export type AllRule = Extract<SegmentRule, { all: unknown }>;
export type AnyRule = Extract<SegmentRule, { any: unknown }>;
export type NotRule = Extract<SegmentRule, { not: unknown }>;
export type FieldRule = Extract<SegmentRule, { field: unknown }>;
export type TraitRule = Extract<SegmentRule, { trait: unknown }>;
export type AffinityRule = Extract<SegmentRule, { affinity: unknown }>;
export type SequenceRule = Extract<SegmentRule, { notFollowedBy: unknown }>;
export type CountRule = Exclude<Extract<SegmentRule, { event: unknown }>, SequenceRule>;
export type RuleValue = NonNullable<FieldRule['value']>;
