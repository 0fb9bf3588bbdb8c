import { HttpException } from '@nestjs/common';
import { loadConfig } from '@signal/platform';
import { createServer, type Server } from 'node:http';
import type { AddressInfo } from 'node:net';
import { setTimeout as sleep } from 'node:timers/promises';
import { FakeUpstream, sendJson } from '../../../test/fake-upstream';
import { GatewayConfigSchema } from '../../config';
import { ProfileClient } from '../profile-client';
import { upstreamPath, type UpstreamCall } from '../upstream-client';

const configFor = (url: string) =>
  loadConfig(GatewayConfigSchema, { ADMIN_TOKEN: 'x'.repeat(16), PROFILE_URL: url, UPSTREAM_TIMEOUT_MS: '100', UPSTREAM_SLOW_TIMEOUT_MS: '1000' });
const get = (path: string, over: Partial<UpstreamCall> = {}): UpstreamCall => ({ method: 'GET', storeId: 's1', path, ...over });

describe('ProfileClient', () => {
  let upstream: FakeUpstream;
  let client: ProfileClient;
  // A bare HTTP server in front of pipe(), answering HttpExceptions the way Nest's filter does.
  let front: Server;
  let call: UpstreamCall;

  const through = async (c: UpstreamCall) => {
    call = c;
    return fetch(`http://127.0.0.1:${(front.address() as AddressInfo).port}/`);
  };

  beforeAll(async () => {
    upstream = await FakeUpstream.start();
    client = new ProfileClient(configFor(upstream.url));
    front = createServer((_req, res) => {
      client.pipe(call, res).catch((e: unknown) => {
        const status = e instanceof HttpException ? e.getStatus() : 500;
        sendJson(res, status, e instanceof HttpException ? e.getResponse() : { statusCode: 500 });
      });
    });
    await new Promise<void>((resolve) => front.listen(0, '127.0.0.1', resolve));
  });

  afterEach(() => upstream.reset());

  afterAll(async () => {
    front.closeAllConnections();
    await new Promise((resolve) => front.close(resolve));
    await upstream.close();
  });

  it('forwards method, store, path, query, JSON body and request id, and passes the answer through', async () => {
    const query = new URLSearchParams({ limit: '2', after: 'p 1&x' });
    const res = await through({ method: 'POST', storeId: 's1', path: '/segments/preview', query, body: { rule: { all: [] } }, requestId: 'req-7' });
    expect(res.status).toBe(200);
    expect(res.headers.get('content-type')).toBe('application/json; charset=utf-8');
    expect(await res.json()).toEqual({ method: 'POST', url: '/v1/stores/s1/segments/preview?limit=2&after=p+1%26x', body: { rule: { all: [] } } });
    expect(upstream.last.headers).toMatchObject({ 'content-type': 'application/json', 'x-request-id': 'req-7', 'accept-encoding': 'identity' });
    expect(upstream.last.headers['x-api-key']).toBeUndefined();
  });

  it('keeps the upstream status and body of a 4xx', async () => {
    upstream.reply = (_, res) => sendJson(res, 404, { statusCode: 404, error: 'Not Found', message: 'No such segment' });
    const res = await through(get('/segments/nope'));
    expect(res.status).toBe(404);
    expect(await res.json()).toEqual({ statusCode: 404, error: 'Not Found', message: 'No such segment' });
  });

  it('passes a 204 through without a body', async () => {
    upstream.reply = (_, res) => res.writeHead(204).end();
    const res = await through({ ...get('/segments/s'), method: 'DELETE' });
    expect(res.status).toBe(204);
    expect(await res.text()).toBe('');
  });

  it('streams a CSV through, headers included, for as long as it keeps flowing', async () => {
    const rows = ['profileId,email\n', 'p1,a@example.com\n', 'p2,b@example.com\n', 'p3,c@example.com\n'];
    upstream.reply = async (_, res) => {
      res.writeHead(200, { 'content-type': 'text/csv; charset=utf-8', 'content-disposition': 'attachment; filename="vip.csv"' });
      // 4 × 60 ms: longer than the 100 ms timeout in all, never silent that long.
      for (const row of rows) {
        res.write(row);
        await sleep(60);
      }
      res.end();
    };
    const res = await through(get(upstreamPath`/segments/${'vip'}/export.csv`));
    expect(res.status).toBe(200);
    expect(res.headers.get('content-type')).toBe('text/csv; charset=utf-8');
    expect(res.headers.get('content-disposition')).toBe('attachment; filename="vip.csv"');
    expect(await res.text()).toBe(rows.join(''));
    expect(upstream.last.url).toBe('/v1/stores/s1/segments/vip/export.csv');
  });

  it('cuts the connection when a streamed answer stalls after its headers', async () => {
    upstream.reply = (_, res) => {
      res.writeHead(200, { 'content-type': 'text/csv' });
      res.write('profileId\n');
    };
    const res = await through(get('/segments/s/export.csv'));
    expect(res.status).toBe(200);
    await expect(res.text()).rejects.toThrow();
  });

  it('answers 504 when the upstream is silent past UPSTREAM_TIMEOUT_MS', async () => {
    upstream.reply = () => undefined;
    const started = Date.now();
    const res = await through(get('/profiles/p1'));
    expect(res.status).toBe(504);
    expect(await res.json()).toEqual({ statusCode: 504, error: 'Gateway Timeout', message: 'Profile service did not answer in time' });
    expect(Date.now() - started).toBeLessThan(1_000);
  });

  it('gives slow calls UPSTREAM_SLOW_TIMEOUT_MS instead', async () => {
    upstream.reply = async (_, res) => {
      await sleep(300);
      sendJson(res, 200, { count: 3 });
    };
    expect((await through(get('/segments/preview'))).status).toBe(504);
    const res = await through(get('/segments/preview', { slow: true }));
    expect(res.status).toBe(200);
    expect(await res.json()).toEqual({ count: 3 });
  });

  it.each([500, 503])('answers 502 to a %i, keeping the upstream error body to itself', async (status) => {
    upstream.reply = (_, res) => sendJson(res, status, { stack: 'at secret (/srv/profile.js:1)' });
    const res = await through(get('/settings'));
    expect(res.status).toBe(502);
    expect(await res.json()).toEqual({ statusCode: 502, error: 'Bad Gateway', message: `Profile service failed (${status})` });
  });

  it('answers 502 to a redirect instead of following it', async () => {
    upstream.reply = (_, res) => res.writeHead(302, { location: `${upstream.url}/elsewhere` }).end();
    const res = await through(get('/settings'));
    expect(res.status).toBe(502);
    expect(upstream.received).toHaveLength(1);
  });

  it('answers 502 when the upstream refuses the connection', async () => {
    const closed = createServer();
    await new Promise<void>((resolve) => closed.listen(0, '127.0.0.1', resolve));
    const { port } = closed.address() as AddressInfo;
    await new Promise((resolve) => closed.close(resolve));
    const refused = new ProfileClient(configFor(`http://127.0.0.1:${port}`));
    await expect(refused.json(get('/settings'))).rejects.toMatchObject({ status: 502, response: { message: 'Profile service unreachable' } });
  });

  describe('ids are hostile input', () => {
    it.each([
      ['../', '..%2F'],
      ['..%2F', '..%252F'],
      ['a/b?c=1#d', 'a%2Fb%3Fc%3D1%23d'],
      ['%2e%2e', '%252e%252e'],
      ['with space', 'with%20space'],
      ['é€', '%C3%A9%E2%82%AC'],
    ])('%s reaches the upstream as one encoded segment', async (id, encoded) => {
      await through(get(upstreamPath`/profiles/${id}/segments`));
      expect(upstream.last.url).toBe(`/v1/stores/s1/profiles/${encoded}/segments`);
    });

    it('encodes the store id as well', async () => {
      await through(get('/settings', { storeId: 'a/../b' }));
      expect(upstream.last.url).toBe('/v1/stores/a%2F..%2Fb/settings');
    });

    it.each(['', '.', '..'])('refuses %j, which would change the path', (id) => {
      expect(() => upstreamPath`/profiles/${id}`).toThrow(expect.objectContaining({ status: 400 }));
    });
  });

  describe('json()', () => {
    it('reads a JSON answer, whatever its status', async () => {
      upstream.reply = (_, res) => sendJson(res, 422, { message: 'unknown question' });
      await expect(client.json(get('/quizzes/q/responses'))).resolves.toEqual({ status: 422, body: { message: 'unknown question' } });
    });

    it('answers 502 to a 2xx that is not JSON, and tells of a 4xx that is not with a null body', async () => {
      upstream.reply = (_, res) => res.writeHead(200, { 'content-type': 'text/plain' }).end('ok');
      await expect(client.json(get('/x'))).rejects.toMatchObject({ status: 502 });
      upstream.reply = (_, res) => res.writeHead(400, { 'content-type': 'text/plain' }).end('bad');
      await expect(client.json(get('/x'))).resolves.toEqual({ status: 400, body: null });
    });

    it('answers 504 when the body stalls', async () => {
      upstream.reply = (_, res) => {
        res.writeHead(200, { 'content-type': 'application/json' });
        res.write('{"events": [');
      };
      await expect(client.json(get('/x'))).rejects.toMatchObject({ status: 504 });
    });
  });
});
