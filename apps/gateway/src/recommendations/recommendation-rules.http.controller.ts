import { Controller, Get, Put, Req, Res } from '@nestjs/common';
import type { Request, Response } from 'express';
import { CallerStore, RequireKey } from '../api-keys/api-key.guard';
import { RecommenderClient } from '../upstream/recommender-client';
import { callFrom } from '../upstream/upstream-call';
import { upstreamPath } from '../upstream/upstream-client';

/** The store's merchandising rules (boost, bury, pin, diversity), kept and checked by the recommender. */
@Controller('v1/recommendations/rules')
export class RecommendationRulesHttpController {
  constructor(private readonly recommender: RecommenderClient) {}

  @Get()
  @RequireKey('secret')
  read(@CallerStore() storeId: string, @Req() req: Request, @Res() res: Response) {
    return this.recommender.pipe(callFrom(req, res, storeId, upstreamPath`/recommendations/rules`), res);
  }

  @Put()
  @RequireKey('secret')
  replace(@CallerStore() storeId: string, @Req() req: Request, @Res() res: Response) {
    return this.recommender.pipe(callFrom(req, res, storeId, upstreamPath`/recommendations/rules`), res);
  }
}
