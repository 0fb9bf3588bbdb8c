import { validateTrackedEvent } from '@signal/contracts';
import { answerEventId, answerEvents, checkResponse, CODE_ALPHABET, holderOf, isComplete, rewardCode, rewardOffer, type QuizResponse } from '../quiz-response';
import { skincareQuiz } from './skincare-quiz';

const quiz = skincareQuiz();
const finished: QuizResponse = {
  responseId: 'r-1',
  anonymousId: 'dev-1',
  answers: [
    { questionId: 'skin-type', answerIds: ['dry'] },
    { questionId: 'concerns', answerIds: ['wrinkles', 'redness'] },
  ],
};

const fieldsOf = (body: unknown): string[] => {
  const checked = checkResponse(body, quiz);
  return checked.ok ? [] : checked.errors.map((e) => e.field);
};
const withAnswers = (answers: unknown): unknown => ({ ...finished, answers });

describe('checkResponse', () => {
  it('accepts a finished and a partial response', () => {
    expect(checkResponse(finished, quiz)).toEqual({ ok: true, value: finished });
    expect(checkResponse(withAnswers([{ questionId: 'concerns', answerIds: ['spots'] }]), quiz).ok).toBe(true);
  });

  it.each<[string, unknown, string[]]>([
    ['a non-object', 'answers', ['(body)']],
    ['no responseId', { anonymousId: 'dev-1', answers: finished.answers }, ['responseId']],
    ['no anonymousId', { responseId: 'r-1', answers: finished.answers }, ['anonymousId']],
    ['a customer id with a space', { ...finished, customerId: 'c 1' }, ['customerId']],
    ['an unknown field', { ...finished, score: 3 }, ['score']],
    ['no answers', withAnswers([]), ['answers']],
    ['an answer without options', withAnswers([{ questionId: 'skin-type', answerIds: [] }]), ['answers.0.answerIds']],
    ['an unknown question', withAnswers([{ questionId: 'skin-type', answerIds: ['dry'] }, { questionId: 'budget', answerIds: ['low'] }]), ['answers.1.questionId']],
    ['an unknown option', withAnswers([{ questionId: 'concerns', answerIds: ['spots', 'acne'] }]), ['answers.0.answerIds.1']],
    ['an option of another question', withAnswers([{ questionId: 'skin-type', answerIds: ['spots'] }]), ['answers.0.answerIds.0']],
    ['a question answered twice', withAnswers([...finished.answers, { questionId: 'skin-type', answerIds: ['oily'] }]), ['answers.2.questionId']],
    ['several answers to a single-answer question', withAnswers([{ questionId: 'skin-type', answerIds: ['dry', 'oily'] }]), ['answers.0.answerIds']],
    ['an option chosen twice', withAnswers([{ questionId: 'concerns', answerIds: ['spots', 'spots'] }]), ['answers.0.answerIds.1']],
    ['51 answers', withAnswers(Array.from({ length: 51 }, () => finished.answers[0])), ['answers']],
  ])('rejects %s', (_what, body, fields) => {
    expect(fieldsOf(body)).toEqual(fields);
  });
});

describe('isComplete', () => {
  it('is true only when every question of the quiz is answered', () => {
    expect(isComplete(finished, quiz)).toBe(true);
    expect(isComplete({ ...finished, answers: [finished.answers[1]] }, quiz)).toBe(false);
  });
});

describe('answerEvents', () => {
  const now = new Date('2025-06-01T10:00:00.000Z');

  it('builds one quiz_answer event per answered question that the event path accepts', () => {
    const events = answerEvents('acme', 'skin-finder', { ...finished, customerId: 'cust-9' }, now);
    expect(events).toEqual([
      {
        eventId: answerEventId('acme', 'skin-finder', 'r-1', 'skin-type'),
        type: 'quiz_answer',
        occurredAt: '2025-06-01T10:00:00.000Z',
        anonymousId: 'dev-1',
        customerId: 'cust-9',
        properties: { quizId: 'skin-finder', questionId: 'skin-type', answerIds: ['dry'] },
      },
      expect.objectContaining({ properties: { quizId: 'skin-finder', questionId: 'concerns', answerIds: ['wrinkles', 'redness'] } }),
    ]);
    for (const e of events) expect(validateTrackedEvent(e, { now, maxFutureMs: 0, maxAgeMs: 60_000 })).toEqual({ ok: true, value: e });
    expect(answerEvents('acme', 'skin-finder', finished, now)[0]).not.toHaveProperty('customerId');
  });

  it('gives a retried response the same event ids, and anything else different ones', () => {
    const id = answerEventId('acme', 'skin-finder', 'r-1', 'skin-type');
    expect(id).toMatch(/^quiz-[0-9a-f]{32}$/);
    expect(answerEvents('acme', 'skin-finder', finished, new Date(now.getTime() + 5_000)).map((e) => e.eventId)).toEqual(answerEvents('acme', 'skin-finder', finished, now).map((e) => e.eventId));
    const others = [
      answerEventId('other', 'skin-finder', 'r-1', 'skin-type'),
      answerEventId('acme', 'hair-finder', 'r-1', 'skin-type'),
      answerEventId('acme', 'skin-finder', 'r-2', 'skin-type'),
      answerEventId('acme', 'skin-finder', 'r-1', 'concerns'),
      // The separator keeps shifted boundaries apart.
      answerEventId('acme', 'skin-finder', 'r-1s', 'kin-type'),
    ];
    expect(new Set([id, ...others]).size).toBe(6);
  });
});

describe('rewards', () => {
  it('holds a reward by customer when known, else by device', () => {
    expect(holderOf({ anonymousId: 'dev-1', customerId: 'c-1' })).toBe('customer:c-1');
    expect(holderOf({ anonymousId: 'dev-1' })).toBe('anonymous:dev-1');
  });

  it('draws codes of 10 unambiguous characters after the prefix', () => {
    expect(rewardCode('SKIN', () => 0)).toBe('SKIN-AAAAAAAAAA');
    expect(rewardCode(undefined, (max) => max - 1)).toBe('QUIZ-9999999999');
    for (let i = 0; i < 50; i++) expect(rewardCode('SKIN')).toMatch(/^SKIN-[A-HJKMNP-Z2-9]{10}$/);
    expect(CODE_ALPHABET).not.toMatch(/[01ILO]/);
    expect(new Set(Array.from({ length: 1_000 }, () => rewardCode())).size).toBe(1_000);
  });

  it('tells the discount and an expiry counted from first issue', () => {
    const issuedAt = new Date('2025-06-01T10:00:00.000Z');
    expect(rewardOffer({ discountPercent: 10, validDays: 30 }, 'SKIN-X', issuedAt)).toEqual({ code: 'SKIN-X', discountPercent: 10, expiresAt: '2025-07-01T10:00:00.000Z' });
    expect(rewardOffer({ discountAmount: 5, currency: 'EUR' }, 'QUIZ-X', issuedAt)).toStrictEqual({ code: 'QUIZ-X', discountAmount: 5, currency: 'EUR' });
  });
});
