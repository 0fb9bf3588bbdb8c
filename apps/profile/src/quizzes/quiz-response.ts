import { createHash, randomInt } from 'node:crypto';
import { Id, Validator, type FieldError, type TrackedEvent } from '@signal/contracts';
import { Type, type Static } from '@sinclair/typebox';
import { QUIZ_ID_PATTERN, type QuizDefinition, type QuizReward } from './quiz-definition';

const QuizId = Type.String({ pattern: QUIZ_ID_PATTERN });

/** `POST /v1/stores/:storeId/quizzes/:quizId/responses`: one shopper's answers, sent once the quiz is done (or abandoned). */
export const QuizResponse = Type.Object(
  {
    responseId: QuizId,
    // The shopper's identities are the tracker's, so they take the event envelope's id rules.
    anonymousId: Id('Browser or device id.'),
    customerId: Type.Optional(Id("The store's customer id, once known.")),
    answers: Type.Array(
      Type.Object({ questionId: QuizId, answerIds: Type.Array(QuizId, { minItems: 1, maxItems: 30 }) }, { additionalProperties: false }),
      { minItems: 1, maxItems: 50 },
    ),
  },
  { additionalProperties: false },
);
export type QuizResponse = Static<typeof QuizResponse>;

const shape = new Validator(QuizResponse);

/** A response, checked against the quiz it answers: every question and option must exist. */
export function checkResponse(body: unknown, quiz: QuizDefinition): { ok: true; value: QuizResponse } | { ok: false; errors: FieldError[] } {
  if (typeof body !== 'object' || body === null || Array.isArray(body)) return { ok: false, errors: [{ field: '(body)', message: 'must be a JSON object' }] };
  const checked = shape.validate(body);
  if (!checked.ok) return checked;
  const questions = new Map(quiz.questions.map((q) => [q.questionId, q]));
  const answered = new Set<string>();
  const errors: FieldError[] = [];
  checked.value.answers.forEach((a, i) => {
    const question = questions.get(a.questionId);
    if (!question) {
      errors.push({ field: `answers.${i}.questionId`, message: `no question ${a.questionId} in this quiz` });
      return;
    }
    if (answered.has(a.questionId)) errors.push({ field: `answers.${i}.questionId`, message: `question ${a.questionId} is answered twice` });
    answered.add(a.questionId);
    if (!question.multiple && a.answerIds.length > 1) errors.push({ field: `answers.${i}.answerIds`, message: `question ${a.questionId} takes exactly one answer` });
    const options = new Set(question.options.map((o) => o.optionId));
    const chosen = new Set<string>();
    a.answerIds.forEach((optionId, j) => {
      if (!options.has(optionId)) errors.push({ field: `answers.${i}.answerIds.${j}`, message: `no option ${optionId} in question ${a.questionId}` });
      else if (chosen.has(optionId)) errors.push({ field: `answers.${i}.answerIds.${j}`, message: `option ${optionId} is chosen twice` });
      chosen.add(optionId);
    });
  });
  return errors.length ? { ok: false, errors } : { ok: true, value: checked.value };
}

/** Whether a (checked) response answers every question: only a finished quiz earns its reward. */
export function isComplete(response: QuizResponse, quiz: QuizDefinition): boolean {
  const answered = new Set(response.answers.map((a) => a.questionId));
  return quiz.questions.every((q) => answered.has(q.questionId));
}

/** The same response answered again gives the same id, so a retry is dropped as a duplicate downstream. */
export function answerEventId(storeId: string, quizId: string, responseId: string, questionId: string): string {
  const digest = createHash('sha256').update([storeId, quizId, responseId, questionId].join('\u0000')).digest('hex');
  return `quiz-${digest.slice(0, 32)}`;
}

/** One `quiz_answer` event per answered question, for the gateway to record like any tracked event. */
export function answerEvents(storeId: string, quizId: string, response: QuizResponse, now: Date): TrackedEvent[] {
  const occurredAt = now.toISOString();
  return response.answers.map((a): TrackedEvent => ({
    eventId: answerEventId(storeId, quizId, response.responseId, a.questionId),
    type: 'quiz_answer',
    occurredAt,
    anonymousId: response.anonymousId,
    ...(response.customerId !== undefined ? { customerId: response.customerId } : {}),
    properties: { quizId, questionId: a.questionId, answerIds: [...a.answerIds] },
  }));
}

/** Who a reward belongs to: the customer when known (the same code on every device), else the device. */
export const holderOf = (who: { customerId?: string; anonymousId: string }): string =>
  who.customerId !== undefined ? `customer:${who.customerId}` : `anonymous:${who.anonymousId}`;

/** No 0/O, 1/I/L: codes are read off screens and typed in at checkout. */
export const CODE_ALPHABET = 'ABCDEFGHJKMNPQRSTUVWXYZ23456789';
const CODE_LENGTH = 10;
export const DEFAULT_CODE_PREFIX = 'QUIZ';

/** A fresh discount code, e.g. `SKIN-7KQ2MZP4XH`; `random` is replaceable for tests. */
export function rewardCode(prefix = DEFAULT_CODE_PREFIX, random: (max: number) => number = randomInt): string {
  let tail = '';
  for (let i = 0; i < CODE_LENGTH; i++) tail += CODE_ALPHABET[random(CODE_ALPHABET.length)];
  return `${prefix}-${tail}`;
}

export type RewardOffer = { code: string; expiresAt?: string } & ({ discountPercent: number } | { discountAmount: number; currency: string });

const DAY_MS = 86_400_000;

/** What the shopper is told about their code; it expires counting from when it was first issued, so a retry does not extend it. */
export function rewardOffer(reward: QuizReward, code: string, issuedAt: Date): RewardOffer {
  const expiry = reward.validDays !== undefined ? { expiresAt: new Date(issuedAt.getTime() + reward.validDays * DAY_MS).toISOString() } : {};
  if (reward.discountPercent !== undefined) return { code, discountPercent: reward.discountPercent, ...expiry };
  return { code, discountAmount: reward.discountAmount as number, currency: reward.currency as string, ...expiry };
}
