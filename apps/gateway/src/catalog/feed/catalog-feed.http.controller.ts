import { BadRequestException, Controller, HttpCode, HttpException, Inject, Post, Req, Res, ServiceUnavailableException } from '@nestjs/common';
import { TOPICS, productKey, type Product } from '@signal/contracts';
import { KafkaPublisher } from '@signal/platform';
import type { Request, Response } from 'express';
import { CallerStore, RequireKey } from '../../api-keys/api-key.guard';
import { GATEWAY_CONFIG, type GatewayConfig } from '../../config';
import { FeedBodyError, decodeText, decompress, feedContentType, readBody, type ContentType } from './feed-body';
import { FeedError, looksLikeXml, parseMerchantFeed, type ParsedFeed } from './merchant-feed';

/** Item errors in the answer; `rejected` counts them all. */
const ANSWERED_ERRORS = 100;
/** Products per publish() call: each call is bounded by KAFKA_SEND_TIMEOUT_MS, so a big feed goes in parts. */
const PUBLISH_CHUNK = 1_000;

const STATUS_NAMES = { 400: 'Bad Request', 413: 'Payload Too Large', 415: 'Unsupported Media Type' } as const;

/** Bulk import of a Google Merchant Center product feed (TSV, RSS 2.0 or Atom 1.0) into catalog.products.v1. */
@Controller('v1/catalog')
export class CatalogFeedHttpController {
  constructor(
    private readonly publisher: KafkaPublisher,
    @Inject(GATEWAY_CONFIG) private readonly config: GatewayConfig,
  ) {}

  /**
   * One feed is parsed and published at a time per gateway: a 20 MB feed takes a few hundred MB and
   * seconds of CPU while parsed, and the same process serves the event stream.
   */
  private busy = false;

  @Post('feed')
  @HttpCode(202)
  @RequireKey('secret')
  async importFeed(@CallerStore() storeId: string, @Req() req: Request, @Res({ passthrough: true }) res: Response) {
    const limit = this.config.CATALOG_FEED_MAX_BYTES;
    let raw: Buffer;
    let type: ContentType;
    try {
      // The type first: a JSON body was read by the app's parser already, and nothing else is read unasked.
      type = feedContentType(req.headers['content-type']);
      raw = await readBody(req, limit);
    } catch (e) {
      throw this.refusal(e, res);
    }
    if (this.busy) {
      res.setHeader('Retry-After', '5');
      throw new HttpException(
        { statusCode: 429, error: 'Too Many Requests', message: 'Another feed is being imported; retry shortly', errors: [{ field: '(body)', message: 'one feed at a time' }] },
        429,
      );
    }
    this.busy = true;
    try {
      let feed: ParsedFeed;
      try {
        const text = decodeText(decompress(raw, req.headers['content-encoding'], limit), type.charset, type.format);
        feed = parseMerchantFeed(text, type.format === 'tsv' && type.mediaType === 'text/plain' && looksLikeXml(text) ? 'xml' : type.format, { maxErrors: ANSWERED_ERRORS });
      } catch (e) {
        throw this.refusal(e, res);
      }
      const accepted = await this.publish(storeId, feed);
      return { accepted, rejected: feed.rejected, errors: feed.errors.slice(0, ANSWERED_ERRORS) };
    } finally {
      this.busy = false;
    }
  }

  /** The HTTP answer for a body or feed that cannot be taken; anything else is a fault of ours. */
  private refusal(e: unknown, res: Response): unknown {
    if (e instanceof FeedBodyError) {
      // Whatever of an oversized upload is still in flight is not worth reading.
      if (e.status === 413) res.setHeader('Connection', 'close');
      return new HttpException({ statusCode: e.status, error: STATUS_NAMES[e.status], message: e.message, errors: [{ field: '(body)', message: e.detail }] }, e.status);
    }
    if (e instanceof FeedError) return new BadRequestException({ statusCode: 400, error: 'Bad Request', message: e.message, errors: e.errors });
    return e;
  }

  private async publish(storeId: string, feed: ParsedFeed): Promise<number> {
    const now = new Date().toISOString();
    const messages = feed.products.map((p) => {
      const value: Product = { ...p, storeId, createdAt: p.createdAt ?? now, updatedAt: now };
      return { key: productKey(storeId, p.productId), value };
    });
    for (let i = 0; i < messages.length; i += PUBLISH_CHUNK) {
      try {
        await this.publisher.publish(TOPICS.CatalogProducts, messages.slice(i, i + PUBLISH_CHUNK));
      } catch {
        throw new ServiceUnavailableException({
          statusCode: 503,
          error: 'Service Unavailable',
          message: `Catalog log unavailable after ${i} of ${messages.length} products; send the feed again (products are upserts, so the repeat is harmless)`,
        });
      }
    }
    return messages.length;
  }
}
