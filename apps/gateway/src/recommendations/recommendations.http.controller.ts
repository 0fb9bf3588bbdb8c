import { Controller, Get, Req, Res } from '@nestjs/common';
import type { Request, Response } from 'express';
import { CallerStore, RequireKey } from '../api-keys/api-key.guard';
import { requestIdOf } from '../upstream/upstream-call';
import { checkedQuery } from './recommendation-query';
import { RecommendationsService } from './recommendations.service';

/** Storefront shelves: the write key, like POST /v1/events, since the call is made from browsers. */
@Controller('v1/recommendations')
export class RecommendationsHttpController {
  constructor(private readonly recommendations: RecommendationsService) {}

  @Get()
  @RequireKey('write')
  recommend(@CallerStore() storeId: string, @Req() req: Request, @Res({ passthrough: true }) res: Response) {
    return this.recommendations.recommend(storeId, checkedQuery(req.query as Record<string, unknown>), requestIdOf(res));
  }
}
