import { Controller, Get, Param, Post, Req, Res } from '@nestjs/common';
import type { Request, Response } from 'express';
import { CallerStore, RequireKey } from '../api-keys/api-key.guard';
import { UpstreamId, callFrom, requestIdOf } from '../upstream/upstream-call';
import { upstreamPath } from '../upstream/upstream-client';
import { CampaignClient } from './campaign-client';
import { checkedDecisionQuery } from './decision-query';
import { DecisionsService } from './decisions.service';

/** On-site decisions for storefronts: the write key, like recommendations, since browsers make these calls. */
@Controller('v1')
export class DecisionsHttpController {
  constructor(
    private readonly decisions: DecisionsService,
    private readonly campaign: CampaignClient,
  ) {}

  /** `?placement=popup&anonymousId=…[&customerId=&productId=&page=]`: content to show, or content null. */
  @Get('decisions')
  @RequireKey('write')
  decide(@CallerStore() storeId: string, @Req() req: Request, @Res({ passthrough: true }) res: Response) {
    return this.decisions.decide(storeId, checkedDecisionQuery(req.query as Record<string, unknown>), requestIdOf(res));
  }

  /** `{ "type": "impression" | "click" | "dismiss" }`. */
  @Post('decisions/:decisionId/events')
  @RequireKey('write')
  event(@CallerStore() storeId: string, @Param('decisionId', UpstreamId) id: string, @Req() req: Request, @Res() res: Response) {
    return this.campaign.pipe(callFrom(req, res, storeId, upstreamPath`/decisions/${id}/events`), res);
  }

  /** The key a browser subscribes to web push with. */
  @Get('push/vapid-public-key')
  @RequireKey('write')
  vapidPublicKey(@CallerStore() storeId: string, @Req() req: Request, @Res() res: Response) {
    return this.campaign.pipe(callFrom(req, res, storeId, upstreamPath`/push/vapid-public-key`), res);
  }
}
