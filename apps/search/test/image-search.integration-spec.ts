import { randomBytes } from 'node:crypto';
import http from 'node:http';
import type { AddressInfo } from 'node:net';
import { Module, type DynamicModule } from '@nestjs/common';
import type { Client } from '@opensearch-project/opensearch';
import { Type } from '@sinclair/typebox';
import { CommonConfig, OPENSEARCH, OpenSearchConfig, PlatformModule, loadConfig } from '@signal/platform';
import { startTestService, testEnv, uniqueStore, type RunningService } from '@signal/testing';
import { picture } from '../src/image/__tests__/images.fixture';
import { ImageSearchModule } from '../src/image/image-search.module';
import { ImageSearchService, type ImageSearchAnswer } from '../src/image/image-search.service';
import { ImageVectorStore } from '../src/image/image-vector-store';
import { dot } from '../src/image/vectors';

// Against the real OpenSearch with its k-NN plugin (Lucene HNSW), through the service's real
// HTTP stack (createService: only a JSON body parser, so image bodies arrive as raw streams).
const Schema = Type.Object({ ...CommonConfig, ...OpenSearchConfig });
const prefix = `test-img-${randomBytes(4).toString('hex')}-`;
const MAX_BYTES = 256 * 1024;

@Module({})
class ImageSearchTestModule {}

let service: RunningService;
let os: Client;
let images: ImageSearchService;
let index: string;
let imageServer: http.Server;
let imageBase: string;
const store = uniqueStore();
const otherStore = uniqueStore();

const dataUrl = (png: Buffer) => `data:image/png;base64,${png.toString('base64')}`;
// Three looks, a few variants each: size and shade change, the look stays.
const side = (i: number) => 64 + 12 * i;
const looks = {
  red: (i: number) => picture({ colour: ['#d04030', '#c83828', '#d84838', '#c04030'][i], width: side(i), height: side(i) }),
  blue: (i: number) => picture({ colour: ['#3050e0', '#2848d8', '#3858e8', '#3050d0'][i], square: '#f0f0f0', width: side(i), height: side(i) }),
  green: (i: number) => picture({ colour: ['#30a040', '#289838', '#38a848', '#30a848'][i], square: '#f0e020', width: side(i), height: side(i) }),
};

beforeAll(async () => {
  const config = loadConfig(Schema, testEnv({ LOG_LEVEL: 'error' }));
  // A tiny image host for http(s) image URLs: /ok.png, /missing.png (404), /slow.png (never answers).
  const served = await looks.green(0);
  imageServer = http.createServer((req, res) => {
    if (req.url === '/ok.png') return void res.writeHead(200, { 'content-type': 'image/png' }).end(served);
    if (req.url === '/slow.png') return; // hangs: the fetch timeout must fire
    res.writeHead(404).end('not found');
  });
  await new Promise<void>((resolve) => imageServer.listen(0, '127.0.0.1', resolve));
  imageBase = `http://127.0.0.1:${(imageServer.address() as AddressInfo).port}`;

  const module: DynamicModule = {
    module: ImageSearchTestModule,
    imports: [
      PlatformModule.forRoot({ service: 'search', settings: config, topics: [], opensearchUrl: config.OPENSEARCH_URL }),
      ImageSearchModule.register({ indexPrefix: prefix, maxImageBytes: MAX_BYTES, fetchTimeoutMs: 1500 }),
    ],
  };
  service = await startTestService(module);
  os = service.app.get<Client>(OPENSEARCH);
  const plugins = (await os.cat.plugins({ format: 'json' })).body as { component: string }[];
  if (!plugins.some((p) => /knn/i.test(p.component))) {
    throw new Error(`OpenSearch at ${config.OPENSEARCH_URL} has no k-NN plugin: restart the local infra (deploy/local/infra.sh down, then up) so it fetches the plugin`);
  }
  images = service.app.get(ImageSearchService);
  index = service.app.get(ImageVectorStore).index;

  for (const [look, make] of Object.entries(looks)) {
    for (let i = 0; i < 3; i++) {
      await expect(images.embedProduct(store, `${look}-${i}`, dataUrl(await make(i)))).resolves.toMatchObject({ status: 'embedded' });
    }
  }
  // Another store holds the very same red picture: it must never show up in `store`'s answers.
  await images.embedProduct(otherStore, 'red-elsewhere', dataUrl(await looks.red(0)));
  await os.indices.refresh({ index });
}, 120_000);

afterAll(async () => {
  await service?.close();
  await new Promise((resolve) => imageServer?.close(resolve));
  await os?.indices.delete({ index: `${prefix}*` }, { ignore: [404] }).catch(() => undefined);
});

const postImage = (body: Uint8Array | string, type: string, query = 'limit=3', storeId = store) =>
  fetch(`${service.url}/v1/stores/${storeId}/search/image?${query}`, { method: 'POST', headers: { 'content-type': type }, body });
const getSimilar = (productId: string, limit = 3, storeId = store) => fetch(`${service.url}/v1/stores/${storeId}/search/similar-looking?productId=${productId}&limit=${limit}`);
const ids = (a: ImageSearchAnswer) => a.items.map((i) => i.productId);

describe('search by image (OpenSearch k-NN)', () => {
  it('creates a knn_vector index on the Lucene engine', async () => {
    const mapping = (await os.indices.getMapping({ index })).body as Record<string, { mappings: { properties: { vector: { type: string; method: { engine: string; space_type: string } } } } }>;
    const vector = mapping[index].mappings.properties.vector;
    expect(vector.type).toBe('knn_vector');
    expect(vector.method).toMatchObject({ engine: 'lucene', space_type: 'cosinesimil' });
  });

  it('POST /v1/search/image answers the products that look like the picture, best first', async () => {
    const res = await postImage(await picture({ colour: '#d04030', format: 'jpeg', width: 100, height: 100 }), 'image/jpeg');
    expect(res.status).toBe(200);
    const body = (await res.json()) as ImageSearchAnswer;
    expect(body.searchId).toMatch(/^[0-9a-f-]{36}$/);
    expect(ids(body).sort()).toEqual(['red-0', 'red-1', 'red-2']);
    const scores = body.items.map((i) => i.score);
    expect(scores).toEqual([...scores].sort((a, b) => b - a));
    expect(scores[0]).toBeGreaterThan(0.9);
    expect(scores[0]).toBeLessThanOrEqual(1);
  });

  it('GET /v1/search/similar-looking answers look-alikes, never the product itself nor another store', async () => {
    for (const look of Object.keys(looks)) {
      const body = (await (await getSimilar(`${look}-0`, 2)).json()) as ImageSearchAnswer;
      expect(ids(body).sort()).toEqual([`${look}-1`, `${look}-2`]);
    }
    const all = (await (await getSimilar('red-0', 50)).json()) as ImageSearchAnswer;
    expect(all.items).toHaveLength(8);
    expect(ids(all)).not.toContain('red-0');
    expect(ids(all)).not.toContain('red-elsewhere');
    const elsewhere = (await (await getSimilar('red-elsewhere', 5, otherStore)).json()) as ImageSearchAnswer;
    expect(elsewhere.items).toEqual([]); // alone in its store
  });

  it('ranks like an exact cosine scan of the stored vectors', async () => {
    const vectors = new Map<string, number[]>();
    for (const look of Object.keys(looks)) for (let i = 0; i < 3; i++) vectors.set(`${look}-${i}`, (await service.app.get(ImageVectorStore).get(store, `${look}-${i}`))?.vector ?? []);
    const query = vectors.get('blue-1') ?? [];
    const exact = [...vectors].filter(([id]) => id !== 'blue-1').map(([id, v]) => ({ id, s: dot(query, v) })).sort((a, b) => b.s - a.s);
    const body = (await (await getSimilar('blue-1', 8)).json()) as ImageSearchAnswer;
    expect(ids(body)).toEqual(exact.map((e) => e.id));
    body.items.forEach((item, i) => expect(item.score).toBeCloseTo(exact[i].s, 3));
  });

  it('refuses broken, empty, oversized and non-image bodies with a 4xx, never a 5xx', async () => {
    const png = await looks.red(0);
    const cases: [Uint8Array | string, string, number][] = [
      [png.subarray(0, 50), 'image/png', 400],
      [Buffer.concat([png.subarray(0, 16), Buffer.alloc(500, 1)]), 'image/png', 400],
      [new Uint8Array(0), 'image/png', 400],
      [Buffer.alloc(MAX_BYTES + 1, 0xff), 'image/jpeg', 413],
      [await picture({ width: 9000, height: 9000 }), 'image/png', 413], // 81 Mpx in a small file
      ['GIF89a not supported', 'image/gif', 415],
      ['hello', 'image/webp', 415],
      ['{"a":1}', 'application/json', 415],
    ];
    for (const [body, type, status] of cases) {
      const res = await postImage(body, type);
      const json = (await res.json()) as { statusCode: number; message: string };
      expect({ type, status: res.status }).toEqual({ type, status });
      expect(json.statusCode).toBe(status);
      expect(json.message.length).toBeGreaterThan(5);
    }
    expect((await postImage(png, 'image/png', '', 'NOPE')).status).toBe(400);
    expect((await fetch(`${service.url}/v1/stores/${store}/search/similar-looking`)).status).toBe(400);
  });

  it('embedProduct fetches http(s) images, skips an unchanged URL, and drops the vector of a broken one', async () => {
    await expect(images.embedProduct(store, 'served', `${imageBase}/ok.png`)).resolves.toMatchObject({ status: 'embedded' });
    await expect(images.embedProduct(store, 'served', `${imageBase}/ok.png`)).resolves.toEqual({ status: 'unchanged' });
    await expect(images.embedProduct(store, 'served', `${imageBase}/slow.png`)).resolves.toMatchObject({ status: 'rejected', transient: true });
    expect(await service.app.get(ImageVectorStore).get(store, 'served')).not.toBeNull(); // kept: may heal
    await expect(images.embedProduct(store, 'served', `${imageBase}/missing.png`)).resolves.toMatchObject({ status: 'rejected', transient: false });
    expect(await service.app.get(ImageVectorStore).get(store, 'served')).toBeNull();
    await images.embedProduct(store, 'gone', dataUrl(await looks.red(3)));
    await images.removeProduct(store, 'gone');
    await os.indices.refresh({ index });
    const body = (await (await getSimilar('red-0', 50)).json()) as ImageSearchAnswer;
    expect(ids(body)).not.toContain('gone');
    expect(ids(body)).not.toContain('served');
  });
});
