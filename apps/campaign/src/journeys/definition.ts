import { Type, type Static, type TSchema } from '@sinclair/typebox';
import { Value } from '@sinclair/typebox/value';
import { EVENT_TYPES, MESSAGE_CHANNELS, Validator, type EventType, type FieldError, type Validation } from '@signal/contracts';
import { TemplateError, compileTemplate } from '../channels/templates';

const StepId = Type.String({ pattern: '^[A-Za-z0-9_-]{1,64}$', description: 'Unique within the journey; names the step in errors, reports and idempotency keys.' });
const STAGES = ['new_visitor', 'browsing', 'engaged', 'subscribed', 'first_time_buyer', 'repeat_buyer', 'loyal', 'lapsed'] as const;

/**
 * A test over the shopper, evaluated when a branch step runs. Every field given must hold (AND);
 * `any` holds when one of its conditions does, `not` when its condition does not.
 */
export const Condition = Type.Recursive(
  (This) =>
    Type.Object(
      {
        all: Type.Optional(Type.Array(This, { minItems: 1, maxItems: 20 })),
        any: Type.Optional(Type.Array(This, { minItems: 1, maxItems: 20 })),
        not: Type.Optional(This),
        stageIn: Type.Optional(Type.Array(Type.Union(STAGES.map((s) => Type.Literal(s))), { minItems: 1 })),
        segmentIn: Type.Optional(Type.Array(Type.String({ minLength: 1, maxLength: 128 }), { minItems: 1, maxItems: 50 })),
        ordersAtLeast: Type.Optional(Type.Integer({ minimum: 0 })),
        habitualAbandoner: Type.Optional(Type.Boolean({ description: 'See README: incentives earned twice by abandoning, or a discount-driven buyer.' })),
        discountSensitive: Type.Optional(Type.Boolean({ description: 'At least half of the orders used a discount, or responds to most offers.' })),
        cartHasItems: Type.Optional(Type.Boolean()),
        productInStock: Type.Optional(Type.Boolean({ description: "The trigger's product is in stock now." })),
      },
      { additionalProperties: false, minProperties: 1 },
    ),
  { $id: 'JourneyCondition' },
);
export type Condition = Static<typeof Condition>;

export const TRIGGER_TYPES = ['cart_abandoned', 'low_stock', 'back_in_stock', 'new_product', 'price_drop', 'post_purchase', 'welcome'] as const;
export type TriggerType = (typeof TRIGGER_TYPES)[number];
const INTEREST_KINDS = ['view', 'cart', 'heart'] as const;
const Kinds = Type.Optional(Type.Array(Type.Union(INTEREST_KINDS.map((k) => Type.Literal(k))), { minItems: 1, uniqueItems: true, description: 'Interest kinds that make a shopper part of the audience (default all three).' }));
const WithinDays = Type.Optional(Type.Integer({ minimum: 1, maximum: 365, description: 'Only interest shown in the last N days.' }));
const strict = { additionalProperties: false } as const;

const TRIGGERS = {
  cart_abandoned: Type.Object({ type: Type.Literal('cart_abandoned') }, strict),
  low_stock: Type.Object({ type: Type.Literal('low_stock'), threshold: Type.Integer({ minimum: 1, maximum: 1_000_000 }), kinds: Kinds, withinDays: WithinDays }, strict),
  back_in_stock: Type.Object({ type: Type.Literal('back_in_stock'), kinds: Kinds, withinDays: WithinDays }, strict),
  new_product: Type.Object({ type: Type.Literal('new_product'), limit: Type.Optional(Type.Integer({ minimum: 1, maximum: 100_000, description: 'Top-N shoppers by affinity score (default 1000).' })) }, strict),
  price_drop: Type.Object({ type: Type.Literal('price_drop'), withinDays: WithinDays }, strict),
  post_purchase: Type.Object({ type: Type.Literal('post_purchase') }, strict),
  welcome: Type.Object({ type: Type.Literal('welcome') }, strict),
} satisfies Record<TriggerType, TSchema>;
export const Trigger = Type.Union(Object.values(TRIGGERS));
export type Trigger = Static<typeof Trigger>;

const Template = Type.Object(
  {
    subject: Type.Optional(Type.String({ minLength: 1, maxLength: 1000 })),
    html: Type.Optional(Type.String({ minLength: 1, maxLength: 200_000 })),
    text: Type.Optional(Type.String({ minLength: 1, maxLength: 100_000 })),
    title: Type.Optional(Type.String({ minLength: 1, maxLength: 500 })),
    body: Type.Optional(Type.String({ minLength: 1, maxLength: 4000 })),
    url: Type.Optional(Type.String({ minLength: 1, maxLength: 2048 })),
  },
  strict,
);
export const TEMPLATE_FIELDS = ['subject', 'html', 'text', 'title', 'body', 'url'] as const;

const STEPS = {
  wait: Type.Object(
    {
      id: StepId,
      type: Type.Literal('wait'),
      minutes: Type.Optional(Type.Number({ exclusiveMinimum: 0, maximum: 90 * 24 * 60 })),
      seconds: Type.Optional(Type.Number({ exclusiveMinimum: 0, maximum: 90 * 24 * 3600 })),
    },
    strict,
  ),
  branch: Type.Object({ id: StepId, type: Type.Literal('branch'), if: Condition, then: StepId, else: Type.Optional(StepId) }, strict),
  send: Type.Object(
    {
      id: StepId,
      type: Type.Literal('send'),
      channel: Type.Union(MESSAGE_CHANNELS.map((c) => Type.Literal(c))),
      template: Template,
      offerId: Type.Optional(Type.String({ minLength: 1, maxLength: 128 })),
      recommendations: Type.Optional(Type.Object({ placement: Type.String({ minLength: 1, maxLength: 64 }), limit: Type.Optional(Type.Integer({ minimum: 1, maximum: 24 })) }, strict)),
      webhook: Type.Optional(Type.Object({ url: Type.String({ format: 'uri', pattern: '^https?://', maxLength: 2048 }), secret: Type.Optional(Type.String({ minLength: 16, maxLength: 256 })) }, strict)),
    },
    strict,
  ),
  exit: Type.Object({ id: StepId, type: Type.Literal('exit') }, strict),
};
export type WaitStep = Static<(typeof STEPS)['wait']>;
export type BranchStep = Static<(typeof STEPS)['branch']>;
export type SendStep = Static<(typeof STEPS)['send']>;
export type ExitStep = Static<(typeof STEPS)['exit']>;
export type Step = WaitStep | BranchStep | SendStep | ExitStep;

/** A journey as the admin API takes it; defaults filled in. */
export interface JourneyDefinition {
  name: string;
  trigger: Trigger;
  steps: Step[];
  exitOn?: EventType[];
  holdoutPercent: number;
  reentry: 'once' | 'after_exit';
  status: 'active' | 'paused';
}

// The outer shape; the trigger and each step are checked against their own type's schema
// afterwards, so an error says "steps.2.minutes" instead of "expected union value".
const Envelope = Type.Object(
  {
    name: Type.String({ minLength: 1, maxLength: 200 }),
    trigger: Type.Object({ type: Type.Union(TRIGGER_TYPES.map((t) => Type.Literal(t))) }),
    steps: Type.Array(Type.Object({ id: StepId, type: Type.Union(Object.keys(STEPS).map((t) => Type.Literal(t))) }), { minItems: 1, maxItems: 50 }),
    exitOn: Type.Optional(Type.Array(Type.Union(EVENT_TYPES.map((t) => Type.Literal(t))), { maxItems: 30, uniqueItems: true })),
    holdoutPercent: Type.Number({ minimum: 0, maximum: 50, default: 0 }),
    reentry: Type.Union([Type.Literal('once'), Type.Literal('after_exit')], { default: 'after_exit' }),
    status: Type.Union([Type.Literal('active'), Type.Literal('paused')], { default: 'active' }),
  },
  strict,
);
const envelope = new Validator(Envelope);
const triggerValidators = Object.fromEntries(Object.entries(TRIGGERS).map(([k, s]) => [k, new Validator<TSchema>(s)]));
const stepValidators = Object.fromEntries(Object.entries(STEPS).map(([k, s]) => [k, new Validator<TSchema>(s)]));

/** Exit events when the definition names none: a purchase ends an abandonment journey at once. */
export const DEFAULT_EXIT_ON: Partial<Record<TriggerType, EventType[]>> = { cart_abandoned: ['purchase'] };
export const exitEventsOf = (d: JourneyDefinition): EventType[] => d.exitOn ?? DEFAULT_EXIT_ON[d.trigger.type] ?? [];

/** all/any/not levels a condition may have: deeper is no clearer, and checking it costs. */
export const MAX_CONDITION_NESTING = 5;

/** How deeply all/any/not nest in a condition; stops counting past the limit. */
function nesting(c: unknown, level = 0): number {
  if (level > MAX_CONDITION_NESTING || typeof c !== 'object' || c === null) return level;
  const o = c as { all?: unknown; any?: unknown; not?: unknown };
  const children = [...(Array.isArray(o.all) ? o.all : []), ...(Array.isArray(o.any) ? o.any : []), ...(o.not !== undefined ? [o.not] : [])];
  return children.reduce<number>((most, x) => Math.max(most, nesting(x, level + 1)), level);
}

/** What each channel's template must have to make a message. */
const REQUIRED: Record<SendStep['channel'], { all: (typeof TEMPLATE_FIELDS)[number][]; oneOf?: (typeof TEMPLATE_FIELDS)[number][] }> = {
  email: { all: ['subject'], oneOf: ['html', 'text'] },
  push: { all: ['title', 'body'] },
  webhook: { all: [] },
};

/**
 * Checks a journey body: shape, defaults, step references, each channel's required template
 * fields, and that every template parses. Errors name the step (`steps.<i>` and its id).
 */
export function checkJourney(body: unknown): Validation<JourneyDefinition> {
  if (typeof body !== 'object' || body === null || Array.isArray(body)) return { ok: false, errors: [{ field: '(body)', message: 'Expected a JSON object' }] };
  // Before the schema check: a recursive schema walks whatever depth it is given.
  const rawSteps = (body as { steps?: unknown }).steps;
  const deepStep = Array.isArray(rawSteps) ? rawSteps.findIndex((s) => nesting((s as { if?: unknown } | null)?.if) > MAX_CONDITION_NESTING) : -1;
  if (deepStep >= 0) return { ok: false, errors: [{ field: `steps.${deepStep}.if`, message: `conditions nest at most ${MAX_CONDITION_NESTING} levels deep` }] };
  const withDefaults = Value.Default(Envelope, structuredClone(body));
  const outer = envelope.validate(withDefaults);
  if (!outer.ok) return outer;
  const d = withDefaults as JourneyDefinition;
  const errors: FieldError[] = [];
  const trig = (triggerValidators[d.trigger.type] as Validator<TSchema>).validate(d.trigger, 'trigger');
  if (!trig.ok) errors.push(...trig.errors);
  const index = new Map<string, number>();
  d.steps.forEach((s, i) => {
    const at = `steps.${i}`;
    const checked = (stepValidators[s.type] as Validator<TSchema>).validate(s, at);
    if (!checked.ok) {
      errors.push(...checked.errors.map((e) => ({ field: e.field, message: `step '${s.id}': ${e.message}` })));
      return;
    }
    if (index.has(s.id)) errors.push({ field: `${at}.id`, message: `step id '${s.id}' is used twice` });
    index.set(s.id, i);
  });
  if (errors.length) return { ok: false, errors };
  d.steps.forEach((s, i) => errors.push(...checkStep(s, i, index)));
  return errors.length ? { ok: false, errors } : { ok: true, value: d };
}

function checkStep(s: Step, i: number, index: Map<string, number>): FieldError[] {
  const at = `steps.${i}`;
  const errors: FieldError[] = [];
  const named = (field: string, message: string) => errors.push({ field: `${at}.${field}`, message: `step '${s.id}': ${message}` });
  if (s.type === 'wait' && s.minutes === undefined && s.seconds === undefined) named('minutes', 'a wait needs minutes or seconds');
  if (s.type === 'branch') {
    // Forward only: a journey cannot loop, so every run ends.
    for (const key of ['then', 'else'] as const) {
      const target = s[key];
      if (target === undefined) continue;
      const j = index.get(target);
      if (j === undefined) named(key, `no step '${target}'`);
      else if (j <= i) named(key, `'${target}' is not after this step (branches only go forward)`);
    }
  }
  if (s.type === 'send') {
    const need = REQUIRED[s.channel];
    for (const f of need.all) if (!s.template[f]) named(`template.${f}`, `${s.channel} needs template.${f}`);
    if (need.oneOf && !need.oneOf.some((f) => s.template[f])) named(`template.${need.oneOf[0]}`, `${s.channel} needs template.${need.oneOf.join(' or ')}`);
    if (s.channel === 'webhook' && !s.webhook) named('webhook', 'the webhook channel needs webhook.url');
    for (const f of TEMPLATE_FIELDS) {
      const source = s.template[f];
      if (source === undefined) continue;
      try {
        compileTemplate(source, { text: f !== 'html' });
      } catch (e) {
        named(`template.${f}`, `template does not compile: ${e instanceof TemplateError ? e.message : String(e)}`);
      }
    }
  }
  return errors;
}

/** Seconds a wait step lasts. */
export const waitSeconds = (s: WaitStep): number => (s.minutes ?? 0) * 60 + (s.seconds ?? 0);

/** The step after `i` in order, or null at the end. */
export const nextStepId = (d: Pick<JourneyDefinition, 'steps'>, i: number): string | null => d.steps[i + 1]?.id ?? null;

/**
 * Where a new run starts: the leading waits are folded into its first due time, so a run is a
 * timer row from the moment it is inserted.
 */
export function entryOf(d: Pick<JourneyDefinition, 'steps'>): { stepId: string | null; delaySeconds: number } {
  let delay = 0;
  for (const s of d.steps) {
    if (s.type !== 'wait') return { stepId: s.id, delaySeconds: delay };
    delay += waitSeconds(s);
  }
  return { stepId: null, delaySeconds: delay };
}
