import { BadGatewayException, Controller, Delete, Get, HttpCode, HttpException, Param, Post, Put, Req, Res } from '@nestjs/common';
import type { Request, Response } from 'express';
import { CallerStore, RequireKey } from '../api-keys/api-key.guard';
import { RecordEventsService } from '../record-events/record-events.service';
import { recordOverHttp } from '../record-events/record-over-http';
import { ProfileClient } from '../upstream/profile-client';
import { upstreamPath } from '../upstream/upstream-client';
import { UpstreamId, callFrom } from '../upstream/upstream-call';

/** What the profile service answers to a valid quiz response. */
interface ScoredResponse {
  events: unknown[];
  reward?: unknown;
}

const isScored = (body: unknown): body is ScoredResponse =>
  typeof body === 'object' && body !== null && Array.isArray((body as { events?: unknown }).events);

/** Quizzes are defined by the store's back office (secret key) and answered by shoppers (write key). */
@Controller('v1/quizzes')
export class QuizzesHttpController {
  constructor(
    private readonly profile: ProfileClient,
    private readonly events: RecordEventsService,
  ) {}

  @Post()
  @RequireKey('secret')
  create(@CallerStore() storeId: string, @Req() req: Request, @Res() res: Response) {
    return this.profile.pipe(callFrom(req, res, storeId, upstreamPath`/quizzes`), res);
  }

  @Get()
  @RequireKey('secret')
  list(@CallerStore() storeId: string, @Req() req: Request, @Res() res: Response) {
    return this.profile.pipe(callFrom(req, res, storeId, upstreamPath`/quizzes`), res);
  }

  @Get(':quizId')
  @RequireKey('secret')
  read(@CallerStore() storeId: string, @Param('quizId', UpstreamId) id: string, @Req() req: Request, @Res() res: Response) {
    return this.profile.pipe(callFrom(req, res, storeId, upstreamPath`/quizzes/${id}`), res);
  }

  @Put(':quizId')
  @RequireKey('secret')
  replace(@CallerStore() storeId: string, @Param('quizId', UpstreamId) id: string, @Req() req: Request, @Res() res: Response) {
    return this.profile.pipe(callFrom(req, res, storeId, upstreamPath`/quizzes/${id}`), res);
  }

  @Delete(':quizId')
  @RequireKey('secret')
  remove(@CallerStore() storeId: string, @Param('quizId', UpstreamId) id: string, @Req() req: Request, @Res() res: Response) {
    return this.profile.pipe(callFrom(req, res, storeId, upstreamPath`/quizzes/${id}`), res);
  }

  /**
   * A shopper's answers: the profile service checks them against the quiz and turns them into
   * quiz_answer events, which enter the event log like any POST /v1/events batch. 202 only once
   * Kafka holds them; a retry with the same responseId yields the same eventIds, which dedupe absorbs.
   */
  @Post(':quizId/responses')
  @HttpCode(202)
  @RequireKey('write')
  async respond(@CallerStore() storeId: string, @Param('quizId', UpstreamId) id: string, @Req() req: Request, @Res({ passthrough: true }) res: Response) {
    const { status, body } = await this.profile.json(callFrom(req, res, storeId, upstreamPath`/quizzes/${id}/responses`));
    if (status >= 400) throw new HttpException(body ?? { statusCode: status, message: 'Quiz response refused' }, status);
    if (!isScored(body)) throw new BadGatewayException({ statusCode: 502, error: 'Bad Gateway', message: 'Profile service answered without events' });
    // The events carry the shopper's own ids and answers, so a failed check is the sender's to fix: 400, as on /v1/events.
    const accepted = body.events.length ? await recordOverHttp(this.events, storeId, { events: body.events }, req) : 0;
    return body.reward === undefined ? { accepted } : { accepted, reward: body.reward };
  }
}
