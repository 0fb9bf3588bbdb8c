import { profileIdFor, type TrackedEvent } from '@signal/contracts';
import type { QuizDefinition } from '../src/quizzes/quiz-definition';
import type { QuizRecord } from '../src/quizzes/quizzes.repository';
import type { QuizResponseResult } from '../src/quizzes/quizzes.service';
import { startProfile, uniqueStore, type Harness } from './harness';

let h: Harness;
const storeId = uniqueStore();
const base = `/v1/stores/${storeId}/quizzes`;

beforeAll(async () => {
  h = await startProfile();
});
afterAll(() => h?.close());

interface ErrorBody {
  statusCode: number;
  errors?: { field: string; message: string }[];
}

/** Any method, JSON both ways; a string body is sent as it is (for malformed JSON). Parsed here, so arrays are this realm's. */
async function send<T = ErrorBody>(method: 'POST' | 'PUT' | 'DELETE' | 'GET', path: string, body?: unknown): Promise<{ status: number; body: T }> {
  const res = await fetch(`${h.service.url}${path}`, {
    method,
    headers: body === undefined ? {} : { 'content-type': 'application/json' },
    body: body === undefined ? undefined : typeof body === 'string' ? body : JSON.stringify(body),
  });
  const text = await res.text();
  return { status: res.status, body: (text ? JSON.parse(text) : undefined) as T };
}

const fieldsOf = (body: ErrorBody): string[] => (body.errors ?? []).map((e) => e.field);

const skincareQuiz = (quizId = 'skin-finder'): QuizDefinition => ({
  quizId,
  title: 'Find your skincare routine',
  questions: [
    {
      questionId: 'skin-type',
      text: 'How does your skin feel by midday?',
      options: [
        { optionId: 'dry', label: 'Tight or flaky', imageUrl: 'https://cdn.example-shop.com/quiz/dry.jpg', traits: { skinType: 'dry' }, affinities: [{ dimension: 'category', value: 'Moisturizers', weight: 20 }], segments: ['skin-dry'] },
        { optionId: 'oily', label: 'Shiny all over', imageUrl: 'https://cdn.example-shop.com/quiz/oily.jpg', traits: { skinType: 'oily' }, segments: ['skin-oily'] },
      ],
    },
    {
      questionId: 'concerns',
      text: 'What would you like to work on?',
      multiple: true,
      options: [
        { optionId: 'wrinkles', label: 'Fine lines' },
        { optionId: 'spots', label: 'Blemishes' },
      ],
    },
  ],
  reward: { discountPercent: 15, prefix: 'SKIN', validDays: 30 },
});

const answers = [
  { questionId: 'skin-type', answerIds: ['dry'] },
  { questionId: 'concerns', answerIds: ['wrinkles', 'spots'] },
];

describe('quizzes HTTP API', () => {
  it('creates, lists, reads, replaces and deletes a quiz', async () => {
    const created = await send<QuizRecord>('POST', base, skincareQuiz('crud-quiz'));
    expect(created).toMatchObject({ status: 201, body: { quizId: 'crud-quiz', version: 1, definition: { title: 'Find your skincare routine' } } });
    await expect(send('POST', base, skincareQuiz('crud-quiz'))).resolves.toMatchObject({ status: 409 });

    const { quizId: _, ...unnamed } = skincareQuiz();
    const generated = await send<QuizRecord>('POST', base, unnamed);
    expect(generated.status).toBe(201);
    expect(generated.body.quizId).toMatch(/^[0-9a-f]{8}-[0-9a-f]{4}-[0-9a-f]{4}-[0-9a-f]{4}-[0-9a-f]{12}$/);

    const listed = await send<QuizRecord[]>('GET', base);
    expect(listed.status).toBe(200);
    expect(listed.body.map((q) => q.quizId)).toEqual(expect.arrayContaining(['crud-quiz', generated.body.quizId]));
    await expect(send('GET', `${base}/crud-quiz`)).resolves.toEqual({ status: 200, body: created.body });

    const replaced = await send<QuizRecord>('PUT', `${base}/crud-quiz`, { ...unnamed, title: 'Your routine in a minute' });
    expect(replaced).toMatchObject({ status: 200, body: { quizId: 'crud-quiz', version: 2, createdAt: created.body.createdAt, definition: { quizId: 'crud-quiz', title: 'Your routine in a minute' } } });
    expect(Date.parse(replaced.body.updatedAt)).toBeGreaterThanOrEqual(Date.parse(created.body.updatedAt));

    await expect(send('DELETE', `${base}/crud-quiz`)).resolves.toEqual({ status: 204, body: undefined });
    await expect(send('GET', `${base}/crud-quiz`)).resolves.toMatchObject({ status: 404 });
    await expect(send('DELETE', `${base}/crud-quiz`)).resolves.toMatchObject({ status: 404 });
    await expect(send('PUT', `${base}/crud-quiz`, unnamed)).resolves.toMatchObject({ status: 404 });
  });

  it('keeps stores apart', async () => {
    await send('POST', base, skincareQuiz('own-quiz'));
    await expect(send('GET', `/v1/stores/${uniqueStore()}/quizzes/own-quiz`)).resolves.toMatchObject({ status: 404 });
    await expect(send('GET', `/v1/stores/${uniqueStore()}/quizzes`)).resolves.toEqual({ status: 200, body: [] });
  });

  it('answers 400 naming the field for bad definitions', async () => {
    const quiz = skincareQuiz('bad-quiz');
    quiz.questions[1].options[0].optionId = 'fine lines';
    const bad = await send('POST', base, quiz);
    expect(bad.status).toBe(400);
    expect(fieldsOf(bad.body)).toEqual(['questions.1.options.0.optionId']);

    const renamed = await send('PUT', `${base}/own-quiz`, skincareQuiz('other-quiz'));
    expect({ status: renamed.status, fields: fieldsOf(renamed.body) }).toEqual({ status: 400, fields: ['quizId'] });

    for (const body of ['[1, 2]', '"quiz"', '{"title": "x", "questions": [], "__proto__": {"admin": true}}']) {
      await expect(send('POST', base, body)).resolves.toMatchObject({ status: 400 });
    }
    await expect(send('POST', base, '{"title": ')).resolves.toMatchObject({ status: 400 });
  });

  it('refuses an affinity on a category the store marked sensitive', async () => {
    const sensitiveStore = uniqueStore();
    await expect(send('PUT', `/v1/stores/${sensitiveStore}/settings`, { sensitiveCategories: ['Pregnancy Care'] })).resolves.toMatchObject({ status: 200 });
    const quiz = skincareQuiz();
    quiz.questions[0].options[1].affinities = [{ dimension: 'category', value: 'pregnancy care' }];
    const refused = await send('POST', `/v1/stores/${sensitiveStore}/quizzes`, quiz);
    expect({ status: refused.status, fields: fieldsOf(refused.body) }).toEqual({ status: 400, fields: ['questions.0.options.1.affinities.0.value'] });
  });

  it('answers 400 for malformed store and quiz ids in the path', async () => {
    await expect(send('GET', `/v1/stores/NOT_A_STORE/quizzes`)).resolves.toMatchObject({ status: 400 });
    await expect(send('GET', `${base}/a%20b`)).resolves.toMatchObject({ status: 400 });
    await expect(send('GET', `${base}/${'q'.repeat(129)}`)).resolves.toMatchObject({ status: 400 });
    await expect(send('POST', `${base}/a%40b/responses`, { responseId: 'r', anonymousId: 'd', answers })).resolves.toMatchObject({ status: 400 });
  });
});

describe('quiz responses', () => {
  beforeAll(async () => {
    await expect(send('POST', base, skincareQuiz())).resolves.toMatchObject({ status: 201 });
  });

  const respond = (body: unknown, quizId = 'skin-finder') => send<QuizResponseResult & ErrorBody>('POST', `${base}/${quizId}/responses`, body);

  it('turns a finished response into quiz_answer events and one code per shopper, the same on a retry', async () => {
    const body = { responseId: 'resp-1', anonymousId: 'dev-quiz-1', answers };
    const first = await respond(body);
    expect(first.status).toBe(200);
    expect(first.body.events.map((e: TrackedEvent) => ({ type: e.type, anonymousId: e.anonymousId, properties: e.properties }))).toEqual(
      answers.map((a) => ({ type: 'quiz_answer', anonymousId: 'dev-quiz-1', properties: { quizId: 'skin-finder', ...a } })),
    );
    for (const e of first.body.events) expect(e.eventId).toMatch(/^quiz-[0-9a-f]{32}$/);
    expect(first.body.reward).toEqual({ code: expect.stringMatching(/^SKIN-[A-HJKMNP-Z2-9]{10}$/), discountPercent: 15, expiresAt: expect.any(String) });
    const expiresIn = Date.parse(first.body.reward?.expiresAt ?? '') - Date.now();
    expect(expiresIn).toBeGreaterThan(29 * 86_400_000);
    expect(expiresIn).toBeLessThanOrEqual(30 * 86_400_000);

    const retry = await respond(body);
    expect(retry.status).toBe(200);
    expect(retry.body.reward).toEqual(first.body.reward);
    expect(retry.body.events.map((e) => e.eventId)).toEqual(first.body.events.map((e) => e.eventId));

    // Another response of the same device still holds the same code: one per shopper and quiz.
    await expect(respond({ ...body, responseId: 'resp-1b' })).resolves.toMatchObject({ body: { reward: { code: first.body.reward?.code } } });

    const other = await respond({ responseId: 'resp-2', anonymousId: 'dev-quiz-2', customerId: 'cust-quiz-2', answers });
    expect(other.body.reward?.code).toMatch(/^SKIN-/);
    expect(other.body.reward?.code).not.toBe(first.body.reward?.code);
    expect(other.body.events[0]?.customerId).toBe('cust-quiz-2');

    const rows = await h.sql<{ holder: string; code: string; profile_id: string; redeemed_at: Date | null }>(
      `SELECT "holder", "code", "profile_id", "redeemed_at" FROM "profile"."quiz_rewards" WHERE "store_id" = $1 AND "quiz_id" = 'skin-finder' ORDER BY "holder"`,
      [storeId],
    );
    expect(rows).toEqual([
      { holder: 'anonymous:dev-quiz-1', code: first.body.reward?.code, profile_id: profileIdFor(storeId, { anonymousId: 'dev-quiz-1' }), redeemed_at: null },
      { holder: 'customer:cust-quiz-2', code: other.body.reward?.code, profile_id: profileIdFor(storeId, { anonymousId: 'dev-quiz-2', customerId: 'cust-quiz-2' }), redeemed_at: null },
    ]);
  });

  it('issues concurrent finishes of one shopper a single code', async () => {
    const body = { responseId: 'resp-race', anonymousId: 'dev-race', answers };
    const all = await Promise.all(Array.from({ length: 8 }, () => respond(body)));
    expect(new Set(all.map((r) => r.body.reward?.code)).size).toBe(1);
    const rows = await h.sql<{ n: string }>(`SELECT count(*) AS n FROM "profile"."quiz_rewards" WHERE "store_id" = $1 AND "holder" = 'anonymous:dev-race'`, [storeId]);
    expect(rows).toEqual([{ n: '1' }]);
  });

  it('gives no reward for a partial response', async () => {
    const partial = await respond({ responseId: 'resp-3', anonymousId: 'dev-quiz-3', answers: [answers[0]] });
    expect(partial.status).toBe(200);
    expect(partial.body.events).toHaveLength(1);
    expect(partial.body).not.toHaveProperty('reward');
    await expect(h.sql(`SELECT 1 FROM "profile"."quiz_rewards" WHERE "store_id" = $1 AND "holder" = 'anonymous:dev-quiz-3'`, [storeId])).resolves.toEqual([]);
  });

  it('answers 404 for an unknown quiz', async () => {
    await expect(respond({ responseId: 'r', anonymousId: 'd', answers }, 'no-such-quiz')).resolves.toMatchObject({ status: 404, body: { statusCode: 404 } });
  });

  it.each<[string, unknown, string[]]>([
    ['no answers', { responseId: 'r', anonymousId: 'd', answers: [] }, ['answers']],
    ['no anonymous id', { responseId: 'r', answers }, ['anonymousId']],
    ['an unknown question', { responseId: 'r', anonymousId: 'd', answers: [{ questionId: 'budget', answerIds: ['low'] }] }, ['answers.0.questionId']],
    ['an unknown option', { responseId: 'r', anonymousId: 'd', answers: [{ questionId: 'concerns', answerIds: ['spots', 'acne'] }] }, ['answers.0.answerIds.1']],
    ['a question answered twice', { responseId: 'r', anonymousId: 'd', answers: [answers[0], answers[0]] }, ['answers.1.questionId']],
    ['several answers to a single-answer question', { responseId: 'r', anonymousId: 'd', answers: [{ questionId: 'skin-type', answerIds: ['dry', 'oily'] }] }, ['answers.0.answerIds']],
    ['a non-object', [answers], ['(body)']],
  ])('answers 400 for %s', async (_what, body, fields) => {
    const res = await respond(body);
    expect({ status: res.status, fields: fieldsOf(res.body) }).toEqual({ status: 400, fields });
  });
});
