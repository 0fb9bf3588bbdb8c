import { Controller, Get, Param, Query, Req } from '@nestjs/common';
import type { Request } from 'express';
import { parseRecommendationQuery, type RecommendationAnswer } from '@signal/contracts';
import { badRequest, validStoreId } from '@signal/platform';
import { RecommendationsService } from './recommendations.service';
import { StatusService, type StoreStatus } from './status.service';

@Controller('v1/stores/:storeId/recommendations')
export class RecommendationsHttpController {
  constructor(
    private readonly recommendations: RecommendationsService,
    private readonly status: StatusService,
  ) {}

  /** A shelf: `?placement=home&anonymousId=…` (see RecommendationQuery). An unknown shopper is not an error. */
  @Get()
  recommend(@Param('storeId') storeId: string, @Query() raw: Record<string, unknown>, @Req() req: Request): Promise<RecommendationAnswer> {
    const store = validStoreId(storeId);
    const query = parseRecommendationQuery(raw);
    if (!query.ok) throw badRequest('Invalid recommendation request', query.errors);
    return this.recommendations.recommend(store, query.value, () => req.socket.destroyed);
  }

  /** What the recommender holds for a store: products, interactions, when the models were built. */
  @Get('status')
  storeStatus(@Param('storeId') storeId: string): Promise<StoreStatus> {
    return this.status.of(validStoreId(storeId));
  }
}
