import { Body, Controller, Get, Param, Put } from '@nestjs/common';
import type { RecommendationRules } from '@signal/contracts';
import { badRequest, validStoreId } from '@signal/platform';
import { RulesService, checkRules } from './rules.service';

/** Boost, bury, pin, diversity caps, re-buy windows and the new-arrival window of a store. */
@Controller('v1/stores/:storeId/recommendations/rules')
export class RulesHttpController {
  constructor(private readonly rules: RulesService) {}

  @Get()
  get(@Param('storeId') storeId: string): Promise<RecommendationRules> {
    return this.rules.get(validStoreId(storeId));
  }

  /** Replaces the rules; fields left out take their defaults. */
  @Put()
  put(@Param('storeId') storeId: string, @Body() body: unknown): Promise<RecommendationRules> {
    const store = validStoreId(storeId);
    const checked = checkRules(body);
    if (!checked.ok) throw badRequest('Invalid rules', checked.errors);
    return this.rules.put(store, checked.value);
  }
}
