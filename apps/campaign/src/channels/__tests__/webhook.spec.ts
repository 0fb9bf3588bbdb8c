import { createHmac } from 'node:crypto';
import { classifyWebhookStatus, verifyWebhookSignature, webhookSignature } from '../webhook.channel';

describe('webhook signatures', () => {
  const now = 1_800_000_000_000;
  const ts = now / 1000;
  const body = '{"hello":"world"}';

  it('is v1= hex HMAC-SHA256 of "<timestamp>.<body>"', () => {
    expect(webhookSignature('s3cret', ts, body)).toBe(`v1=${createHmac('sha256', 's3cret').update(`${ts}.${body}`).digest('hex')}`);
  });

  it('verifies a genuine signature within the tolerance', () => {
    const header = webhookSignature('s3cret', ts, body);
    expect(verifyWebhookSignature('s3cret', String(ts), body, header, 300, now)).toBe(true);
    expect(verifyWebhookSignature('s3cret', ts, Buffer.from(body), header, 300, now + 299_000)).toBe(true);
    expect(verifyWebhookSignature('s3cret', ts, body, `v1=deadbeef, ${header}`, 300, now)).toBe(true);
  });

  it('rejects another body, another secret, another timestamp, a stale timestamp and no header', () => {
    const header = webhookSignature('s3cret', ts, body);
    expect(verifyWebhookSignature('s3cret', ts, '{"hello":"World"}', header, 300, now)).toBe(false);
    expect(verifyWebhookSignature('other', ts, body, header, 300, now)).toBe(false);
    expect(verifyWebhookSignature('s3cret', ts + 1, body, header, 300, now)).toBe(false);
    expect(verifyWebhookSignature('s3cret', ts, body, header, 300, now + 301_000)).toBe(false);
    expect(verifyWebhookSignature('s3cret', 'yesterday', body, header, 300, now)).toBe(false);
    expect(verifyWebhookSignature('s3cret', ts, body, undefined, 300, now)).toBe(false);
  });
});

describe('webhook status classification', () => {
  it.each([
    [200, { ok: true }],
    [204, { ok: true }],
    [410, { ok: false, permanent: true, addressGone: true }],
    [400, { ok: false, permanent: true }],
    [404, { ok: false, permanent: true }],
    [301, { ok: false, permanent: true }],
    [408, { ok: false, permanent: false }],
    [429, { ok: false, permanent: false }],
    [500, { ok: false, permanent: false }],
    [503, { ok: false, permanent: false }],
  ])('%i → %j', (status, expected) => {
    const result = classifyWebhookStatus(status);
    expect(result).toMatchObject(expected);
    if (!result.ok && status !== 410) expect(result.addressGone).toBeUndefined();
  });
});
