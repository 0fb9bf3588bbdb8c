import { Controller, Delete, Get, Headers, Inject, Param, Post, Put, Req, Res } from '@nestjs/common';
import type { Request, Response } from 'express';
import { GATEWAY_CONFIG, type GatewayConfig } from '../config';
import { callFrom } from '../upstream/upstream-call';
import { checkAdmin } from './admin-token';
import { CampaignClient } from './campaign-client';
import { forwardedPath } from './forwarded-path';

/** Every path under these, at any depth, is the campaign service's. */
const AREAS = ['onsite-campaigns', 'offers', 'journeys', 'bounces', 'delivery-settings', 'messages'];
const ROUTES = AREAS.flatMap((a) => [a, `${a}/*rest`]);
/** admin, v1, stores, :storeId */
const PREFIX_SEGMENTS = 4;

/**
 * The campaign service's admin API, for operators (X-Admin-Token like the store keys):
 * /admin/v1/stores/:storeId/{onsite-campaigns,offers,journeys,bounces,delivery-settings,messages}/… → /v1/stores/:storeId/….
 */
@Controller('admin/v1/stores/:storeId')
export class CampaignAdminHttpController {
  constructor(
    private readonly campaign: CampaignClient,
    @Inject(GATEWAY_CONFIG) private readonly config: GatewayConfig,
  ) {}

  @Get(ROUTES)
  read(@Param('storeId') storeId: string, @Headers('x-admin-token') token: string | undefined, @Req() req: Request, @Res() res: Response) {
    return this.forward(storeId, token, req, res);
  }

  @Post(ROUTES)
  create(@Param('storeId') storeId: string, @Headers('x-admin-token') token: string | undefined, @Req() req: Request, @Res() res: Response) {
    return this.forward(storeId, token, req, res);
  }

  @Put(ROUTES)
  replace(@Param('storeId') storeId: string, @Headers('x-admin-token') token: string | undefined, @Req() req: Request, @Res() res: Response) {
    return this.forward(storeId, token, req, res);
  }

  @Delete(ROUTES)
  remove(@Param('storeId') storeId: string, @Headers('x-admin-token') token: string | undefined, @Req() req: Request, @Res() res: Response) {
    return this.forward(storeId, token, req, res);
  }

  private forward(storeId: string, token: string | undefined, req: Request, res: Response) {
    checkAdmin(this.config.ADMIN_TOKEN, storeId, token);
    return this.campaign.pipe(callFrom(req, res, storeId, forwardedPath(req, PREFIX_SEGMENTS)), res);
  }
}
