import { randomUUID } from 'node:crypto';
import { request as httpRequest } from 'node:http';
import { gzipSync } from 'node:zlib';
import { TOPICS, type Product } from '@signal/contracts';
import { loadConfig } from '@signal/platform';
import { KafkaTap, startTestService, testEnv, type RunningService } from '@signal/testing';
import { AppModule } from '../src/app.module';
import { GatewayConfigSchema } from '../src/config';

const ADMIN_TOKEN = 'test-admin-token-0123456789';
const FEED_MAX_BYTES = 512 * 1024;

const HEADER = ['id', 'title', 'description', 'link', 'image_link', 'availability', 'price', 'sale_price', 'brand', 'product_type', 'item_group_id', 'color', 'size'];
const tsv = (rows: string[][]) => [HEADER, ...rows].map((r) => r.join('\t')).join('\n') + '\n';
const tsvRow = (id: string, over: Partial<Record<string, string>> = {}) => {
  const base: Record<string, string> = {
    id,
    title: `Product ${id}`,
    description: 'Plain text.',
    link: `https://shop.example/${id}`,
    image_link: `https://shop.example/${id}.jpg`,
    availability: 'in_stock',
    price: '15.00 USD',
    sale_price: '',
    brand: 'Acme',
    product_type: 'Home > Kitchen > Mugs',
    item_group_id: '',
    color: '',
    size: '',
    ...over,
  };
  return HEADER.map((h) => base[h]);
};
const rssItem = (id: string, extra = '') =>
  `<item><g:id>${id}</g:id><g:title>Lamp ${id} &amp; shade</g:title><g:price>30.00 EUR</g:price><g:availability>out_of_stock</g:availability><g:product_type>Home &gt; Lighting</g:product_type>${extra}</item>\n`;
const rss = (items: string) =>
  `<?xml version="1.0" encoding="UTF-8"?>\n<rss version="2.0" xmlns:g="http://base.google.com/ns/1.0"><channel><title>Shop</title>\n${items}</channel></rss>\n`;
const atom = (entries: string) => `<?xml version="1.0"?>\n<feed xmlns="http://www.w3.org/2005/Atom" xmlns:g="http://base.google.com/ns/1.0"><title>Shop</title>\n${entries}</feed>\n`;

interface FeedAnswer {
  accepted: number;
  rejected: number;
  errors: Array<{ line?: number; index?: number; productId?: string; errors: Array<{ field: string; message: string }> }>;
}

describe('POST /v1/catalog/feed (Merchant Center feed → catalog.products.v1)', () => {
  let gateway: RunningService;
  let tap: KafkaTap<Product>;
  let keys: { writeKey: string; secretKey: string };
  const storeId = `t-${randomUUID().slice(0, 8)}`;

  const postFeed = (body: string | Buffer, contentType: string | undefined, headers: Record<string, string> = {}) =>
    fetch(`${gateway.url}/v1/catalog/feed`, {
      method: 'POST',
      headers: { 'x-api-key': keys.secretKey, ...(contentType ? { 'content-type': contentType } : {}), ...headers },
      body,
    });
  const landed = (ids: string[]) => tap.waitFor((m) => m.value.storeId === storeId && ids.includes(m.value.productId), ids.length);

  /** A chunked upload (no Content-Length), written piece by piece: what fetch cannot show. */
  const postChunked = (chunks: Buffer[], contentType: string) =>
    new Promise<{ status: number; body: string }>((resolve, reject) => {
      const url = new URL('/v1/catalog/feed', gateway.url);
      const req = httpRequest(url, { method: 'POST', headers: { 'x-api-key': keys.secretKey, 'content-type': contentType, 'transfer-encoding': 'chunked' } }, (res) => {
        let body = '';
        res.setEncoding('utf8');
        res.on('data', (c: string) => (body += c));
        res.on('end', () => resolve({ status: res.statusCode ?? 0, body }));
      });
      req.on('error', reject);
      for (const c of chunks) req.write(c);
      req.end();
    });

  beforeAll(async () => {
    const config = loadConfig(GatewayConfigSchema, testEnv({ ADMIN_TOKEN, CATALOG_FEED_MAX_BYTES: String(FEED_MAX_BYTES) }));
    gateway = await startTestService(AppModule.register(config), { bodyLimit: config.EVENTS_MAX_BODY_BYTES });
    tap = await KafkaTap.open<Product>(config.KAFKA_BROKERS, TOPICS.CatalogProducts);
    const res = await fetch(`${gateway.url}/admin/v1/stores/${storeId}/keys`, { method: 'POST', headers: { 'x-admin-token': ADMIN_TOKEN } });
    expect(res.status).toBe(201);
    keys = (await res.json()) as typeof keys;
  });

  afterAll(async () => {
    await tap?.close();
    await gateway?.close();
  });

  it('publishes the valid rows of a TSV feed, as POST /v1/catalog/products would, and reports the rest by line', async () => {
    const res = await postFeed(
      tsv([
        tsvRow('tsv-mug'),
        tsvRow('tsv-tee-m', { title: 'Tee M', price: '20.00 EUR', sale_price: '15.00 EUR', availability: 'preorder', product_type: 'Apparel > Tops', item_group_id: 'tsv-tee', color: 'red', size: 'M' }),
        tsvRow('tsv-bad', { price: 'cheap' }),
        tsvRow('tsv-gone', { availability: 'out_of_stock' }),
      ]),
      'text/tab-separated-values; charset=utf-8',
    );
    expect(res.status).toBe(202);
    const answer = (await res.json()) as FeedAnswer;
    expect(answer).toEqual({ accepted: 3, rejected: 1, errors: [{ line: 4, productId: 'tsv-bad', errors: [{ field: 'price', message: expect.stringMatching(/not a price/) }] }] });

    const messages = await landed(['tsv-mug', 'tsv-tee-m', 'tsv-gone']);
    const byId = new Map(messages.map((m) => [m.value.productId, m]));
    expect(byId.get('tsv-mug')?.key).toBe(`${storeId}:tsv-mug`);
    expect(byId.get('tsv-tee-m')?.value).toEqual({
      productId: 'tsv-tee-m',
      title: 'Tee M',
      description: 'Plain text.',
      brand: 'Acme',
      categories: ['Apparel > Tops'],
      price: 20,
      salePrice: 15,
      currency: 'EUR',
      imageUrl: 'https://shop.example/tsv-tee-m.jpg',
      inStock: true,
      variantGroupId: 'tsv-tee',
      attributes: { color: 'red', size: 'M', availability: 'preorder' },
      storeId,
      createdAt: expect.any(String),
      updatedAt: expect.any(String),
    });
    expect(byId.get('tsv-gone')?.value.inStock).toBe(false);
    expect(tap.messages.some((m) => m.value.storeId === storeId && m.value.productId === 'tsv-bad')).toBe(false);

    // The JSON route gives the same key and the same value for the same product.
    const mug = byId.get('tsv-mug')?.value as Product;
    const { storeId: _s, createdAt: _c, updatedAt: _u, ...input } = mug;
    const json = await fetch(`${gateway.url}/v1/catalog/products`, {
      method: 'POST',
      headers: { 'x-api-key': keys.secretKey, 'content-type': 'application/json' },
      body: JSON.stringify({ products: [{ ...input, productId: 'json-mug' }] }),
    });
    expect(json.status).toBe(202);
    const [viaJson] = await landed(['json-mug']);
    expect(viaJson.key).toBe(`${storeId}:json-mug`);
    expect(Object.keys(viaJson.value).sort()).toEqual(Object.keys(mug).sort());
    expect({ ...viaJson.value, productId: 'tsv-mug', createdAt: '', updatedAt: '' }).toEqual({ ...mug, createdAt: '', updatedAt: '' });
  });

  it('publishes an RSS 2.0 feed and an Atom feed', async () => {
    const res = await postFeed(rss(rssItem('rss-1') + rssItem('rss-2', '<g:item_group_id>lamps</g:item_group_id>') + rssItem('rss-bad&amp;') + '<item><g:id>rss-untitled</g:id></item>'), 'application/rss+xml');
    expect(res.status).toBe(202);
    const answer = (await res.json()) as FeedAnswer;
    expect(answer).toMatchObject({ accepted: 2, rejected: 2 });
    expect(answer.errors.map((e) => [e.index, e.productId, e.errors.map((x) => x.field)])).toEqual([
      [2, 'rss-bad&', ['id']],
      [3, 'rss-untitled', ['title', 'price', 'availability']],
    ]);
    const messages = await landed(['rss-1', 'rss-2']);
    expect(messages.find((m) => m.value.productId === 'rss-2')?.value).toMatchObject({
      title: 'Lamp rss-2 & shade',
      price: 30,
      currency: 'EUR',
      inStock: false,
      categories: ['Home > Lighting'],
      variantGroupId: 'lamps',
    });

    const entry = (id: string) => `<entry><title>Atom ${id}</title><link href="https://shop.example/${id}"/><g:id>${id}</g:id><g:price>9.99 GBP</g:price><g:availability>in_stock</g:availability></entry>\n`;
    const res2 = await postFeed(atom(entry('atom-1') + entry('atom-2')), 'application/atom+xml');
    expect(res2.status).toBe(202);
    expect(await res2.json()).toEqual({ accepted: 2, rejected: 0, errors: [] });
    const atoms = await landed(['atom-1', 'atom-2']);
    expect(atoms.map((m) => m.value.title).sort()).toEqual(['Atom atom-1', 'Atom atom-2']);
  });

  it('takes XML sent as text/xml, application/xml or text/plain, and a gzipped TSV', async () => {
    for (const [type, id] of [['text/xml', 'x-text'], ['application/xml', 'x-app'], ['text/plain', 'x-plain']]) {
      const res = await postFeed(rss(rssItem(id)), type);
      expect(res.status).toBe(202);
    }
    const gz = await postFeed(gzipSync(tsv([tsvRow('gz-1')])), 'text/tab-separated-values', { 'content-encoding': 'gzip' });
    expect(gz.status).toBe(202);
    await landed(['x-text', 'x-app', 'x-plain', 'gz-1']);
  });

  it('publishes a feed of thousands of products in parts, losing none', async () => {
    const ids = Array.from({ length: 2_500 }, (_, i) => `bulk-${i}`);
    const body = tsv(ids.map((id) => tsvRow(id)));
    expect(body.length).toBeLessThan(FEED_MAX_BYTES);
    const res = await postFeed(body, 'text/tab-separated-values');
    expect(res.status).toBe(202);
    expect(await res.json()).toEqual({ accepted: 2_500, rejected: 0, errors: [] });
    const messages = await tap.waitFor((m) => m.value.storeId === storeId && m.value.productId.startsWith('bulk-'), 2_500, 60_000);
    expect(new Set(messages.map((m) => m.value.productId)).size).toBe(2_500);
  });

  it('answers at most 100 item errors and counts them all', async () => {
    const res = await postFeed(tsv(Array.from({ length: 150 }, (_, i) => tsvRow(`nope-${i}`, { availability: 'soon' }))), 'text/tab-separated-values');
    expect(res.status).toBe(202);
    const answer = (await res.json()) as FeedAnswer;
    expect(answer.accepted).toBe(0);
    expect(answer.rejected).toBe(150);
    expect(answer.errors).toHaveLength(100);
  });

  describe('bad input gets a 4xx with a JSON error, never a 5xx, and lands nothing', () => {
    const doctype = `<?xml version="1.0"?><!DOCTYPE rss [<!ENTITY xxe SYSTEM "file:///etc/passwd">]>${rss(rssItem('hostile-1')).replace(/^<\?xml[^>]*>/, '')}`;
    const cases: Array<[string, () => Promise<Response>, number, RegExp]> = [
      ['no id column', () => postFeed('sku\ttitle\tprice\nhostile-2\tA\t1 USD\n', 'text/tab-separated-values'), 400, /lacks the id column/],
      ['a comma-separated file', () => postFeed('id,title,price\nhostile-3,A,1 USD\n', 'text/tab-separated-values'), 400, /not comma-separated/],
      ['an empty body', () => postFeed('', 'text/tab-separated-values'), 400, /empty/],
      ['malformed XML', () => postFeed(rss(rssItem('hostile-4')).slice(0, 200), 'application/xml'), 400, /Malformed XML/],
      ['a DOCTYPE with an external entity', () => postFeed(doctype, 'application/rss+xml'), 400, /DOCTYPE/],
      ['a billion laughs', () => postFeed(`<!DOCTYPE l [<!ENTITY a "aaaaaaaaaa"><!ENTITY b "&a;&a;&a;&a;&a;&a;&a;&a;&a;&a;">]><rss><channel><item><g:id>hostile-5</g:id><g:title>&b;</g:title></item></channel></rss>`, 'text/xml'), 400, /DOCTYPE/],
      ['deep nesting', () => postFeed(`<rss><channel><item>${'<a>'.repeat(50_000)}${'</a>'.repeat(50_000)}</item></channel></rss>`, 'application/xml'), 400, /XML/],
      ['not a feed', () => postFeed('<html><body>hi</body></html>', 'text/xml'), 400, /Not a Merchant Center feed/],
      ['binary garbage', () => postFeed(Buffer.from(Array.from({ length: 4_096 }, (_, i) => (i * 7919) % 256)), 'text/tab-separated-values'), 400, /binary|header/],
      ['a broken gzip', () => postFeed(Buffer.from('not gzip at all'), 'text/tab-separated-values', { 'content-encoding': 'gzip' }), 400, /compressed/],
      ['a body over the limit', () => postFeed(tsv([tsvRow('hostile-6', { description: 'd'.repeat(FEED_MAX_BYTES) })]), 'text/tab-separated-values'), 413, /too large/],
      ['a gzip bomb', () => postFeed(gzipSync(Buffer.alloc(FEED_MAX_BYTES * 4, 0x41)), 'text/tab-separated-values', { 'content-encoding': 'gzip' }), 413, /too large/],
      ['JSON', () => postFeed(JSON.stringify({ products: [] }), 'application/json'), 415, /content type/],
      ['CSV', () => postFeed('id,title\n', 'text/csv'), 415, /content type/],
      // A Buffer body, for fetch gives a string one text/plain.
      ['no content type', () => postFeed(Buffer.from('id\ttitle\n'), undefined), 415, /content type/],
      ['an unknown charset', () => postFeed('id\ttitle\n', 'text/plain; charset=klingon'), 415, /charset/],
      ['an unknown encoding', () => postFeed('id\ttitle\n', 'text/plain', { 'content-encoding': 'br' }), 415, /Content-Encoding/],
      ['no API key', () => postFeed(tsv([tsvRow('hostile-7')]), 'text/tab-separated-values', { 'x-api-key': '' }), 401, /API key/],
      ['a write key', () => postFeed(tsv([tsvRow('hostile-8')]), 'text/tab-separated-values', { 'x-api-key': keys.writeKey }), 403, /secret key/],
    ];

    it.each(cases)('%s', async (_, send, status, message) => {
      const res = await send();
      expect(res.status).toBe(status);
      const body = (await res.json()) as { statusCode: number; message: string; errors?: Array<{ field: string }> };
      expect(body.statusCode).toBe(status);
      expect(body.message).toMatch(message);
      expect(body.errors?.length).toBeGreaterThan(0);
    });

    it('refuses a chunked upload once it passes the limit', async () => {
      const chunk = Buffer.from(tsv([tsvRow('hostile-9', { description: 'c'.repeat(60_000) })]));
      const res = await postChunked(Array.from({ length: 12 }, () => chunk), 'text/tab-separated-values');
      expect(res.status).toBe(413);
      expect(JSON.parse(res.body)).toMatchObject({ statusCode: 413, errors: [{ field: '(body)' }] });
    });

    it('landed none of the refused feeds, and the JSON routes keep their limits', async () => {
      const marker = await postFeed(tsv([tsvRow('marker')]), 'text/tab-separated-values');
      expect(marker.status).toBe(202);
      await landed(['marker']);
      expect(tap.messages.some((m) => m.value.storeId === storeId && m.value.productId.startsWith('hostile-'))).toBe(false);

      const events = await fetch(`${gateway.url}/v1/events`, {
        method: 'POST',
        headers: { 'x-api-key': keys.writeKey, 'content-type': 'application/json' },
        body: JSON.stringify({ events: [{ blob: 'y'.repeat(1_100_000) }] }),
      });
      expect(events.status).toBe(413);
    });
  });
});
