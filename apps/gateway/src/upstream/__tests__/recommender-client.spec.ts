import { loadConfig } from '@signal/platform';
import { createServer } from 'node:http';
import type { AddressInfo } from 'node:net';
import { setTimeout as sleep } from 'node:timers/promises';
import { FakeUpstream, sendJson } from '../../../test/fake-upstream';
import { GatewayConfigSchema } from '../../config';
import { RecommenderClient } from '../recommender-client';
import { UpstreamFailure, type UpstreamCall } from '../upstream-client';

// The shared client is tested through ProfileClient (profile-client.spec.ts); here, what differs.
const configFor = (url: string) => loadConfig(GatewayConfigSchema, { ADMIN_TOKEN: 'x'.repeat(16), RECOMMENDER_URL: url, UPSTREAM_TIMEOUT_MS: '1000' });
const get: UpstreamCall = { method: 'GET', storeId: 's1', path: '/recommendations' };

describe('RecommenderClient', () => {
  let upstream: FakeUpstream;
  let client: RecommenderClient;

  beforeAll(async () => {
    upstream = await FakeUpstream.start();
    client = new RecommenderClient(configFor(upstream.url));
  });

  afterEach(() => upstream.reset());
  afterAll(() => upstream.close());

  it('calls RECOMMENDER_URL under the store', async () => {
    await expect(client.json({ ...get, query: new URLSearchParams({ placement: 'home' }) })).resolves.toMatchObject({ status: 200 });
    expect(upstream.last.url).toBe('/v1/stores/s1/recommendations?placement=home');
  });

  it('waits timeoutMs instead of UPSTREAM_TIMEOUT_MS when the call names one, and says which service was late', async () => {
    upstream.reply = async (_, res) => {
      await sleep(200);
      sendJson(res, 200, {});
    };
    const started = Date.now();
    const late = client.json({ ...get, timeoutMs: 50 });
    await expect(late).rejects.toBeInstanceOf(UpstreamFailure);
    await expect(late).rejects.toMatchObject({ reason: 'timeout', status: 504, response: { message: 'Recommender service did not answer in time' } });
    expect(Date.now() - started).toBeLessThan(200);
    await expect(client.json(get)).resolves.toEqual({ status: 200, body: {} });
  });

  it('tells a failure from an unreachable service', async () => {
    upstream.reply = (_, res) => sendJson(res, 503, {});
    await expect(client.json(get)).rejects.toMatchObject({ reason: 'error', status: 502, response: { message: 'Recommender service failed (503)' } });
    const closed = createServer();
    await new Promise<void>((resolve) => closed.listen(0, '127.0.0.1', resolve));
    const { port } = closed.address() as AddressInfo;
    await new Promise((resolve) => closed.close(resolve));
    await expect(new RecommenderClient(configFor(`http://127.0.0.1:${port}`)).json(get)).rejects.toMatchObject({
      reason: 'unreachable',
      status: 502,
      response: { message: 'Recommender service unreachable' },
    });
  });
});
