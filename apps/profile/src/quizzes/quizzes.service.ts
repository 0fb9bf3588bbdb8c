import { randomUUID } from 'node:crypto';
import { ConflictException, Injectable } from '@nestjs/common';
import { profileIdFor, type TrackedEvent } from '@signal/contracts';
import { badRequest, notFound } from '../http/params';
import { SettingsService } from '../settings/settings.service';
import { checkQuiz, type QuizDefinition } from './quiz-definition';
import { answerEvents, checkResponse, holderOf, isComplete, rewardCode, rewardOffer, type RewardOffer } from './quiz-response';
import { QuizzesRepository, type QuizRecord } from './quizzes.repository';

/** What a response is answered with: the gateway records `events` and hands `reward` to the shopper. */
export interface QuizResponseResult {
  events: TrackedEvent[];
  reward?: RewardOffer;
}

const conflict = (quizId: string) => new ConflictException({ statusCode: 409, error: 'Conflict', message: `Quiz ${quizId} exists already` });

/** Quiz administration, and turning a shopper's answers into events and a reward. */
@Injectable()
export class QuizzesService {
  constructor(
    private readonly quizzes: QuizzesRepository,
    private readonly settings: SettingsService,
  ) {}

  list(storeId: string): Promise<QuizRecord[]> {
    return this.quizzes.list(storeId);
  }

  async get(storeId: string, quizId: string): Promise<QuizRecord> {
    const quiz = await this.quizzes.get(storeId, quizId);
    if (!quiz) throw notFound('quiz');
    return quiz;
  }

  async create(storeId: string, body: unknown): Promise<QuizRecord> {
    const definition = await this.checked(storeId, body);
    const quizId = definition.quizId ?? randomUUID();
    const created = await this.quizzes.create(storeId, quizId, { ...definition, quizId });
    if (!created) throw conflict(quizId);
    return created;
  }

  async replace(storeId: string, quizId: string, body: unknown): Promise<QuizRecord> {
    const definition = await this.checked(storeId, body);
    if (definition.quizId !== undefined && definition.quizId !== quizId) throw badRequest('Invalid quiz', [{ field: 'quizId', message: 'must match the quiz id of the path' }]);
    const replaced = await this.quizzes.replace(storeId, quizId, { ...definition, quizId });
    if (!replaced) throw notFound('quiz');
    return replaced;
  }

  async delete(storeId: string, quizId: string): Promise<void> {
    if (!(await this.quizzes.delete(storeId, quizId))) throw notFound('quiz');
  }

  /** Checks the answers against the quiz; a finished quiz with a reward also gets the shopper's code. */
  async respond(storeId: string, quizId: string, body: unknown, now = new Date()): Promise<QuizResponseResult> {
    const { definition } = await this.get(storeId, quizId);
    const checked = checkResponse(body, definition);
    if (!checked.ok) throw badRequest('Invalid quiz response', checked.errors);
    const response = checked.value;
    const events = answerEvents(storeId, quizId, response, now);
    const { reward } = definition;
    if (!reward || !isComplete(response, definition)) return { events };
    const issued = await this.quizzes.issueReward(storeId, quizId, holderOf(response), profileIdFor(storeId, response), () => rewardCode(reward.prefix));
    return { events, reward: rewardOffer(reward, issued.code, issued.issuedAt) };
  }

  private async checked(storeId: string, body: unknown): Promise<QuizDefinition> {
    const checked = checkQuiz(body, await this.settings.get(storeId));
    if (!checked.ok) throw badRequest('Invalid quiz', checked.errors);
    return checked.value;
  }
}
