import type { CampaignConfig } from '../../config';
import { Links, TRACKING_TTL_SECONDS, signToken, verifyToken } from '../links';

const SECRET = 'a-link-secret-of-some-length';
const links = new Links({ LINK_SECRET: SECRET, PUBLIC_URL: 'https://shop.example.com/' } as CampaignConfig);
const tokenOf = (url: string, param: string) => new URL(url).searchParams.get(param) as string;

describe('signed link tokens', () => {
  it('verifies what it signed', () => {
    const raw = signToken(SECRET, { k: 'unsubscribe', storeId: 's1', profileId: 'p1', channel: 'email' });
    expect(verifyToken(SECRET, raw, 'unsubscribe')).toEqual({ ok: true, token: { k: 'unsubscribe', storeId: 's1', profileId: 'p1', channel: 'email' } });
  });

  it('rejects a token with an altered payload', () => {
    const raw = signToken(SECRET, { k: 'unsubscribe', storeId: 's1', profileId: 'p1', channel: 'email' });
    const [, sig] = raw.split('.');
    const forged = Buffer.from(JSON.stringify({ k: 'unsubscribe', storeId: 's1', profileId: 'someone-else', channel: 'email' })).toString('base64url');
    expect(verifyToken(SECRET, `${forged}.${sig}`, 'unsubscribe')).toEqual({ ok: false, reason: expect.stringContaining('invalid') });
  });

  it('rejects every single-character change of the signature', () => {
    const raw = signToken(SECRET, { k: 'unsubscribe', storeId: 's1', profileId: 'p1', channel: 'push' });
    const dot = raw.indexOf('.');
    for (let i = dot + 1; i < raw.length; i++) {
      const c = raw[i] === 'A' ? 'B' : 'A';
      expect(verifyToken(SECRET, raw.slice(0, i) + c + raw.slice(i + 1), 'unsubscribe').ok).toBe(false);
    }
  });

  it('rejects a token signed with another secret, garbage, and nothing', () => {
    const other = signToken('another-secret-entirely', { k: 'unsubscribe', storeId: 's1', profileId: 'p1', channel: 'email' });
    expect(verifyToken(SECRET, other, 'unsubscribe').ok).toBe(false);
    for (const bad of ['', 'abc', 'a.b.c', '.', '%%%.###', undefined, 42, ['x']]) expect(verifyToken(SECRET, bad, 'unsubscribe').ok).toBe(false);
  });

  it('rejects a well-signed token used for another purpose', () => {
    const open = tokenOf(links.openPixelUrl('m1', 's1', 'p1', 'c1'), 't');
    expect(verifyToken(SECRET, open, 'click')).toEqual({ ok: false, reason: 'This is not a click link' });
    expect(verifyToken(SECRET, open, 'unsubscribe').ok).toBe(false);
  });

  it('lets tracking links expire after 90 days, never unsubscribe links', () => {
    const now = Date.UTC(2026, 0, 1);
    const click = tokenOf(links.trackedUrl('m1', 's1', 'p1', 'c1', 'https://shop.example.com/p/1', {}, now), 't');
    expect(verifyToken(SECRET, click, 'click', now + (TRACKING_TTL_SECONDS - 60) * 1000).ok).toBe(true);
    expect(verifyToken(SECRET, click, 'click', now + (TRACKING_TTL_SECONDS + 60) * 1000)).toEqual({ ok: false, reason: 'The link has expired' });
    const unsub = tokenOf(links.unsubscribeUrl('s1', 'p1', 'email'), 'token');
    expect(verifyToken(SECRET, unsub, 'unsubscribe', now + 10 * 365 * 86_400_000).ok).toBe(true);
  });
});

describe('Links', () => {
  it('builds URLs on PUBLIC_URL with the target inside the signed token', () => {
    const url = links.trackedUrl('msg-1', 's1', 'p1', 'camp-1', 'https://shop.example.com/p/1?x=1', { kind: 'campaign', channel: 'push' });
    expect(url.startsWith('https://shop.example.com/v1/m/msg-1/click?t=')).toBe(true);
    const checked = links.verify(tokenOf(url, 't'), 'click');
    expect(checked).toEqual({ ok: true, token: expect.objectContaining({ messageId: 'msg-1', campaignId: 'camp-1', kind: 'campaign', channel: 'push', url: 'https://shop.example.com/p/1?x=1' }) });
    expect(links.openPixelUrl('msg-1', 's1', 'p1', 'camp-1')).toMatch(/^https:\/\/shop\.example\.com\/v1\/m\/msg-1\/open\.gif\?t=[\w-]+\.[\w-]+$/);
    expect(links.unsubscribeUrl('s1', 'p1', 'email')).toMatch(/^https:\/\/shop\.example\.com\/v1\/unsubscribe\?token=[\w-]+\.[\w-]+$/);
  });

  it('refuses a click token whose target is not http(s), even when signed', () => {
    const raw = signToken(SECRET, { k: 'click', messageId: 'm', storeId: 's', profileId: 'p', campaignId: 'c', kind: 'journey', channel: 'email', url: 'javascript:alert(1)', exp: 2e9 });
    expect(verifyToken(SECRET, raw, 'click').ok).toBe(false);
  });
});
