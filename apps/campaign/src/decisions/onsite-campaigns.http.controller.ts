import { Body, Controller, Delete, Get, HttpCode, Param, Post, Put } from '@nestjs/common';
import { badRequest, validStoreId } from '@signal/platform';
import { checkCampaign, type OnsiteCampaign } from './definitions';
import { OnsiteCampaignsService } from './onsite-campaigns.service';
import { pathId, samePathId } from './path-ids';

const checked = (body: unknown): OnsiteCampaign => {
  const c = checkCampaign(body);
  if (!c.ok) throw badRequest('Invalid campaign', c.errors);
  return c.value;
};

/** On-site campaigns: pop-ups, calls to action, banners; who sees which variant, how often. */
@Controller('v1/stores/:storeId/onsite-campaigns')
export class OnsiteCampaignsHttpController {
  constructor(private readonly campaigns: OnsiteCampaignsService) {}

  @Post()
  @HttpCode(201)
  create(@Param('storeId') storeId: string, @Body() body: unknown) {
    return this.campaigns.create(validStoreId(storeId), checked(body));
  }

  @Get()
  list(@Param('storeId') storeId: string) {
    return this.campaigns.list(validStoreId(storeId));
  }

  @Get(':campaignId')
  get(@Param('storeId') storeId: string, @Param('campaignId') campaignId: string) {
    return this.campaigns.get(validStoreId(storeId), pathId(campaignId, 'campaignId'));
  }

  @Put(':campaignId')
  replace(@Param('storeId') storeId: string, @Param('campaignId') campaignId: string, @Body() body: unknown) {
    return this.campaigns.replace(validStoreId(storeId), checked(samePathId(body, 'campaignId', pathId(campaignId, 'campaignId'))));
  }

  @Delete(':campaignId')
  remove(@Param('storeId') storeId: string, @Param('campaignId') campaignId: string) {
    return this.campaigns.remove(validStoreId(storeId), pathId(campaignId, 'campaignId'));
  }
}
