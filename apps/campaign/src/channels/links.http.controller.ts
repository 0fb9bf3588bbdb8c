import { Controller, Get, HttpCode, Logger, Param, Post, Query, Res } from '@nestjs/common';
import type { Response } from 'express';
import { Links } from './links';
import { OptOutsService } from './opt-outs.service';
import { TrackingService } from './tracking.service';

// The smallest transparent GIF: 1×1, one colour.
const PIXEL = Buffer.from('R0lGODlhAQABAIAAAAAAAP///yH5BAEAAAAALAAAAAABAAEAAAIBRAA7', 'base64');

const escape = (s: string): string => s.replace(/[&<>"']/g, (c) => `&#${c.charCodeAt(0)};`);

const page = (title: string, body: string): string =>
  `<!doctype html><html lang="en"><head><meta charset="utf-8"><meta name="viewport" content="width=device-width, initial-scale=1"><meta name="robots" content="noindex"><title>${escape(title)}</title></head>` +
  `<body style="font-family:Arial,Helvetica,sans-serif;max-width:480px;margin:48px auto;padding:0 16px;color:#18181b"><h1 style="font-size:22px">${escape(title)}</h1>${body}</body></html>`;

const CHANNEL_WORDS = { email: 'e-mails', push: 'push notifications', webhook: 'messages' } as const;

/**
 * The links inside messages: unsubscribe (GET shows a button, POST acts: RFC 8058 one-click too, so
 * link scanners that only GET never unsubscribe anyone), the open pixel and tracked clicks.
 */
@Controller('v1')
export class LinksHttpController {
  private readonly logger = new Logger(LinksHttpController.name);

  constructor(
    private readonly links: Links,
    private readonly optOuts: OptOutsService,
    private readonly tracking: TrackingService,
  ) {}

  @Get('unsubscribe')
  confirmUnsubscribe(@Query('token') token: unknown, @Res() res: Response): void {
    const checked = this.links.verify(token, 'unsubscribe');
    if (!checked.ok) return this.badLink(res, checked.reason);
    const action = `?token=${encodeURIComponent(token as string)}`;
    this.html(
      res,
      200,
      page(
        'Unsubscribe',
        `<p>Stop receiving ${CHANNEL_WORDS[checked.token.channel]} from this shop?</p><form method="post" action="${escape(action)}"><button type="submit" style="font-size:16px;padding:8px 16px">Unsubscribe</button></form>`,
      ),
    );
  }

  /** One-click (RFC 8058: the body is `List-Unsubscribe=One-Click`, nothing in it matters) and the page's button. */
  @Post('unsubscribe')
  @HttpCode(200)
  async unsubscribe(@Query('token') token: unknown, @Res() res: Response): Promise<void> {
    const checked = this.links.verify(token, 'unsubscribe');
    if (!checked.ok) return this.badLink(res, checked.reason);
    try {
      await this.optOuts.unsubscribe(checked.token, token as string);
    } catch (e) {
      this.logger.error({ err: e, storeId: checked.token.storeId }, 'Unsubscribe not completed');
      return this.html(res, 503, page('Please try again', '<p>We could not record your choice just now. Please try again in a minute.</p>'));
    }
    this.html(res, 200, page('You are unsubscribed', `<p>You will not receive ${CHANNEL_WORDS[checked.token.channel]} from this shop any more.</p>`));
  }

  /** Always the pixel, whatever the token: a broken image in a mail helps nobody. */
  @Get('m/:messageId/open.gif')
  async open(@Param('messageId') messageId: string, @Query('t') token: unknown, @Res() res: Response): Promise<void> {
    const checked = this.links.verify(token, 'open');
    if (checked.ok && checked.token.messageId === messageId) {
      await this.tracking.record(checked.token, token as string).catch((e: unknown) => this.logger.warn({ err: e, messageId }, 'Open not recorded'));
    }
    res.status(200).set({ 'content-type': 'image/gif', 'cache-control': 'no-store, private', 'content-length': String(PIXEL.length) }).end(PIXEL);
  }

  /** 302 to the URL inside the signed token: the link cannot be pointed anywhere else. */
  @Get('m/:messageId/click')
  async click(@Param('messageId') messageId: string, @Query('t') token: unknown, @Res() res: Response): Promise<void> {
    const checked = this.links.verify(token, 'click');
    if (!checked.ok) return this.badLink(res, checked.reason);
    if (checked.token.messageId !== messageId) return this.badLink(res, 'The link token belongs to another message');
    // The shopper's click matters more than the statistic: redirect even when recording fails.
    await this.tracking.record(checked.token, token as string).catch((e: unknown) => this.logger.warn({ err: e, messageId }, 'Click not recorded'));
    res.status(302).set({ location: checked.token.url as string, 'cache-control': 'no-store, private' }).end();
  }

  private badLink(res: Response, reason: string): void {
    this.html(res, 400, page('This link does not work', `<p>${escape(reason)}.</p><p>If you copied it from a message, make sure you copied all of it.</p>`));
  }

  private html(res: Response, status: number, body: string): void {
    res.status(status).set({ 'content-type': 'text/html; charset=utf-8', 'cache-control': 'no-store, private', 'x-frame-options': 'DENY' }).send(body);
  }
}
