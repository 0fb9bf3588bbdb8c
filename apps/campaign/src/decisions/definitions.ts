import { Type, type Static, type TSchema } from '@sinclair/typebox';
import { Value } from '@sinclair/typebox/value';
import { Validator, type FieldError, type Validation } from '@signal/contracts';

const Id = (description: string, maxLength = 128) => Type.String({ minLength: 1, maxLength, pattern: '^[A-Za-z0-9._:@+\\-]+$', description });
const Label = (maxLength: number, description: string) => Type.String({ minLength: 1, maxLength, description });
const Strings = (description: string) => Type.Array(Label(128, description), { minItems: 1, maxItems: 50 });

/** Deepest nesting of all/any/not a condition may have: enough for real rules, bounded for hostile input. */
export const MAX_CONDITION_DEPTH = 6;

/**
 * The audience rule of an on-site campaign, over the shopper (as of their last profile) and the
 * page the decision is asked for. See README.md for the language.
 */
const LEAVES = {
  stage: Type.Object({ in: Strings('Lifecycle stage') }, { additionalProperties: false }),
  segment: Type.Object({ in: Strings('Segment id') }, { additionalProperties: false }),
  trait: Type.Object({ key: Label(128, 'Trait key'), equals: Type.Union([Type.String({ maxLength: 256 }), Type.Number(), Type.Boolean()]) }, { additionalProperties: false }),
  orders: Type.Object({ gte: Type.Optional(Type.Integer({ minimum: 0 })), lte: Type.Optional(Type.Integer({ minimum: 0 })) }, { additionalProperties: false, minProperties: 1 }),
  discountSensitive: Type.Boolean(),
  consent: Type.Object({ email: Type.Optional(Type.Boolean()), push: Type.Optional(Type.Boolean()) }, { additionalProperties: false, minProperties: 1 }),
  country: Type.Object({ in: Strings('ISO country code') }, { additionalProperties: false }),
  page: Type.Object({ matches: Label(512, 'Page type or path; * matches anything') }, { additionalProperties: false }),
  productPurchased: Type.Boolean(),
};
const GROUPS = ['all', 'any'] as const;
const MAX_GROUP = 20;

const leaf = <K extends string, T extends TSchema>(key: K, schema: T) => Type.Object({ [key]: schema } as { [P in K]: T }, { additionalProperties: false });

export const Condition = Type.Recursive(
  (This) =>
    Type.Union([
      Type.Object({ all: Type.Array(This, { minItems: 1, maxItems: MAX_GROUP }) }, { additionalProperties: false }),
      Type.Object({ any: Type.Array(This, { minItems: 1, maxItems: MAX_GROUP }) }, { additionalProperties: false }),
      Type.Object({ not: This }, { additionalProperties: false }),
      leaf('stage', LEAVES.stage),
      leaf('segment', LEAVES.segment),
      leaf('trait', LEAVES.trait),
      leaf('orders', LEAVES.orders),
      leaf('discountSensitive', LEAVES.discountSensitive),
      leaf('consent', LEAVES.consent),
      leaf('country', LEAVES.country),
      leaf('page', LEAVES.page),
      leaf('productPurchased', LEAVES.productPurchased),
    ]),
  { $id: 'DecisionCondition' },
);
export type Condition = Static<typeof Condition>;

export const VARIANT_KINDS = ['signup', 'offer', 'review', 'buy', 'products', 'info'] as const;
export type VariantKind = (typeof VARIANT_KINDS)[number];

export const Variant = Type.Object(
  {
    variantId: Id('Variant id, unique within the campaign.', 64),
    kind: Type.Union(VARIANT_KINDS.map((k) => Type.Literal(k)), { description: 'What it asks of the shopper; the built-in guards act on it.' }),
    weight: Type.Integer({ minimum: 1, maximum: 1000, default: 1, description: 'Share of shoppers among the variants allowed for them.' }),
    content: Type.Object(
      {
        title: Type.Optional(Type.String({ maxLength: 200 })),
        body: Type.Optional(Type.String({ maxLength: 2000 })),
        cta: Type.Optional(Type.Object({ label: Label(80, 'Button text'), url: Label(2048, 'Where it leads') }, { additionalProperties: false })),
        image: Type.Optional(Type.String({ maxLength: 2048 })),
      },
      { additionalProperties: false },
    ),
    offerId: Type.Optional(Id('An offer whose single-use code is attached when this variant is shown.')),
    productLimit: Type.Optional(Type.Integer({ minimum: 1, maximum: 12, description: 'kind products: how many products to list (default 4).' })),
  },
  { additionalProperties: false },
);
export type Variant = Static<typeof Variant>;

export const OnsiteCampaignBody = Type.Object(
  {
    campaignId: Id('Campaign id, unique in the store.'),
    name: Label(200, 'Name shown to the store'),
    placement: Id('Where it is shown: popup, cta, banner, bar, inline, or a name of the store.', 64),
    priority: Type.Integer({ minimum: 0, maximum: 10_000, default: 0, description: 'Higher wins when several campaigns fit.' }),
    status: Type.Union([Type.Literal('active'), Type.Literal('paused')], { default: 'active' }),
    startsAt: Type.Optional(Type.String({ format: 'date-time', maxLength: 40 })),
    endsAt: Type.Optional(Type.String({ format: 'date-time', maxLength: 40 })),
    audience: Type.Optional(Condition),
    variants: Type.Array(Variant, { minItems: 1, maxItems: 10 }),
    cap: Type.Optional(
      Type.Object(
        { impressions: Type.Integer({ minimum: 1, maximum: 1000 }), windowHours: Type.Integer({ minimum: 1, maximum: 8760 }) },
        { additionalProperties: false, description: 'Per shopper: at most `impressions` within the last `windowHours`.' },
      ),
    ),
    cooldownHours: Type.Integer({ minimum: 0, maximum: 8760, default: 0, description: 'Hours the campaign stays away from a shopper after a click or dismiss.' }),
    holdoutShare: Type.Number({ minimum: 0, maximum: 0.9, default: 0, description: 'Share of eligible shoppers who get nothing, for measuring lift.' }),
  },
  { additionalProperties: false },
);
export type OnsiteCampaign = Static<typeof OnsiteCampaignBody>;

export const OFFER_KINDS = ['first_purchase', 'loyalty', 'incentive'] as const;
export type OfferKind = (typeof OFFER_KINDS)[number];

export const Discount = Type.Union([
  Type.Object({ percent: Type.Integer({ minimum: 1, maximum: 100 }) }, { additionalProperties: false }),
  Type.Object({ amount: Type.Number({ exclusiveMinimum: 0, maximum: 1e6 }), currency: Type.String({ pattern: '^[A-Z]{3}$' }) }, { additionalProperties: false }),
]);
export type Discount = Static<typeof Discount>;

export const OfferBody = Type.Object(
  {
    offerId: Id('Offer id, unique in the store.'),
    name: Label(200, 'Name shown to the store'),
    kind: Type.Union(OFFER_KINDS.map((k) => Type.Literal(k))),
    status: Type.Union([Type.Literal('active'), Type.Literal('paused')], { default: 'active' }),
    discount: Discount,
    codePrefix: Type.String({ pattern: '^[A-Z0-9]{1,12}$', description: 'Upper-case letters and digits the codes start with.' }),
    validityDays: Type.Integer({ minimum: 1, maximum: 365, description: 'Days a code stays valid after it is issued.' }),
    budget: Type.Integer({ minimum: 1, maximum: 10_000_000, description: 'Most codes ever issued.' }),
  },
  { additionalProperties: false },
);
export type Offer = Static<typeof OfferBody>;

export const DECISION_EVENT_TYPES = ['impression', 'click', 'dismiss'] as const;
export const DecisionEventBody = Type.Object({ type: Type.Union(DECISION_EVENT_TYPES.map((t) => Type.Literal(t))) }, { additionalProperties: false });
export type DecisionEventBody = Static<typeof DecisionEventBody>;

const campaigns = new Validator(OnsiteCampaignBody);
const campaignCondition = new Validator(Condition);
const offers = new Validator(OfferBody);
const decisionEvents = new Validator(DecisionEventBody);

const notObject = (): Validation<never> => ({ ok: false, errors: [{ field: '(body)', message: 'Expected a JSON object' }] });
const isObject = (v: unknown): v is Record<string, unknown> => typeof v === 'object' && v !== null && !Array.isArray(v);

/** JSON nesting depth of `v`, counted no further than `limit`. */
function depth(v: unknown, limit: number, level = 0): number {
  if (level > limit || typeof v !== 'object' || v === null) return level;
  let most = level;
  for (const child of Object.values(v)) most = Math.max(most, depth(child, limit, level + 1));
  return most;
}

const leafValidators = new Map(Object.entries(LEAVES).map(([key, schema]) => [key, new Validator(schema)]));
const RULE_NAMES = [...GROUPS, 'not', ...Object.keys(LEAVES)].join(', ');

/** Where a condition the schema refused goes wrong: a union only says "Expected union value". */
function explainCondition(v: unknown, field: string): FieldError {
  if (!isObject(v)) return { field, message: 'Expected a rule object' };
  const keys = Object.keys(v);
  if (keys.length !== 1 || !(GROUPS.includes(keys[0] as (typeof GROUPS)[number]) || keys[0] === 'not' || leafValidators.has(keys[0]))) {
    return { field, message: `Expected exactly one of: ${RULE_NAMES}` };
  }
  const [key] = keys;
  const inner = v[key];
  if (key === 'not') return explainCondition(inner, `${field}.not`);
  if (key === 'all' || key === 'any') {
    if (!Array.isArray(inner) || inner.length === 0 || inner.length > MAX_GROUP) return { field: `${field}.${key}`, message: `Expected a list of 1 to ${MAX_GROUP} rules` };
    for (const [i, x] of inner.entries()) {
      if (!campaignCondition.is(x)) return explainCondition(x, `${field}.${key}.${i}`);
    }
    return { field: `${field}.${key}`, message: 'Invalid rules' };
  }
  const checked = (leafValidators.get(key) as Validator<TSchema>).validate(inner, `${field}.${key}`);
  return checked.ok ? { field, message: 'Invalid rule' } : checked.errors[0];
}

function withDefaults<T extends TSchema>(schema: T, body: unknown): unknown {
  return Value.Default(schema, structuredClone(body));
}

/** A campaign body with defaults filled in, checked, plus what a schema cannot say (dates, unique variant ids). */
export function checkCampaign(body: unknown): Validation<OnsiteCampaign> {
  if (!isObject(body)) return notObject();
  // An all/any level is two JSON levels (object, array), a leaf rule up to three: bounded before the
  // schema walks it, as a failing recursive union is costly to explain.
  const limit = MAX_CONDITION_DEPTH * 2 + 3;
  if (body.audience !== undefined && depth(body.audience, limit) > limit) {
    return { ok: false, errors: [{ field: 'audience', message: `Nested deeper than ${MAX_CONDITION_DEPTH} levels` }] };
  }
  // Conditions have no defaults, and filling defaults into a recursive union costs time exponential in its depth.
  const { audience, ...rest } = body;
  const filled = withDefaults(OnsiteCampaignBody, rest) as Record<string, unknown>;
  if (audience !== undefined && !campaignCondition.is(audience)) {
    const rest = campaigns.validate(filled);
    return { ok: false, errors: [explainCondition(audience, 'audience'), ...(rest.ok ? [] : rest.errors)] };
  }
  const checked = campaigns.validate(audience === undefined ? filled : { ...filled, audience });
  if (!checked.ok) return checked;
  const c = checked.value;
  const errors: FieldError[] = [];
  const seen = new Set<string>();
  c.variants.forEach((v, i) => {
    if (seen.has(v.variantId)) errors.push({ field: `variants.${i}.variantId`, message: 'Used twice in this campaign' });
    seen.add(v.variantId);
    if (v.kind === 'offer' && v.offerId === undefined) errors.push({ field: `variants.${i}.offerId`, message: 'An offer variant names its offer' });
  });
  if (c.startsAt && c.endsAt && Date.parse(c.endsAt) <= Date.parse(c.startsAt)) errors.push({ field: 'endsAt', message: 'Must be after startsAt' });
  return errors.length ? { ok: false, errors } : { ok: true, value: c };
}

export function checkOffer(body: unknown): Validation<Offer> {
  if (!isObject(body)) return notObject();
  return offers.validate(withDefaults(OfferBody, body));
}

export function checkDecisionEvent(body: unknown): Validation<DecisionEventBody> {
  if (!isObject(body)) return notObject();
  return decisionEvents.validate(body);
}
