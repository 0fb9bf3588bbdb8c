import { Body, Controller, Delete, Get, HttpCode, Param, Post, Put } from '@nestjs/common';
import { badRequest, validStoreId } from '../http/params';
import type { QuizRecord } from './quizzes.repository';
import { QuizzesService, type QuizResponseResult } from './quizzes.service';
import { QUIZ_ID_PATTERN } from './quiz-definition';

const QUIZ_ID = new RegExp(QUIZ_ID_PATTERN);

// Quiz ids are narrower than other ids (they become part of trait names), so the path is held to the same rule.
function validQuizId(value: unknown): string {
  if (typeof value !== 'string' || !QUIZ_ID.test(value)) throw badRequest('Invalid quizId', [{ field: 'quizId', message: 'must be 1-128 characters of A-Z a-z 0-9 _ . : -' }]);
  return value;
}

/** Quiz definitions, and the responses the gateway forwards from storefronts (docs/quizzes.md). */
@Controller('v1/stores/:storeId/quizzes')
export class QuizzesHttpController {
  constructor(private readonly quizzes: QuizzesService) {}

  @Get()
  list(@Param('storeId') storeId: string): Promise<QuizRecord[]> {
    return this.quizzes.list(validStoreId(storeId));
  }

  /** 201; the quiz id is generated when the body has none; 409 when it is taken. */
  @Post()
  create(@Param('storeId') storeId: string, @Body() body: unknown): Promise<QuizRecord> {
    return this.quizzes.create(validStoreId(storeId), body);
  }

  @Get(':quizId')
  get(@Param('storeId') storeId: string, @Param('quizId') quizId: string): Promise<QuizRecord> {
    return this.quizzes.get(validStoreId(storeId), validQuizId(quizId));
  }

  /** Replaces the whole definition as a new version. */
  @Put(':quizId')
  replace(@Param('storeId') storeId: string, @Param('quizId') quizId: string, @Body() body: unknown): Promise<QuizRecord> {
    return this.quizzes.replace(validStoreId(storeId), validQuizId(quizId), body);
  }

  @Delete(':quizId')
  @HttpCode(204)
  delete(@Param('storeId') storeId: string, @Param('quizId') quizId: string): Promise<void> {
    return this.quizzes.delete(validStoreId(storeId), validQuizId(quizId));
  }

  /** 200, not 201: nothing is created here that the caller could address; the events are the caller's to record. */
  @Post(':quizId/responses')
  @HttpCode(200)
  respond(@Param('storeId') storeId: string, @Param('quizId') quizId: string, @Body() body: unknown): Promise<QuizResponseResult> {
    return this.quizzes.respond(validStoreId(storeId), validQuizId(quizId), body);
  }
}
