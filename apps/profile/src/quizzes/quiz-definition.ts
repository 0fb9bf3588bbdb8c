import { Validator, type FieldError, type TraitValue } from '@signal/contracts';
import { Type, type Static } from '@sinclair/typebox';
import type { QuizOptionEffect } from '../profiles/profile-state';
import { AFFINITY_DIMENSIONS, type StoreSettings } from '../settings/store-settings';

/** Quiz, question, option and segment ids: they end up in trait names, so no `@` or `+` as other ids allow. */
export const QUIZ_ID_PATTERN = '^[A-Za-z0-9_.:-]{1,128}$';
const QuizId = (description: string) => Type.String({ pattern: QUIZ_ID_PATTERN, description });

const TraitName = Type.String({ pattern: QUIZ_ID_PATTERN });
const TraitValueSchema = Type.Union([Type.String({ maxLength: 256 }), Type.Number(), Type.Boolean(), Type.Array(Type.String({ maxLength: 256 }), { maxItems: 50 })]);

export const QuizOption = Type.Object(
  {
    optionId: QuizId('Unique within its question; what a response names in answerIds.'),
    label: Type.String({ minLength: 1, maxLength: 256 }),
    imageUrl: Type.Optional(Type.String({ maxLength: 2048, pattern: '^https?://[^\\s]+$', description: 'http(s) URL of a picture shown with the option.' })),
    traits: Type.Optional(
      // additionalProperties: a TypeBox record with a key pattern otherwise lets any other key through.
      Type.Record(TraitName, TraitValueSchema, { additionalProperties: false, maxProperties: 20, description: 'Explicit traits the option sets on the profile.' }),
    ),
    affinities: Type.Optional(
      Type.Array(
        Type.Object(
          {
            dimension: Type.Union(AFFINITY_DIMENSIONS.map((d) => Type.Literal(d))),
            value: Type.String({ minLength: 1, maxLength: 128 }),
            weight: Type.Optional(Type.Number({ minimum: 0, maximum: 100, description: "Defaults to the store's quiz_answer affinity weight." })),
          },
          { additionalProperties: false },
        ),
        { maxItems: 10 },
      ),
    ),
    segments: Type.Optional(Type.Array(QuizId('Segment id.'), { maxItems: 10, description: 'Segments the shopper is assigned to.' })),
  },
  { additionalProperties: false },
);
export type QuizOption = Static<typeof QuizOption>;

export const QuizQuestion = Type.Object(
  {
    questionId: QuizId('Unique within the quiz; the answer trait is quiz.<quizId>.<questionId>.'),
    text: Type.String({ minLength: 1, maxLength: 1000 }),
    multiple: Type.Optional(Type.Boolean({ description: 'Several options may be chosen; otherwise exactly one.' })),
    options: Type.Array(QuizOption, { minItems: 2, maxItems: 30 }),
  },
  { additionalProperties: false },
);
export type QuizQuestion = Static<typeof QuizQuestion>;

export const QuizReward = Type.Object(
  {
    discountPercent: Type.Optional(Type.Number({ minimum: 1, maximum: 100 })),
    discountAmount: Type.Optional(Type.Number({ exclusiveMinimum: 0, maximum: 1e9 })),
    currency: Type.Optional(Type.String({ pattern: '^[A-Z]{3}$', description: 'ISO 4217; required with discountAmount.' })),
    prefix: Type.Optional(Type.String({ pattern: '^[A-Z0-9]{1,12}$', description: 'Code prefix; QUIZ when absent.' })),
    validDays: Type.Optional(Type.Integer({ minimum: 1, maximum: 365, description: 'The code expires this many days after it was issued.' })),
  },
  { additionalProperties: false },
);
export type QuizReward = Static<typeof QuizReward>;

/** `POST /v1/stores/:storeId/quizzes` and `PUT .../:quizId` bodies (docs/quizzes.md). */
export const QuizDefinition = Type.Object(
  {
    quizId: Type.Optional(QuizId('Generated when absent.')),
    title: Type.String({ minLength: 1, maxLength: 256 }),
    description: Type.Optional(Type.String({ maxLength: 2000 })),
    questions: Type.Array(QuizQuestion, { minItems: 1, maxItems: 50 }),
    reward: Type.Optional(QuizReward),
  },
  { additionalProperties: false },
);
export type QuizDefinition = Static<typeof QuizDefinition>;

const shape = new Validator(QuizDefinition);

// Profiles keep traits, affinity scores and segments in plain objects keyed by these names.
const RESERVED_KEYS = new Set(['__proto__', 'constructor', 'prototype']);

type Checked<T> = { ok: true; value: T } | { ok: false; errors: FieldError[] };

/** A quiz definition, every mistake named by its field path, e.g. `questions.1.options.0.optionId`. */
export function checkQuiz(body: unknown, settings: Pick<StoreSettings, 'sensitiveCategories'>): Checked<QuizDefinition> {
  if (typeof body !== 'object' || body === null || Array.isArray(body)) return { ok: false, errors: [{ field: '(body)', message: 'must be a JSON object' }] };
  const checked = shape.validate(body);
  if (!checked.ok) return checked;
  const quiz = checked.value;
  const errors = [...questionErrors(quiz.questions, settings), ...rewardErrors(quiz.reward)];
  return errors.length ? { ok: false, errors } : { ok: true, value: quiz };
}

function questionErrors(questions: QuizQuestion[], settings: Pick<StoreSettings, 'sensitiveCategories'>): FieldError[] {
  const errors: FieldError[] = [];
  const sensitive = new Set(settings.sensitiveCategories.map((c) => c.toLowerCase()));
  const questionIds = new Set<string>();
  questions.forEach((q, i) => {
    if (questionIds.has(q.questionId)) errors.push({ field: `questions.${i}.questionId`, message: `duplicate question id ${q.questionId}` });
    questionIds.add(q.questionId);
    const optionIds = new Set<string>();
    q.options.forEach((o, j) => {
      const at = `questions.${i}.options.${j}`;
      if (optionIds.has(o.optionId)) errors.push({ field: `${at}.optionId`, message: `duplicate option id ${o.optionId} in this question` });
      optionIds.add(o.optionId);
      for (const name of Object.keys(o.traits ?? {})) {
        if (RESERVED_KEYS.has(name)) errors.push({ field: `${at}.traits.${name}`, message: 'is a reserved name' });
        // The answer itself is stored under quiz.<quizId>.<questionId>; an option must not overwrite answers.
        else if (name.startsWith('quiz.')) errors.push({ field: `${at}.traits.${name}`, message: 'names starting with quiz. hold quiz answers' });
      }
      (o.affinities ?? []).forEach((a, k) => {
        const value = a.value.toLowerCase();
        if (RESERVED_KEYS.has(value)) errors.push({ field: `${at}.affinities.${k}.value`, message: 'is a reserved name' });
        // Sensitive categories are never inferred or targeted, so no quiz may declare an affinity for one.
        else if (a.dimension === 'category' && sensitive.has(value)) errors.push({ field: `${at}.affinities.${k}.value`, message: 'is a sensitive category of this store' });
      });
      (o.segments ?? []).forEach((s, k) => {
        if (RESERVED_KEYS.has(s)) errors.push({ field: `${at}.segments.${k}`, message: 'is a reserved name' });
      });
    });
  });
  return errors;
}

function rewardErrors(reward: QuizReward | undefined): FieldError[] {
  if (!reward) return [];
  const hasPercent = reward.discountPercent !== undefined;
  const hasAmount = reward.discountAmount !== undefined;
  if (hasPercent === hasAmount) return [{ field: 'reward', message: 'give exactly one of discountPercent and discountAmount' }];
  if (hasAmount && reward.currency === undefined) return [{ field: 'reward.currency', message: 'is required with discountAmount' }];
  if (hasPercent && reward.currency !== undefined) return [{ field: 'reward.currency', message: 'only goes with discountAmount' }];
  return [];
}

/** The key of an option in quizOptionEffects. */
export const optionKey = (questionId: string, optionId: string): string => `${questionId}\u0000${optionId}`;

/** What choosing each option does to a profile, by optionKey; absent parts are empty. */
export function quizOptionEffects(quiz: QuizDefinition): Map<string, QuizOptionEffect> {
  const effects = new Map<string, QuizOptionEffect>();
  for (const q of quiz.questions) {
    for (const o of q.options) {
      effects.set(optionKey(q.questionId, o.optionId), {
        traits: { ...(o.traits ?? {}) } as Record<string, TraitValue>,
        affinities: (o.affinities ?? []).map((a) => ({ dimension: a.dimension, value: a.value, ...(a.weight !== undefined ? { weight: a.weight } : {}) })),
        segments: [...(o.segments ?? [])],
      });
    }
  }
  return effects;
}
