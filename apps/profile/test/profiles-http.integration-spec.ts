import { enrichedEvent } from './enriched-event.factory';
import { startProfile, uniqueStore, type Harness } from './harness';
import { eventually } from '@signal/testing';

let h: Harness;
const storeId = uniqueStore();

beforeAll(async () => {
  h = await startProfile();
  const event = enrichedEvent({ storeId, anonymousId: 'dev-1' });
  await h.publish([event]);
  await eventually(() => h.profile(storeId, event.profileId), { timeoutMs: 60_000, intervalMs: 200 });
});
afterAll(() => h?.close());

describe('profile HTTP API', () => {
  it('answers 404 JSON for unknown profiles and identities', async () => {
    for (const path of [`/v1/stores/${storeId}/profiles/nobody`, `/v1/stores/${storeId}/profiles?anonymousId=nobody`, `/v1/stores/${storeId}/profiles?customerId=nobody`, `/v1/stores/t-other/profiles?anonymousId=dev-1`]) {
      await expect(h.get(path)).resolves.toEqual({ status: 404, body: { statusCode: 404, error: 'Not Found', message: 'No such profile' } });
    }
  });

  it.each([
    ['neither identity', `profiles`],
    ['both identities', `profiles?anonymousId=dev-1&customerId=c-1`],
    ['a repeated identity', `profiles?anonymousId=dev-1&anonymousId=dev-2`],
    ['a nested parameter', `profiles?anonymousId[x]=dev-1`],
    ['an empty id', `profiles?customerId=`],
    ['an id with spaces', `profiles?anonymousId=a%20b`],
    ['an overlong id', `profiles?anonymousId=${'x'.repeat(129)}`],
    ['an overlong profile id', `profiles/${'x'.repeat(129)}`],
    ['a profile id with a slash', `profiles/a%2Fb`],
  ])('answers 400 JSON for %s', async (_what, path) => {
    const res = await h.get<{ statusCode: number; errors: { field: string }[] }>(`/v1/stores/${storeId}/${path}`);
    expect(res.status).toBe(400);
    // fetch builds arrays in another realm than jest's, so no expect.any(Array) here.
    expect(res.body).toMatchObject({ statusCode: 400, error: 'Bad Request', errors: [{ field: expect.any(String) }] });
  });

  it('answers 400 for a malformed store id', async () => {
    await expect(h.get(`/v1/stores/NOT_A_STORE/profiles?anonymousId=dev-1`)).resolves.toMatchObject({ status: 400 });
    await expect(h.get(`/v1/stores/${'s'.repeat(65)}/profiles/p-1`)).resolves.toMatchObject({ status: 400 });
  });

  it('never answers 500 to broken URLs', async () => {
    for (const path of [`/v1/stores/${storeId}/profiles/%E0%A4%A`, `/v1/stores/%ZZ/profiles?anonymousId=dev-1`, `/v1/stores/${storeId}/profiles?anonymousId=%E0%A4%A`]) {
      const res = await fetch(`${h.service.url}${path}`);
      expect({ path, status: res.status }).toEqual({ path, status: expect.any(Number) });
      expect(res.status).toBeGreaterThanOrEqual(400);
      expect(res.status).toBeLessThan(500);
    }
  });
});
