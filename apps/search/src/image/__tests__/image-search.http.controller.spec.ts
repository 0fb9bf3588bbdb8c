import http, { type Server } from 'node:http';
import type { AddressInfo } from 'node:net';
import type { INestApplication } from '@nestjs/common';
import { Test } from '@nestjs/testing';
import request from 'supertest';
import { IMAGE_DECODE_LIMITS, ImageEmbedder } from '../image-embedder';
import { IMAGE_SEARCH_OPTIONS, type ImageSearchOptions } from '../image-search.options';
import { ImageSearchHttpController } from '../image-search.http.controller';
import { ImageSearchService } from '../image-search.service';
import { ImageVectorStore, KnnUnavailableError, type ImageNeighbour, type StoredImageVector } from '../image-vector-store';
import { dot } from '../vectors';
import { picture } from './images.fixture';

/** The vector store in memory: exact cosine ranking, enough to test the HTTP side. */
class MemoryVectorStore {
  readonly docs = new Map<string, StoredImageVector & { storeId: string; productId: string }>();
  async ensure() {
    return undefined;
  }
  async upsert(storeId: string, productId: string, vector: Float32Array, meta: { imageUrlHash: string; model: string }) {
    this.docs.set(`${storeId}|${productId}`, { storeId, productId, vector: Array.from(vector), ...meta });
  }
  async remove(storeId: string, productId: string) {
    this.docs.delete(`${storeId}|${productId}`);
  }
  async get(storeId: string, productId: string) {
    return this.docs.get(`${storeId}|${productId}`) ?? null;
  }
  async nearest(storeId: string, vector: ArrayLike<number>, k: number, exclude?: string): Promise<ImageNeighbour[]> {
    return [...this.docs.values()]
      .filter((d) => d.storeId === storeId && d.productId !== exclude)
      .map((d) => ({ productId: d.productId, score: dot(vector, d.vector) }))
      .sort((a, b) => b.score - a.score)
      .slice(0, k);
  }
}

const options: ImageSearchOptions = { indexPrefix: 'unit-', maxImageBytes: 64 * 1024, maxImagePixels: 4_000_000, fetchTimeoutMs: 1000 };
const dataUrl = (bytes: Buffer) => `data:image/png;base64,${bytes.toString('base64')}`;
const UUID = /^[0-9a-f]{8}-[0-9a-f]{4}-4[0-9a-f]{3}-[89ab][0-9a-f]{3}-[0-9a-f]{12}$/;

describe('ImageSearchHttpController', () => {
  let app: INestApplication;
  let service: ImageSearchService;
  let store: MemoryVectorStore;
  let red: Buffer;

  beforeAll(async () => {
    const moduleRef = await Test.createTestingModule({
      controllers: [ImageSearchHttpController],
      providers: [
        { provide: IMAGE_SEARCH_OPTIONS, useValue: options },
        { provide: IMAGE_DECODE_LIMITS, useValue: { maxBytes: options.maxImageBytes, maxPixels: options.maxImagePixels } },
        ImageEmbedder,
        { provide: ImageVectorStore, useClass: MemoryVectorStore },
        ImageSearchService,
      ],
    }).compile();
    app = moduleRef.createNestApplication({ logger: false });
    await app.init();
    service = app.get(ImageSearchService);
    store = app.get(ImageVectorStore);
    await app.get(ImageEmbedder).ready();
    red = await picture({ colour: '#d04030' });
    await service.embedProduct('shop', 'red-1', dataUrl(red));
    await service.embedProduct('shop', 'red-2', dataUrl(await picture({ colour: '#c84838', width: 70 })));
    await service.embedProduct('shop', 'blue-1', dataUrl(await picture({ colour: '#3050e0', square: '#f0f0f0', height: 120 })));
    await service.embedProduct('other-shop', 'red-x', dataUrl(red));
  }, 60_000);

  afterAll(() => app?.close());

  const post = (body: Buffer | string, type?: string, query = 'limit=2', storeId = 'shop') => {
    const r = request(app.getHttpServer()).post(`/v1/stores/${storeId}/search/image?${query}`);
    return type ? r.set('Content-Type', type).send(body) : r.send(body);
  };

  it('answers the closest products of the store for an uploaded picture', async () => {
    const res = await post(await picture({ colour: '#d04030', format: 'jpeg' }), 'image/jpeg').expect(200);
    expect(res.body.searchId).toMatch(UUID);
    expect(res.body.items).toHaveLength(2);
    expect(res.body.items.map((i: ImageNeighbour) => i.productId).sort()).toEqual(['red-1', 'red-2']);
    expect(res.body.items[0].score).toBeGreaterThan(0.9);
  });

  it('answers look-alikes of a product, never the product itself nor another store', async () => {
    const res = await request(app.getHttpServer()).get('/v1/stores/shop/search/similar-looking?productId=red-1&limit=5').expect(200);
    expect(res.body.searchId).toMatch(UUID);
    expect(res.body.items.map((i: ImageNeighbour) => i.productId)).toEqual(['red-2', 'blue-1']);
    const unknown = await request(app.getHttpServer()).get('/v1/stores/shop/search/similar-looking?productId=nope').expect(200);
    expect(unknown.body.items).toEqual([]);
  });

  it.each([
    ['an empty body', Buffer.alloc(0), 'image/png', 400],
    ['a truncated PNG', 'truncated', 'image/png', 400],
    ['text sent as an image', Buffer.from('definitely not a picture'), 'image/jpeg', 415],
    ['a picture sent as text/plain', 'red', 'text/plain', 415],
    ['JSON', Buffer.from('{"image":"x"}'), 'application/json', 415],
    ['no content type', 'red', undefined, 415],
    ['a body over the limit', Buffer.alloc(options.maxImageBytes + 1, 0xff), 'image/png', 413],
  ] as const)('refuses %s with a clear %i', async (_name, body, type, status) => {
    const bytes = body === 'red' ? red : body === 'truncated' ? red.subarray(0, 60) : body;
    const res = await post(bytes, type);
    expect(res.status).toBe(status);
    expect(res.body).toMatchObject({ statusCode: status, message: expect.any(String) });
  });

  it('refuses an over-limit upload sent chunked (no Content-Length) with 413', async () => {
    const server = app.getHttpServer() as Server;
    if (!server.listening) await new Promise<void>((resolve) => server.listen(0, '127.0.0.1', resolve));
    const { port } = server.address() as AddressInfo;
    const status = await new Promise<number | undefined>((resolve, reject) => {
      const req = http.request({ host: '127.0.0.1', port, method: 'POST', path: '/v1/stores/shop/search/image', headers: { 'content-type': 'image/png' } }, (res) => {
        res.resume();
        resolve(res.statusCode);
      });
      req.on('error', (e) => reject(e)); // only matters before the answer came
      for (let i = 0; i < 12; i++) req.write(Buffer.alloc(8 * 1024, 0x89));
      req.end();
    });
    expect(status).toBe(413);
  });

  it('refuses bad parameters with 400 naming the field', async () => {
    const bad = async (path: string, field: string) => {
      const res = await request(app.getHttpServer()).post(path).set('Content-Type', 'image/png').send(red);
      expect(res.status).toBe(400);
      expect(res.body.errors.map((e: { field: string }) => e.field)).toContain(field);
    };
    await bad('/v1/stores/Not%20A%20Store/search/image', 'storeId');
    await bad('/v1/stores/shop/search/image?limit=0', 'limit');
    await bad('/v1/stores/shop/search/image?limit=51', 'limit');
    await bad('/v1/stores/shop/search/image?colour=red', 'colour');
    const res = await request(app.getHttpServer()).get('/v1/stores/shop/search/similar-looking').expect(400);
    expect(res.body.errors.map((e: { field: string }) => e.field)).toContain('productId');
  });

  it('embeds products idempotently and drops the vector of a product whose image breaks', async () => {
    await expect(service.embedProduct('shop', 'red-1', dataUrl(red))).resolves.toEqual({ status: 'unchanged' });
    await expect(service.embedProduct('shop', 'red-2', 'data:image/png;base64,AAAA')).resolves.toMatchObject({ status: 'rejected', transient: false });
    expect(store.docs.has('shop|red-2')).toBe(false);
  });
});

describe('ImageSearchHttpController without k-NN in the cluster', () => {
  let app: INestApplication;

  beforeAll(async () => {
    class NoKnnStore extends MemoryVectorStore {
      override async ensure(): Promise<undefined> {
        throw new KnnUnavailableError('unknown setting [index.knn]');
      }
    }
    const moduleRef = await Test.createTestingModule({
      controllers: [ImageSearchHttpController],
      providers: [{ provide: IMAGE_SEARCH_OPTIONS, useValue: options }, ImageEmbedder, { provide: ImageVectorStore, useClass: NoKnnStore }, ImageSearchService],
    }).compile();
    app = moduleRef.createNestApplication({ logger: false });
    await app.init(); // starts: text search must not go down with image search
  });

  afterAll(() => app?.close());

  it('answers 503 naming the missing plugin, and embedProduct reports itself disabled', async () => {
    const res = await request(app.getHttpServer()).post('/v1/stores/shop/search/image').set('Content-Type', 'image/png').send(await picture());
    expect(res.status).toBe(503);
    expect(res.body.message).toMatch(/k-NN plugin/);
    await request(app.getHttpServer()).get('/v1/stores/shop/search/similar-looking?productId=a').expect(503);
    await expect(app.get(ImageSearchService).embedProduct('shop', 'a', 'data:image/png;base64,AAAA')).resolves.toMatchObject({ status: 'disabled' });
  });
});
