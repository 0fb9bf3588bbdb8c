import { randomUUID } from 'node:crypto';
import { loadConfig } from '@signal/platform';
import { startTestService, testEnv, type RunningService } from '@signal/testing';
import { AppModule } from '../src/app.module';
import { GatewayConfigSchema } from '../src/config';
import { FakeUpstream, sendJson } from './fake-upstream';

const ADMIN_TOKEN = 'test-admin-token-0123456789';
// The smallest valid PNG: a 1×1 transparent pixel.
const PNG = Buffer.from('iVBORw0KGgoAAAANSUhEUgAAAAEAAAABCAQAAAC1HAwCAAAAC0lEQVR42mNkYAAAAAYAAjCB0C8AAAAASUVORK5CYII=', 'base64');

describe('search (gateway → search service)', () => {
  let gateway: RunningService;
  let search: FakeUpstream;
  const store = `t-${randomUUID().slice(0, 8)}`;
  let keys: { writeKey: string; secretKey: string };

  const call = (method: string, path: string, key: string | undefined, body?: Buffer | string, type?: string) =>
    fetch(`${gateway.url}${path}`, { method, headers: { ...(key ? { 'x-api-key': key } : {}), ...(type ? { 'content-type': type } : {}) }, body });

  beforeAll(async () => {
    search = await FakeUpstream.start();
    const config = loadConfig(GatewayConfigSchema, testEnv({ ADMIN_TOKEN, SEARCH_URL: search.url, SEARCH_TIMEOUT_MS: '500', SEARCH_IMAGE_MAX_BYTES: '4096' }));
    gateway = await startTestService(AppModule.register(config), { bodyLimit: config.EVENTS_MAX_BODY_BYTES });
    const res = await fetch(`${gateway.url}/admin/v1/stores/${store}/keys`, { method: 'POST', headers: { 'x-admin-token': ADMIN_TOKEN } });
    keys = (await res.json()) as typeof keys;
  });
  afterEach(() => search.reset());
  afterAll(async () => {
    await gateway?.close();
    await search?.close();
  });

  it('passes a checked search to the key\'s store, filters repeated so values keep their commas', async () => {
    search.reply = (_, res) => sendJson(res, 200, { searchId: 's1', hits: [] });
    const res = await call('GET', '/v1/search?q=red%20mug&brand=Smith%2C%20Jones&brand=Acme&sort=price_asc&storeId=someone-else', keys.writeKey);
    expect(res.status).toBe(200);
    expect(await res.json()).toEqual({ searchId: 's1', hits: [] });
    expect(search.last.url).toBe(`/v1/stores/${store}/search?q=red+mug&page=1&pageSize=24&sort=price_asc&explain=false&brand=Smith%2C+Jones&brand=Acme`);
  });

  it('refuses a bad search before calling, naming the field', async () => {
    const res = await call('GET', '/v1/search?q=x&pageSize=1000', keys.writeKey);
    expect(res.status).toBe(400);
    expect(((await res.json()) as { errors: { field: string }[] }).errors[0].field).toBe('pageSize');
    expect(search.received).toHaveLength(0);
  });

  it('autocomplete takes the write key; without one it is a 401', async () => {
    search.reply = (_, res) => sendJson(res, 200, { suggestions: [] });
    expect((await call('GET', '/v1/autocomplete?q=re', keys.writeKey)).status).toBe(200);
    expect(search.last.url).toBe(`/v1/stores/${store}/autocomplete?q=re&limit=8`);
    expect((await call('GET', '/v1/autocomplete?q=re', undefined)).status).toBe(401);
  });

  it('forwards an image as bytes with its type; refuses other types, empty and oversized bodies', async () => {
    search.reply = (_, res) => sendJson(res, 200, { items: [] });
    expect((await call('POST', '/v1/search/image?limit=5', keys.writeKey, PNG, 'image/png')).status).toBe(200);
    expect(search.last.method).toBe('POST');
    expect(search.last.url).toBe(`/v1/stores/${store}/search/image?limit=5`);
    expect(search.last.headers['content-type']).toBe('image/png');
    expect(search.last.raw.equals(PNG)).toBe(true);
    search.reset();
    expect((await call('POST', '/v1/search/image', keys.writeKey, 'not an image', 'text/plain')).status).toBe(400);
    expect((await call('POST', '/v1/search/image', keys.writeKey, Buffer.alloc(0), 'image/png')).status).toBe(400);
    expect((await call('POST', '/v1/search/image', keys.writeKey, Buffer.alloc(5000, 1), 'image/jpeg')).status).toBe(413);
    expect(search.received).toHaveLength(0);
  });

  it('synonyms, rewrites and the report need the secret key', async () => {
    search.reply = (req, res) => sendJson(res, 200, { method: req.method, body: req.body ? (JSON.parse(req.body) as unknown) : null });
    expect((await call('PUT', '/v1/search/synonyms', keys.writeKey, '{"sets":[]}', 'application/json')).status).toBe(403);
    const put = await call('PUT', '/v1/search/synonyms', keys.secretKey, '{"sets":[["tee","t-shirt"]]}', 'application/json');
    expect(put.status).toBe(200);
    expect(search.last.url).toBe(`/v1/stores/${store}/search/synonyms`);
    expect(await put.json()).toEqual({ method: 'PUT', body: { sets: [['tee', 't-shirt']] } });
    expect((await call('GET', '/v1/search/report?limit=5', keys.secretKey)).status).toBe(200);
    expect(search.last.url).toBe(`/v1/stores/${store}/search/report?limit=5`);
    expect((await call('DELETE', '/v1/search/rewrites?from=tshrt', keys.secretKey)).status).toBe(200);
    expect(search.last.url).toBe(`/v1/stores/${store}/search/rewrites?from=tshrt`);
  });

  it('a search service that does not answer in time is a 504, one that fails a 502', async () => {
    search.reply = () => undefined;
    expect((await call('GET', '/v1/search?q=x', keys.writeKey)).status).toBe(504);
    search.reply = (_, res) => sendJson(res, 500, { secret: 'stack trace' });
    const res = await call('GET', '/v1/search?q=x', keys.writeKey);
    expect(res.status).toBe(502);
    expect(await res.text()).not.toContain('stack trace');
  });
});
