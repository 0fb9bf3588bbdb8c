import { Body, Controller, Delete, Get, HttpCode, Param, Post, Put } from '@nestjs/common';
import { badRequest, validStoreId } from '@signal/platform';
import { checkOffer, type Offer } from './definitions';
import { OffersService } from './offers.service';
import { pathId, samePathId } from './path-ids';

const checked = (body: unknown): Offer => {
  const c = checkOffer(body);
  if (!c.ok) throw badRequest('Invalid offer', c.errors);
  // "codes" is the path of code look-ups below.
  if (c.value.offerId === 'codes') throw badRequest('Invalid offer', [{ field: 'offerId', message: '"codes" is reserved' }]);
  return c.value;
};

/** Offers (discounts handed out as single-use codes), their budgets and how they are doing. */
@Controller('v1/stores/:storeId/offers')
export class OffersHttpController {
  constructor(private readonly offers: OffersService) {}

  @Post()
  @HttpCode(201)
  create(@Param('storeId') storeId: string, @Body() body: unknown) {
    return this.offers.create(validStoreId(storeId), checked(body));
  }

  @Get()
  list(@Param('storeId') storeId: string) {
    return this.offers.list(validStoreId(storeId));
  }

  /** A code as a checkout checks it: its offer, discount, expiry and whether it is still usable. */
  @Get('codes/:code')
  code(@Param('storeId') storeId: string, @Param('code') code: string) {
    return this.offers.code(validStoreId(storeId), pathId(code, 'code').toUpperCase());
  }

  @Get(':offerId')
  get(@Param('storeId') storeId: string, @Param('offerId') offerId: string) {
    return this.offers.get(validStoreId(storeId), pathId(offerId, 'offerId'));
  }

  @Put(':offerId')
  replace(@Param('storeId') storeId: string, @Param('offerId') offerId: string, @Body() body: unknown) {
    return this.offers.replace(validStoreId(storeId), checked(samePathId(body, 'offerId', pathId(offerId, 'offerId'))));
  }

  @Delete(':offerId')
  remove(@Param('storeId') storeId: string, @Param('offerId') offerId: string) {
    return this.offers.remove(validStoreId(storeId), pathId(offerId, 'offerId'));
  }

  /** Issued, redeemed, expired unused, and how much of the budget is left. */
  @Get(':offerId/report')
  report(@Param('storeId') storeId: string, @Param('offerId') offerId: string) {
    return this.offers.report(validStoreId(storeId), pathId(offerId, 'offerId'));
  }
}
