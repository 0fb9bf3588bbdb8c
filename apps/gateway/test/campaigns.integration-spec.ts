import { randomUUID } from 'node:crypto';
import { request } from 'node:http';
import { loadConfig } from '@signal/platform';
import { startTestService, testEnv, type RunningService } from '@signal/testing';
import { AppModule } from '../src/app.module';
import { GatewayConfigSchema } from '../src/config';
import { FakeUpstream, sendJson } from './fake-upstream';

const ADMIN_TOKEN = 'test-admin-token-0123456789';
const TIMEOUT_MS = 200;

const shown = (placement = 'popup') => ({ decisionId: randomUUID(), placement, content: { campaignId: 'c1', variantId: 'v1', kind: 'signup', title: 'Join us' }, reason: 'shown' });

describe('campaign routes (gateway → campaign service)', () => {
  let gateway: RunningService;
  let campaign: FakeUpstream;
  const store = `t-${randomUUID().slice(0, 8)}`;
  let keys: { writeKey: string; secretKey: string };

  const call = (method: string, path: string, headers: Record<string, string> = {}, body?: string) => fetch(`${gateway.url}${path}`, { method, headers, body, redirect: 'manual' });
  /** A request whose path goes out byte for byte as written. */
  const rawStatus = (path: string, headers: Record<string, string>) =>
    new Promise<number>((resolve, reject) => {
      const url = new URL(gateway.url);
      request({ host: url.hostname, port: url.port, path, headers }, (res) => {
        res.resume();
        resolve(res.statusCode ?? 0);
      })
        .on('error', reject)
        .end();
    });
  const withKey = (key = keys.writeKey) => ({ 'x-api-key': key });
  const admin = { 'x-admin-token': ADMIN_TOKEN };
  const json = { 'content-type': 'application/json' };

  beforeAll(async () => {
    campaign = await FakeUpstream.start();
    const config = loadConfig(GatewayConfigSchema, testEnv({ ADMIN_TOKEN, CAMPAIGN_URL: campaign.url, DECISIONS_TIMEOUT_MS: String(TIMEOUT_MS), UPSTREAM_TIMEOUT_MS: '1000' }));
    gateway = await startTestService(AppModule.register(config), { bodyLimit: config.EVENTS_MAX_BODY_BYTES });
    const res = await fetch(`${gateway.url}/admin/v1/stores/${store}/keys`, { method: 'POST', headers: admin });
    expect(res.status).toBe(201);
    keys = (await res.json()) as typeof keys;
  });

  afterEach(() => campaign.reset());

  afterAll(async () => {
    await gateway?.close();
    await campaign?.close();
  });

  describe('GET /v1/decisions', () => {
    it("passes the answer through, asked for the key's store with the checked query", async () => {
      const answer = shown();
      campaign.reply = (_, res) => sendJson(res, 200, answer);
      const res = await call('GET', '/v1/decisions?placement=popup&anonymousId=a1&page=%2Fcart', { ...withKey(), 'x-request-id': 'req-dec-1' });
      expect(res.status).toBe(200);
      expect(await res.json()).toEqual(answer);
      expect(campaign.last.url).toBe(`/v1/stores/${store}/decisions?placement=popup&anonymousId=a1&page=%2Fcart`);
      expect(campaign.last.headers['x-request-id']).toBe('req-dec-1');
      expect(campaign.last.headers['x-api-key']).toBeUndefined();
    });

    it('needs a key, and refuses a bad query with 400 without calling', async () => {
      expect((await call('GET', '/v1/decisions?placement=popup&anonymousId=a1')).status).toBe(401);
      for (const q of ['anonymousId=a1', 'placement=popup', 'placement=popup&anonymousId=a1&storeId=other', `placement=popup&anonymousId=${'a'.repeat(200)}`]) {
        expect({ q, status: (await call('GET', `/v1/decisions?${q}`, withKey())).status }).toEqual({ q, status: 400 });
      }
      expect(campaign.received).toHaveLength(0);
    });

    it('answers 200 with nothing to show when the campaign service is slow, failing or gone', async () => {
      campaign.reply = async (_, res) => {
        await new Promise((r) => setTimeout(r, TIMEOUT_MS * 3));
        sendJson(res, 200, shown());
      };
      const started = Date.now();
      const slow = await call('GET', '/v1/decisions?placement=popup&anonymousId=a1', withKey());
      expect(slow.status).toBe(200);
      expect(await slow.json()).toMatchObject({ placement: 'popup', content: null, reason: 'campaign service unavailable' });
      expect(Date.now() - started).toBeLessThan(TIMEOUT_MS * 3);

      campaign.reply = (_, res) => sendJson(res, 500, { message: 'boom' });
      expect(await (await call('GET', '/v1/decisions?placement=popup&anonymousId=a1', withKey())).json()).toMatchObject({ content: null, reason: 'campaign service unavailable' });

      campaign.reply = (_, res) => sendJson(res, 200, { items: [] });
      expect(await (await call('GET', '/v1/decisions?placement=popup&anonymousId=a1', withKey())).json()).toMatchObject({ content: null });
    });
  });

  describe('decision events and the VAPID key', () => {
    it('forwards an event to the decision of the key\'s store, with its body', async () => {
      const id = randomUUID();
      const res = await call('POST', `/v1/decisions/${id}/events`, { ...withKey(), ...json }, JSON.stringify({ type: 'click' }));
      expect(res.status).toBe(200);
      expect(campaign.last).toMatchObject({ method: 'POST', url: `/v1/stores/${store}/decisions/${id}/events`, body: '{"type":"click"}' });
      expect((await call('POST', `/v1/decisions/${id}/events`, withKey())).status).toBe(400);
    });

    it('answers 502 with a clear message when the campaign service fails on an event', async () => {
      campaign.reply = (_, res) => sendJson(res, 503, {});
      const failed = await call('POST', `/v1/decisions/${randomUUID()}/events`, { ...withKey(), ...json }, '{"type":"impression"}');
      expect(failed.status).toBe(502);
      expect(await failed.json()).toMatchObject({ message: 'Campaign service failed (503)' });
    });

    it('GET /v1/push/vapid-public-key goes to the store', async () => {
      campaign.reply = (_, res) => sendJson(res, 200, { publicKey: 'BPk' });
      const res = await call('GET', '/v1/push/vapid-public-key', withKey());
      expect(await res.json()).toEqual({ publicKey: 'BPk' });
      expect(campaign.last.url).toBe(`/v1/stores/${store}/push/vapid-public-key`);
    });
  });

  describe('message links (no key: the signed token is the auth)', () => {
    it('passes a click redirect and the open pixel through unchanged', async () => {
      campaign.reply = (_, res) => res.writeHead(302, { location: 'https://shop.example/p/1?utm=x' }).end();
      const click = await call('GET', '/v1/m/msg-1/click?u=https%3A%2F%2Fshop.example%2Fp%2F1&t=sig');
      expect(click.status).toBe(302);
      expect(click.headers.get('location')).toBe('https://shop.example/p/1?utm=x');
      expect(campaign.last.url).toBe('/v1/m/msg-1/click?u=https%3A%2F%2Fshop.example%2Fp%2F1&t=sig');

      const gif = Buffer.from('R0lGODlhAQABAAAAACw=', 'base64');
      campaign.reply = (_, res) => res.writeHead(200, { 'content-type': 'image/gif', 'cache-control': 'no-store' }).end(gif);
      const open = await call('GET', '/v1/m/msg-1/open.gif?t=sig');
      expect(open.headers.get('content-type')).toBe('image/gif');
      expect(open.headers.get('cache-control')).toBe('no-store');
      expect(Buffer.from(await open.arrayBuffer())).toEqual(gif);
    });

    it('forwards a one-click unsubscribe form as it came, and the unsubscribe page', async () => {
      campaign.reply = (_, res) => res.writeHead(200, { 'content-type': 'text/plain' }).end('unsubscribed');
      const res = await call('POST', '/v1/unsubscribe?t=signed-token', { 'content-type': 'application/x-www-form-urlencoded' }, 'List-Unsubscribe=One-Click');
      expect(res.status).toBe(200);
      expect(campaign.last).toMatchObject({ method: 'POST', url: '/v1/unsubscribe?t=signed-token', body: 'List-Unsubscribe=One-Click' });
      expect(campaign.last.headers['content-type']).toBe('application/x-www-form-urlencoded');
      campaign.reply = (_, res) => res.writeHead(400, { 'content-type': 'application/json' }).end('{"message":"Invalid or expired link"}');
      expect((await call('GET', '/v1/unsubscribe?t=forged')).status).toBe(400);
    });

    it('answers 502 when the campaign service is down', async () => {
      const port = Number(new URL(campaign.url).port);
      await campaign.close();
      try {
        const res = await call('GET', '/v1/m/msg-1/open.gif?t=sig');
        expect(res.status).toBe(502);
        expect(await res.json()).toMatchObject({ message: 'Campaign service unreachable' });
        expect(await (await call('GET', '/v1/decisions?placement=popup&anonymousId=a1', withKey())).json()).toMatchObject({ content: null });
      } finally {
        campaign = await FakeUpstream.start(port);
      }
    });
  });

  describe('admin routes', () => {
    it('forwards any method and sub-path under the campaign areas to the store', async () => {
      const body = JSON.stringify({ offerId: 'o1' });
      await call('POST', `/admin/v1/stores/${store}/offers`, { ...admin, ...json }, body);
      expect(campaign.last).toMatchObject({ method: 'POST', url: `/v1/stores/${store}/offers`, body });
      await call('GET', `/admin/v1/stores/${store}/offers/o1/report?x=1`, admin);
      expect(campaign.last).toMatchObject({ method: 'GET', url: `/v1/stores/${store}/offers/o1/report?x=1` });
      await call('PUT', `/admin/v1/stores/${store}/onsite-campaigns/c%201`, { ...admin, ...json }, '{}');
      expect(campaign.last).toMatchObject({ method: 'PUT', url: `/v1/stores/${store}/onsite-campaigns/c%201` });
      await call('DELETE', `/admin/v1/stores/${store}/journeys/j1`, admin);
      expect(campaign.last).toMatchObject({ method: 'DELETE', url: `/v1/stores/${store}/journeys/j1` });
      await call('GET', `/admin/v1/stores/${store}/bounces`, admin);
      expect(campaign.last.url).toBe(`/v1/stores/${store}/bounces`);
    });

    it('needs the admin token, refuses dot segments, bad stores and other areas', async () => {
      expect((await call('GET', `/admin/v1/stores/${store}/offers`)).status).toBe(401);
      expect((await call('GET', `/admin/v1/stores/${store}/offers`, { 'x-admin-token': 'wrong-token-0123456789xx' })).status).toBe(401);
      // Sent raw: fetch would resolve the dot segments itself before they reach the gateway.
      expect(await rawStatus(`/admin/v1/stores/${store}/offers/%2e%2e/%2e%2e/other/offers`, admin)).toBe(400);
      expect(await rawStatus(`/admin/v1/stores/${store}/offers/../../other/offers`, admin)).toBe(400);
      expect((await call('GET', `/admin/v1/stores/Bad_Store/offers`, admin)).status).toBe(400);
      expect((await call('GET', `/admin/v1/stores/${store}/elsewhere`, admin)).status).toBe(404);
      expect(campaign.received).toHaveLength(0);
    });
  });
});
