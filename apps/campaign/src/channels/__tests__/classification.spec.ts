import type { CampaignConfig } from '../../config';
import { classifySmtpError, smtpOptions } from '../email.channel';
import { PushChannel, classifyPushStatus, parseSubscription } from '../push.channel';

describe('SMTP failure classification', () => {
  it.each([
    ['550 unknown user at RCPT TO', { code: 'EENVELOPE', responseCode: 550, command: 'RCPT TO', response: '550 No such user' }, true, true],
    ['551 at RCPT TO', { code: 'EENVELOPE', responseCode: 551, command: 'RCPT TO', response: '551 User not local' }, true, true],
    ['553 at RCPT TO', { code: 'EENVELOPE', responseCode: 553, command: 'RCPT TO', response: '553 Mailbox name not allowed' }, true, true],
    ['5.1.1 with 554', { code: 'EENVELOPE', responseCode: 554, command: 'RCPT TO', response: '554 5.1.1 Recipient address rejected' }, true, true],
    ['550 5.7.1 policy', { code: 'EENVELOPE', responseCode: 550, command: 'RCPT TO', response: '550 5.7.1 Message rejected as spam' }, true, false],
    ['554 after DATA', { code: 'EMESSAGE', responseCode: 554, command: 'DATA', response: '554 Transaction failed' }, true, false],
    ['452 mailbox full', { code: 'EENVELOPE', responseCode: 452, command: 'RCPT TO', response: '452 4.2.2 Mailbox full' }, false, false],
    ['421 service closing', { code: 'EPROTOCOL', responseCode: 421, response: '421 Try again later' }, false, false],
    ['connection refused', { code: 'ESOCKET', message: 'connect ECONNREFUSED 127.0.0.1:1' }, false, false],
    ['connection reset', { code: 'ECONNRESET', message: 'read ECONNRESET' }, false, false],
    ['timeout', { code: 'ETIMEDOUT', message: 'Connection timeout' }, false, false],
    ['auth rejected', { code: 'EAUTH', responseCode: 535, response: '535 Authentication failed' }, false, false],
    ['no valid recipient', { code: 'EENVELOPE', message: 'No recipients defined' }, true, true],
    ['something unknown', { message: 'weird' }, false, false],
  ])('%s', (_name, error, permanent, gone) => {
    const result = classifySmtpError(error);
    expect(result.ok).toBe(false);
    expect(result.permanent).toBe(permanent);
    expect(result.addressGone ?? false).toBe(gone);
    expect(result.reason.length).toBeGreaterThan(0);
  });

  it('reads host, port, TLS and credentials from SMTP_URL', () => {
    expect(smtpOptions('smtps://us%40er:p%3Ass@mail.example.com')).toMatchObject({ pool: true, host: 'mail.example.com', port: 465, secure: true, auth: { user: 'us@er', pass: 'p:ss' } });
    expect(smtpOptions('smtp://127.0.0.1:2525')).toMatchObject({ pool: true, host: '127.0.0.1', port: 2525, secure: false });
    expect(smtpOptions('smtp://127.0.0.1:2525').auth).toBeUndefined();
  });
});

describe('push failure classification', () => {
  it.each([
    [201, true, false, false],
    [404, false, true, true],
    [410, false, true, true],
    [400, false, true, false],
    [403, false, true, false],
    [413, false, true, false],
    [429, false, false, false],
    [500, false, false, false],
    [503, false, false, false],
  ])('%i', (status, ok, permanent, gone) => {
    const result = classifyPushStatus(status);
    expect(result.ok).toBe(ok);
    if (!result.ok) {
      expect(result.permanent).toBe(permanent);
      expect(result.addressGone ?? false).toBe(gone);
    }
  });

  it('parses a subscription and refuses what is not one', () => {
    expect(parseSubscription('{"endpoint":"https://push.example.com/x","keys":{"p256dh":"a","auth":"b"}}')).toEqual({ endpoint: 'https://push.example.com/x', keys: { p256dh: 'a', auth: 'b' } });
    for (const bad of ['', 'nope', '{}', '{"endpoint":"ftp://x","keys":{"p256dh":"a","auth":"b"}}', '{"endpoint":"https://x"}', 'null']) expect(parseSubscription(bad)).toBeNull();
  });

  it('fails permanently as "push not configured" without VAPID keys, and on a malformed subscription', async () => {
    const off = new PushChannel({ VAPID_SUBJECT: 'mailto:a@b.c' } as CampaignConfig);
    const message = { messageId: 'm', storeId: 's', profileId: 'p', channel: 'push' as const, to: 'x', content: { title: 't', body: 'b' } };
    expect(await off.send(message)).toEqual({ ok: false, permanent: true, reason: 'push not configured' });
    expect(off.publicKey).toBeNull();
    const on = new PushChannel({ VAPID_SUBJECT: 'mailto:a@b.c', VAPID_PUBLIC_KEY: 'pub', VAPID_PRIVATE_KEY: 'priv' } as CampaignConfig);
    expect(await on.send(message)).toMatchObject({ ok: false, permanent: true, addressGone: true });
    const badKeys = JSON.stringify({ endpoint: 'https://push.example.com/x', keys: { p256dh: 'short', auth: 'short' } });
    expect(await on.send({ ...message, to: badKeys })).toMatchObject({ ok: false, permanent: true });
  });
});
