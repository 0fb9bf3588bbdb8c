import { BadRequestException, ConflictException, NotFoundException } from '@nestjs/common';
import { profileIdFor } from '@signal/contracts';
import type { SettingsService } from '../../settings/settings.service';
import { withDefaults } from '../../settings/store-settings';
import type { QuizDefinition } from '../quiz-definition';
import type { IssuedCode, QuizRecord, QuizzesRepository } from '../quizzes.repository';
import { QuizzesService } from '../quizzes.service';
import { skincareQuiz } from './skincare-quiz';

const issuedAt = new Date('2025-06-01T10:00:00.000Z');

/** An in-memory stand-in for the tables: one quiz store, rewards held by holder like the primary key. */
function fakeRepository() {
  const quizzes = new Map<string, QuizRecord>();
  const rewards = new Map<string, IssuedCode & { profileId: string }>();
  const at = '2025-06-01T09:00:00.000Z';
  const repo = {
    list: async () => [...quizzes.values()],
    get: async (_s: string, quizId: string) => quizzes.get(quizId) ?? null,
    create: async (_s: string, quizId: string, definition: QuizDefinition) => {
      if (quizzes.has(quizId)) return null;
      const r: QuizRecord = { quizId, version: 1, createdAt: at, updatedAt: at, definition };
      quizzes.set(quizId, r);
      return r;
    },
    replace: async (_s: string, quizId: string, definition: QuizDefinition) => {
      const old = quizzes.get(quizId);
      if (!old) return null;
      const r = { ...old, version: old.version + 1, definition };
      quizzes.set(quizId, r);
      return r;
    },
    delete: async (_s: string, quizId: string) => quizzes.delete(quizId),
    issueReward: jest.fn(async (_s: string, quizId: string, holder: string, profileId: string, newCode: () => string) => {
      const key = `${quizId}/${holder}`;
      const issued = rewards.get(key) ?? { code: newCode(), issuedAt, profileId };
      rewards.set(key, issued);
      return { code: issued.code, issuedAt: issued.issuedAt };
    }),
  };
  return repo;
}

function service() {
  const repo = fakeRepository();
  const settings = { get: async () => withDefaults({ sensitiveCategories: ['adult'] }) };
  return { quizzes: new QuizzesService(repo as unknown as QuizzesRepository, settings as unknown as SettingsService), repo };
}

const answers = [
  { questionId: 'skin-type', answerIds: ['oily'] },
  { questionId: 'concerns', answerIds: ['spots'] },
];

describe('QuizzesService', () => {
  it('creates, replaces as a new version, and deletes', async () => {
    const { quizzes } = service();
    await expect(quizzes.create('acme', skincareQuiz())).resolves.toMatchObject({ quizId: 'skin-finder', version: 1 });
    await expect(quizzes.create('acme', skincareQuiz())).rejects.toBeInstanceOf(ConflictException);
    const { quizId: _, ...unnamed } = skincareQuiz();
    const generated = await quizzes.create('acme', unnamed);
    expect(generated.quizId).toMatch(/^[0-9a-f-]{36}$/);
    expect(generated.definition.quizId).toBe(generated.quizId);
    await expect(quizzes.replace('acme', 'skin-finder', { ...unnamed, title: 'Routine finder' })).resolves.toMatchObject({ version: 2, definition: { quizId: 'skin-finder', title: 'Routine finder' } });
    await expect(quizzes.replace('acme', 'nope', unnamed)).rejects.toBeInstanceOf(NotFoundException);
    await quizzes.delete('acme', 'skin-finder');
    await expect(quizzes.get('acme', 'skin-finder')).rejects.toBeInstanceOf(NotFoundException);
    await expect(quizzes.delete('acme', 'skin-finder')).rejects.toBeInstanceOf(NotFoundException);
  });

  it("refuses a bad definition, one naming another quiz than the path, and affinities on the store's sensitive categories", async () => {
    const { quizzes } = service();
    await expect(quizzes.create('acme', { title: 'x' })).rejects.toBeInstanceOf(BadRequestException);
    await quizzes.create('acme', skincareQuiz());
    const renamed = quizzes.replace('acme', 'skin-finder', { ...skincareQuiz(), quizId: 'hair-finder' });
    await expect(renamed).rejects.toMatchObject({ response: { errors: [{ field: 'quizId' }] } });
    const sensitive = skincareQuiz();
    sensitive.questions[0].options[0].affinities = [{ dimension: 'category', value: 'Adult' }];
    await expect(quizzes.create('acme', { ...sensitive, quizId: 'q2' })).rejects.toMatchObject({ response: { errors: [{ field: 'questions.0.options.0.affinities.0.value' }] } });
  });

  it('answers a finished response with events and the reward, the same code on a retry', async () => {
    const { quizzes, repo } = service();
    await quizzes.create('acme', skincareQuiz());
    const body = { responseId: 'r-1', anonymousId: 'dev-1', answers };
    const first = await quizzes.respond('acme', 'skin-finder', body);
    expect(first.events.map((e) => e.properties)).toEqual(answers.map((a) => ({ quizId: 'skin-finder', ...a })));
    expect(first.reward).toEqual({ code: expect.stringMatching(/^SKIN-[A-Z2-9]{10}$/), discountPercent: 10, expiresAt: '2025-07-01T10:00:00.000Z' });
    const retry = await quizzes.respond('acme', 'skin-finder', body);
    expect(retry.reward?.code).toBe(first.reward?.code);
    expect(retry.events.map((e) => e.eventId)).toEqual(first.events.map((e) => e.eventId));
    expect(repo.issueReward).toHaveBeenCalledWith('acme', 'skin-finder', 'anonymous:dev-1', profileIdFor('acme', { anonymousId: 'dev-1' }), expect.any(Function));

    const customer = await quizzes.respond('acme', 'skin-finder', { ...body, responseId: 'r-2', customerId: 'c-1' });
    expect(customer.reward?.code).not.toBe(first.reward?.code);
    expect(repo.issueReward).toHaveBeenLastCalledWith('acme', 'skin-finder', 'customer:c-1', profileIdFor('acme', { customerId: 'c-1', anonymousId: 'dev-1' }), expect.any(Function));
  });

  it('gives no reward for a partial response, or for a quiz without one', async () => {
    const { quizzes, repo } = service();
    await quizzes.create('acme', skincareQuiz());
    const partial = await quizzes.respond('acme', 'skin-finder', { responseId: 'r-1', anonymousId: 'dev-1', answers: [answers[0]] });
    expect(partial).toEqual({ events: [expect.objectContaining({ type: 'quiz_answer' })] });
    const { reward: _, ...plain } = skincareQuiz();
    await quizzes.create('acme', { ...plain, quizId: 'no-reward' });
    await expect(quizzes.respond('acme', 'no-reward', { responseId: 'r-1', anonymousId: 'dev-1', answers })).resolves.not.toHaveProperty('reward');
    expect(repo.issueReward).not.toHaveBeenCalled();
  });

  it('answers 404 for an unknown quiz and 400 naming the field for a bad response', async () => {
    const { quizzes } = service();
    await expect(quizzes.respond('acme', 'nope', { responseId: 'r-1', anonymousId: 'dev-1', answers })).rejects.toBeInstanceOf(NotFoundException);
    await quizzes.create('acme', skincareQuiz());
    const bad = quizzes.respond('acme', 'skin-finder', { responseId: 'r-1', anonymousId: 'dev-1', answers: [{ questionId: 'skin-type', answerIds: ['dry', 'oily'] }] });
    await expect(bad).rejects.toMatchObject({ response: { statusCode: 400, errors: [{ field: 'answers.0.answerIds' }] } });
  });
});
