import { Controller, Get, Param, Post, Req, Res } from '@nestjs/common';
import type { Request, Response } from 'express';
import { UpstreamId } from '../upstream/upstream-call';
import { CampaignLinks } from './campaign-links';

/** Links in messages, followed from mail clients and browsers with no key: the signed token in each is the auth. */
@Controller('v1')
export class CampaignLinksHttpController {
  constructor(private readonly links: CampaignLinks) {}

  @Get('unsubscribe')
  unsubscribePage(@Req() req: Request, @Res() res: Response) {
    return this.links.forward(req, res, '/v1/unsubscribe');
  }

  /** One-click unsubscribe (RFC 8058): mail clients POST a form to the List-Unsubscribe URL. */
  @Post('unsubscribe')
  unsubscribe(@Req() req: Request, @Res() res: Response) {
    return this.links.forward(req, res, '/v1/unsubscribe');
  }

  @Get('m/:messageId/open.gif')
  open(@Param('messageId', UpstreamId) messageId: string, @Req() req: Request, @Res() res: Response) {
    return this.links.forward(req, res, `/v1/m/${encodeURIComponent(messageId)}/open.gif`);
  }

  @Get('m/:messageId/click')
  click(@Param('messageId', UpstreamId) messageId: string, @Req() req: Request, @Res() res: Response) {
    return this.links.forward(req, res, `/v1/m/${encodeURIComponent(messageId)}/click`);
  }
}
