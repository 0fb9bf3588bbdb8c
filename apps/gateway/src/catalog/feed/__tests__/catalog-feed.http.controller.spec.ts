import { HttpException } from '@nestjs/common';
import type { KafkaPublisher, OutgoingMessage } from '@signal/platform';
import type { Request, Response } from 'express';
import { Readable } from 'node:stream';
import type { GatewayConfig } from '../../../config';
import { CatalogFeedHttpController } from '../catalog-feed.http.controller';

const feed = (n: number) =>
  ['id\ttitle\tprice\tavailability', ...Array.from({ length: n }, (_, i) => `p-${i}\tProduct ${i}\t${i}.50 USD\tin_stock`)].join('\n');
const request = (body: string, contentType = 'text/tab-separated-values') =>
  Object.assign(Readable.from([Buffer.from(body)]), { headers: { 'content-type': contentType, 'content-length': String(Buffer.byteLength(body)) } }) as unknown as Request;
const response = () => {
  const headers: Record<string, string> = {};
  return { headers, res: { setHeader: (k: string, v: string) => (headers[k.toLowerCase()] = v) } as unknown as Response };
};
const status = async (p: Promise<unknown>) => {
  try {
    await p;
  } catch (e) {
    if (e instanceof HttpException) return e.getStatus();
    throw e;
  }
  return 202;
};

describe('CatalogFeedHttpController', () => {
  const config = { CATALOG_FEED_MAX_BYTES: 1_000_000 } as GatewayConfig;

  it('publishes in parts of 1,000 with the catalog key and stamps, and answers the counts', async () => {
    const calls: OutgoingMessage[][] = [];
    const publisher = { publish: async (_topic: string, messages: OutgoingMessage[]) => void calls.push(messages) } as unknown as KafkaPublisher;
    const controller = new CatalogFeedHttpController(publisher, config);
    const answer = await controller.importFeed('shop-1', request(`${feed(2_345)}\nbad\tBad\tfree\tin_stock\n`), response().res);
    expect(answer).toEqual({ accepted: 2_345, rejected: 1, errors: [{ line: 2_347, productId: 'bad', errors: [{ field: 'price', message: expect.any(String) }] }] });
    expect(calls.map((c) => c.length)).toEqual([1_000, 1_000, 345]);
    expect(calls[0][0]).toEqual({
      key: 'shop-1:p-0',
      value: { productId: 'p-0', title: 'Product 0', price: 0.5, currency: 'USD', inStock: true, categories: [], storeId: 'shop-1', createdAt: expect.any(String), updatedAt: expect.any(String) },
    });
  });

  it('says how far it got when Kafka fails, as a 503 to retry', async () => {
    let n = 0;
    const publisher = {
      publish: async () => {
        if (++n === 2) throw new Error('broker down');
      },
    } as unknown as KafkaPublisher;
    const controller = new CatalogFeedHttpController(publisher, config);
    const failed = controller.importFeed('shop-1', request(feed(1_500)), response().res);
    await expect(failed).rejects.toMatchObject({ response: { statusCode: 503, message: expect.stringMatching(/after 1000 of 1500 products/) } });
  });

  it('imports one feed at a time: another one meanwhile gets a 429 to retry', async () => {
    let release: () => void = () => undefined;
    const publisher = { publish: () => new Promise<void>((r) => (release = r)) } as unknown as KafkaPublisher;
    const controller = new CatalogFeedHttpController(publisher, config);
    const first = controller.importFeed('shop-1', request(feed(3)), response().res);
    await new Promise((r) => setTimeout(r, 20));
    const second = response();
    expect(await status(controller.importFeed('shop-2', request(feed(3)), second.res))).toBe(429);
    expect(second.headers['retry-after']).toBe('5');
    release();
    await expect(first).resolves.toMatchObject({ accepted: 3 });
    const publisher2 = { publish: async () => undefined } as unknown as KafkaPublisher;
    expect(await status(new CatalogFeedHttpController(publisher2, config).importFeed('shop-2', request(feed(3)), response().res))).toBe(202);
  });

  it('closes the connection after a 413', async () => {
    const publisher = { publish: async () => undefined } as unknown as KafkaPublisher;
    const controller = new CatalogFeedHttpController(publisher, { CATALOG_FEED_MAX_BYTES: 1_024 } as GatewayConfig);
    const r = response();
    expect(await status(controller.importFeed('shop-1', request(feed(100)), r.res))).toBe(413);
    expect(r.headers.connection).toBe('close');
    expect(await status(controller.importFeed('shop-1', request('{}', 'application/json'), response().res))).toBe(415);
  });
});
