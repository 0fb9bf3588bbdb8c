import { TOPICS, profileIdFor, type CampaignMessage, type RawEvent } from '@signal/contracts';
import { KafkaTap, eventually, uniqueStore } from '@signal/testing';
import { simpleParser, type ParsedMail } from 'mailparser';
import { createECDH, createPublicKey, randomBytes, randomUUID, verify, type ECDH } from 'node:crypto';
import { createServer, type IncomingMessage, type Server, type ServerResponse } from 'node:http';
import type { AddressInfo } from 'node:net';
import { createRequire } from 'node:module';
import { SMTPServer } from 'smtp-server';
import { generateVAPIDKeys } from 'web-push';
import type { OutgoingMessage } from '../src/channels/channel';
import { EmailChannel } from '../src/channels/email.channel';
import { Links } from '../src/channels/links';
import { PushChannel } from '../src/channels/push.channel';
import { WebhookChannel, verifyWebhookSignature } from '../src/channels/webhook.channel';
import type { CampaignConfig } from '../src/config';
import { publishProfiles, profileView } from './factories';
import { startCampaign, type Harness } from './harness';

// http_ece ships no types; this is the one function the test needs.
const ece = createRequire(__filename)('http_ece') as { decrypt(body: Buffer, params: { version: string; privateKey: ECDH; authSecret: string }): Buffer };

interface Received {
  method: string;
  url: string;
  headers: IncomingMessage['headers'];
  body: Buffer;
}

/** A local HTTP server that records requests and answers with `respond`. */
async function recordingServer(respond: (req: Received, res: ServerResponse) => void): Promise<{ url: string; received: Received[]; close(): Promise<void> }> {
  const received: Received[] = [];
  const server: Server = createServer((req, res) => {
    const chunks: Buffer[] = [];
    req.on('data', (c: Buffer) => chunks.push(c));
    req.on('end', () => {
      const r = { method: req.method ?? '', url: req.url ?? '', headers: req.headers, body: Buffer.concat(chunks) };
      received.push(r);
      respond(r, res);
    });
  });
  await new Promise<void>((resolve) => server.listen(0, '127.0.0.1', resolve));
  const { port } = server.address() as AddressInfo;
  return { url: `http://127.0.0.1:${port}`, received, close: () => new Promise((resolve) => server.close(() => resolve())) };
}

/** A port nothing listens on. */
async function closedPort(): Promise<number> {
  const s = createServer();
  await new Promise<void>((resolve) => s.listen(0, '127.0.0.1', resolve));
  const { port } = s.address() as AddressInfo;
  await new Promise((resolve) => s.close(resolve));
  return port;
}

const baseConfig = { MAIL_FROM: 'Shop <shop@example.com>', VAPID_SUBJECT: 'mailto:ops@example.com', WEBHOOK_TIMEOUT_MS: 5_000 } as CampaignConfig;
const message = (channel: OutgoingMessage['channel'], to: string, content: OutgoingMessage['content']): OutgoingMessage => ({ messageId: randomUUID(), storeId: 's1', profileId: 'p1', channel, to, content });

describe('EmailChannel against a real SMTP server', () => {
  const mails: ParsedMail[] = [];
  let smtp: SMTPServer;
  let port: number;

  beforeAll(async () => {
    smtp = new SMTPServer({
      authOptional: true,
      disabledCommands: ['STARTTLS'],
      logger: false,
      onRcptTo(address, _session, callback) {
        if (address.address.startsWith('gone@')) return callback(Object.assign(new Error('5.1.1 No such user here'), { responseCode: 550 }));
        if (address.address.startsWith('busy@')) return callback(Object.assign(new Error('4.2.2 Mailbox busy, try later'), { responseCode: 452 }));
        callback();
      },
      onData(stream, _session, callback) {
        simpleParser(stream)
          .then((m) => {
            mails.push(m);
            callback();
          })
          .catch(callback);
      },
    });
    await new Promise<void>((resolve) => smtp.listen(0, '127.0.0.1', resolve));
    port = (smtp.server.address() as AddressInfo).port;
  });
  afterAll(() => new Promise<void>((resolve) => smtp.close(() => resolve())));

  it('delivers subject, html, text, Message-ID and the one-click unsubscribe headers', async () => {
    const email = new EmailChannel({ ...baseConfig, SMTP_URL: `smtp://127.0.0.1:${port}` });
    const unsubscribeUrl = `https://gw.example.com/v1/unsubscribe?token=${'x'.repeat(120)}.sig`;
    const m = message('email', 'ana@example.org', { subject: 'Back in stock: Wool Rug', html: '<p>Hi <b>Ana</b></p>', text: 'Hi Ana', unsubscribeUrl });
    try {
      expect(await email.send(m)).toEqual({ ok: true, providerId: `<${m.messageId}@example.com>` });
      const mail = await eventually(() => mails.find((x) => x.messageId === `<${m.messageId}@example.com>`));
      expect(mail.subject).toBe('Back in stock: Wool Rug');
      expect(mail.html).toContain('<p>Hi <b>Ana</b></p>');
      expect(mail.text?.trim()).toBe('Hi Ana');
      expect(mail.from?.value).toEqual([{ name: 'Shop', address: 'shop@example.com' }]);
      const header = (name: string) => mail.headerLines.find((l) => l.key === name)?.line.replace(/\r?\n\s+/g, ' ');
      expect(header('list-unsubscribe')).toBe(`List-Unsubscribe: <${unsubscribeUrl}>`);
      expect(header('list-unsubscribe-post')).toBe('List-Unsubscribe-Post: List-Unsubscribe=One-Click');
    } finally {
      await email.close();
    }
  });

  it('reports a 550 recipient rejection as a permanent hard bounce and a 452 as transient', async () => {
    const email = new EmailChannel({ ...baseConfig, SMTP_URL: `smtp://127.0.0.1:${port}` });
    const content = { subject: 's', html: '<p>h</p>', text: 't', unsubscribeUrl: 'https://gw.example.com/u' };
    try {
      expect(await email.send(message('email', 'gone@example.org', content))).toEqual({ ok: false, permanent: true, addressGone: true, reason: expect.stringContaining('550') });
      expect(await email.send(message('email', 'busy@example.org', content))).toEqual({ ok: false, permanent: false, reason: expect.stringContaining('452') });
    } finally {
      await email.close();
    }
  });

  it('reports a closed port as transient, without throwing', async () => {
    const email = new EmailChannel({ ...baseConfig, SMTP_URL: `smtp://127.0.0.1:${await closedPort()}` });
    try {
      const result = await email.send(message('email', 'ana@example.org', { subject: 's', html: 'h', text: 't', unsubscribeUrl: 'https://gw.example.com/u' }));
      expect(result).toEqual({ ok: false, permanent: false, reason: expect.stringMatching(/ECONNREFUSED|ECONNECTION|ESOCKET/) });
    } finally {
      await email.close();
    }
  });
});

describe('PushChannel against a local push endpoint', () => {
  const vapid = generateVAPIDKeys();
  const config = { ...baseConfig, VAPID_PUBLIC_KEY: vapid.publicKey, VAPID_PRIVATE_KEY: vapid.privateKey };
  let endpoint: Awaited<ReturnType<typeof recordingServer>>;
  beforeAll(async () => {
    endpoint = await recordingServer((r, res) => {
      res.writeHead(r.url.startsWith('/expired') ? 410 : 201, { location: `${r.url}/msg-1` }).end();
    });
  });
  afterAll(() => endpoint.close());

  /** A browser's subscription: its P-256 key pair and 16-byte auth secret. */
  const browser = () => {
    const ecdh = createECDH('prime256v1');
    ecdh.generateKeys();
    const auth = randomBytes(16).toString('base64url');
    return { ecdh, auth, keys: { p256dh: ecdh.getPublicKey().toString('base64url'), auth } };
  };

  it('sends an aes128gcm payload only the subscription can decrypt, with a valid VAPID signature', async () => {
    const b = browser();
    const to = JSON.stringify({ endpoint: `${endpoint.url}/push/abc`, keys: b.keys });
    const m = message('push', to, { title: 'Back in stock', body: 'The Wool Rug is back', url: 'https://shop.example.com/rug', icon: 'https://cdn.example.com/i.png', ttlSeconds: 3600 });
    expect(await new PushChannel(config).send(m)).toEqual({ ok: true, providerId: '/push/abc/msg-1' });

    const req = endpoint.received.find((r) => r.url === '/push/abc') as Received;
    expect(req.headers['content-encoding']).toBe('aes128gcm');
    expect(req.headers.ttl).toBe('3600');
    const plain = ece.decrypt(req.body, { version: 'aes128gcm', privateKey: b.ecdh, authSecret: b.auth });
    expect(JSON.parse(plain.toString('utf8'))).toEqual({ messageId: m.messageId, title: 'Back in stock', body: 'The Wool Rug is back', url: 'https://shop.example.com/rug', icon: 'https://cdn.example.com/i.png' });

    const auth = /^vapid t=([\w-]+\.[\w-]+\.[\w-]+), k=([\w-]+)$/.exec(req.headers.authorization ?? '');
    expect(auth).not.toBeNull();
    const [, jwt, k] = auth as RegExpExecArray;
    expect(k).toBe(vapid.publicKey);
    const [head, claims, signature] = jwt.split('.');
    const point = Buffer.from(k, 'base64url');
    const key = createPublicKey({ key: { kty: 'EC', crv: 'P-256', x: point.subarray(1, 33).toString('base64url'), y: point.subarray(33, 65).toString('base64url') }, format: 'jwk' });
    expect(JSON.parse(Buffer.from(head, 'base64url').toString())).toMatchObject({ alg: 'ES256' });
    expect(verify('sha256', Buffer.from(`${head}.${claims}`), { key, dsaEncoding: 'ieee-p1363' }, Buffer.from(signature, 'base64url'))).toBe(true);
    // The same signature over other claims must not verify: the check above is not vacuous.
    expect(verify('sha256', Buffer.from(`${head}.${claims}x`), { key, dsaEncoding: 'ieee-p1363' }, Buffer.from(signature, 'base64url'))).toBe(false);
    const payload = JSON.parse(Buffer.from(claims, 'base64url').toString());
    expect(payload).toMatchObject({ aud: endpoint.url, sub: 'mailto:ops@example.com' });
    expect(payload.exp).toBeGreaterThan(Date.now() / 1000);
  });

  it('reports 410 as an expired subscription (permanent, address gone)', async () => {
    const to = JSON.stringify({ endpoint: `${endpoint.url}/expired/xyz`, keys: browser().keys });
    expect(await new PushChannel(config).send(message('push', to, { title: 't', body: 'b' }))).toEqual({ ok: false, permanent: true, addressGone: true, reason: 'push subscription gone (410)' });
  });

  it('reports an unreachable push service as transient', async () => {
    const to = JSON.stringify({ endpoint: `http://127.0.0.1:${await closedPort()}/push`, keys: browser().keys });
    expect(await new PushChannel(config).send(message('push', to, { title: 't', body: 'b' }))).toMatchObject({ ok: false, permanent: false });
  });
});

describe('WebhookChannel against a local receiver', () => {
  let receiver: Awaited<ReturnType<typeof recordingServer>>;
  const verdicts: boolean[] = [];
  beforeAll(async () => {
    receiver = await recordingServer((r, res) => {
      const ok = verifyWebhookSignature('hook-secret', r.headers['x-signal-timestamp'] as string, r.body, r.headers['x-signal-signature'] as string | undefined);
      verdicts.push(ok);
      if (r.url === '/slow') return void setTimeout(() => res.writeHead(200).end(), 1_000);
      const status = r.url === '/gone' ? 410 : r.url === '/down' ? 503 : r.url === '/bad' ? 422 : ok ? 200 : 401;
      res.writeHead(status).end();
    });
  });
  afterAll(() => receiver.close());

  it('posts the JSON body signed so the receiver can verify it with verifyWebhookSignature', async () => {
    const m = message('webhook', `${receiver.url}/hook`, { body: { event: 'back_in_stock', productId: 'rug', note: 'ünïcode ✓' }, secret: 'hook-secret' });
    expect(await new WebhookChannel(baseConfig).send(m)).toEqual({ ok: true });
    const req = receiver.received.find((r) => r.url === '/hook') as Received;
    expect(req.headers['content-type']).toBe('application/json');
    expect(req.headers['x-signal-message-id']).toBe(m.messageId);
    expect(JSON.parse(req.body.toString('utf8'))).toEqual({ event: 'back_in_stock', productId: 'rug', note: 'ünïcode ✓' });
    expect(verdicts[receiver.received.indexOf(req)]).toBe(true);
  });

  it('is refused by the receiver when signed with another secret', async () => {
    const m = message('webhook', `${receiver.url}/hook`, { body: { a: 1 }, secret: 'wrong-secret' });
    expect(await new WebhookChannel(baseConfig).send(m)).toEqual({ ok: false, permanent: true, reason: 'webhook answered 401' });
  });

  it('classifies 410, 422, 503, a timeout and a closed port', async () => {
    const send = (to: string, timeout = 5_000) => new WebhookChannel({ ...baseConfig, WEBHOOK_TIMEOUT_MS: timeout }).send(message('webhook', to, { body: {}, secret: 'hook-secret' }));
    expect(await send(`${receiver.url}/gone`)).toMatchObject({ ok: false, permanent: true, addressGone: true });
    expect(await send(`${receiver.url}/bad`)).toMatchObject({ ok: false, permanent: true });
    expect(await send(`${receiver.url}/down`)).toMatchObject({ ok: false, permanent: false });
    expect(await send(`${receiver.url}/slow`, 200)).toEqual({ ok: false, permanent: false, reason: 'webhook call failed: timed out after 200 ms' });
    expect(await send(`http://127.0.0.1:${await closedPort()}/x`)).toMatchObject({ ok: false, permanent: false, reason: expect.stringContaining('ECONNREFUSED') });
    expect(await send('ftp://example.com/x')).toMatchObject({ ok: false, permanent: true });
  });
});

describe('signed links served by the campaign service', () => {
  const vapid = generateVAPIDKeys();
  let h: Harness;
  let links: Links;
  let raw: KafkaTap<RawEvent>;
  let statuses: KafkaTap<CampaignMessage>;
  const store = uniqueStore();
  const anonymousId = `anon-${randomUUID()}`;
  const profileId = profileIdFor(store, { anonymousId });

  beforeAll(async () => {
    h = await startCampaign({ VAPID_PUBLIC_KEY: vapid.publicKey, VAPID_PRIVATE_KEY: vapid.privateKey, PUBLIC_URL: 'https://gw.example.com' });
    links = new Links(h.config);
    [raw, statuses] = await Promise.all([KafkaTap.open<RawEvent>(h.config.KAFKA_BROKERS, TOPICS.EventsRaw), KafkaTap.open<CampaignMessage>(h.config.KAFKA_BROKERS, TOPICS.CampaignMessages)]);
    await publishProfiles(h, [profileView(store, { anonymousId }, { email: 'Ana@Example.org', consent: { email: true } })]);
    await eventually(async () => (await h.sql(`SELECT 1 FROM "campaign"."shoppers" WHERE "store_id" = $1 AND "profile_id" = $2`, [store, profileId])).length === 1, { timeoutMs: 30_000 });
  }, 120_000);
  afterAll(async () => {
    await Promise.allSettled([raw?.close(), statuses?.close()]);
    await h?.close();
  });

  /** The service behind the gateway: same path and query as the public link. */
  const call = (publicUrl: string, method = 'GET') => {
    const u = new URL(publicUrl);
    return fetch(`${h.service.url}${u.pathname}${u.search}`, { method, redirect: 'manual', ...(method === 'POST' ? { headers: { 'content-type': 'application/x-www-form-urlencoded' }, body: 'List-Unsubscribe=One-Click' } : {}) });
  };

  it('unsubscribes through the link: GET shows a confirm button, POST suppresses and tells the profile', async () => {
    const url = links.unsubscribeUrl(store, profileId, 'email');
    const page = await call(url);
    expect(page.status).toBe(200);
    expect(page.headers.get('content-type')).toContain('text/html');
    expect(await page.text()).toMatch(/<form method="post" action="\?token=[\w.-]+"><button/);
    expect(await h.sql(`SELECT 1 FROM "campaign"."suppressions" WHERE "store_id" = $1`, [store])).toEqual([]);

    const done = await call(url, 'POST');
    expect(done.status).toBe(200);
    expect(await done.text()).toContain('You are unsubscribed');
    expect(await h.sql(`SELECT "profile_id", "channel", "reason" FROM "campaign"."suppressions" WHERE "store_id" = $1`, [store])).toEqual([{ profile_id: profileId, channel: 'email', reason: 'unsubscribe' }]);
    const [event] = await raw.waitFor((m) => m.value.storeId === store && m.value.type === 'unsubscribe');
    expect(event.key).toBe(`${store}:${anonymousId}`);
    expect(event.value).toMatchObject({ anonymousId, properties: { channel: 'email' } });

    // A second click (or the mail client's one-click POST after the button) repeats the same event id.
    expect((await call(url, 'POST')).status).toBe(200);
    const both = await raw.waitFor((m) => m.value.storeId === store && m.value.type === 'unsubscribe', 2);
    expect(both[1].value.eventId).toBe(both[0].value.eventId);
  });

  it('answers 400 with a clear message for a tampered or missing token', async () => {
    const url = links.unsubscribeUrl(store, profileId, 'push');
    const tampered = url.replace(/token=(\w)/, (_, c: string) => `token=${c === 'a' ? 'b' : 'a'}`);
    for (const method of ['GET', 'POST']) {
      const res = await call(tampered, method);
      expect(res.status).toBe(400);
      expect(await res.text()).toContain('The link token is invalid');
    }
    expect((await call('https://gw.example.com/v1/unsubscribe', 'POST')).status).toBe(400);
    expect(await h.sql(`SELECT 1 FROM "campaign"."suppressions" WHERE "store_id" = $1 AND "channel" = 'push'`, [store])).toEqual([]);
  });

  it('redirects a tracked click to its target and records it', async () => {
    const messageId = randomUUID();
    const url = links.trackedUrl(messageId, store, profileId, 'back-in-stock', 'https://shop.example.com/products/rug?ref=mail');
    const res = await call(url);
    expect(res.status).toBe(302);
    expect(res.headers.get('location')).toBe('https://shop.example.com/products/rug?ref=mail');
    const [status] = await statuses.waitFor((m) => m.value.messageId === messageId);
    expect(status.value).toMatchObject({ status: 'clicked', storeId: store, profileId, campaignId: 'back-in-stock', channel: 'email', holdout: false });
    const [event] = await raw.waitFor((m) => m.value.storeId === store && m.value.type === 'campaign_click');
    expect(event.value.properties).toEqual({ campaignId: 'back-in-stock', messageId, channel: 'email', url: 'https://shop.example.com/products/rug?ref=mail' });

    // The target is inside the signature: a link to another message, or tampered, goes nowhere.
    expect((await call(url.replace(`/m/${messageId}/`, `/m/${randomUUID()}/`))).status).toBe(400);
    expect((await call(url.replace(/t=\w/, 't=_'))).status).toBe(400);
  });

  it('serves the open pixel whatever the token, recording only genuine opens', async () => {
    const messageId = randomUUID();
    const bad = await call(`https://gw.example.com/v1/m/${messageId}/open.gif?t=forged.token`);
    expect(bad.status).toBe(200);
    expect(bad.headers.get('content-type')).toBe('image/gif');
    expect(Buffer.from(await bad.arrayBuffer()).subarray(0, 6).toString()).toBe('GIF89a');

    const good = await call(links.openPixelUrl(messageId, store, profileId, 'back-in-stock', { kind: 'campaign' }));
    expect(good.status).toBe(200);
    const [status] = await statuses.waitFor((m) => m.value.messageId === messageId);
    expect(status.value).toMatchObject({ status: 'opened', kind: 'campaign' });
    await raw.waitFor((m) => m.value.storeId === store && m.value.type === 'campaign_open' && (m.value.properties as { messageId?: string }).messageId === messageId);
    expect(statuses.messages.filter((m) => m.value.messageId === messageId)).toHaveLength(1);
  });

  it('suppresses e-mail on a hard bounce, only counts a soft one, and rejects a bad report', async () => {
    const soft = await h.send('POST', `/v1/stores/${store}/bounces`, { email: 'ana@example.org', kind: 'soft', reason: '452 mailbox full' });
    expect(soft).toEqual({ status: 200, body: { kind: 'soft', suppressed: 0 } });

    const hard = await h.send('POST', `/v1/stores/${store}/bounces`, { email: 'ANA@example.org', kind: 'hard', reason: '550 5.1.1 no such user' });
    expect(hard).toEqual({ status: 200, body: { kind: 'hard', suppressed: 1 } });
    expect(await h.sql(`SELECT "reason" FROM "campaign"."suppressions" WHERE "store_id" = $1 AND "channel" = 'email'`, [store])).toEqual([{ reason: 'bounce' }]);
    const [consent] = await raw.waitFor((m) => m.value.storeId === store && m.value.type === 'consent');
    expect(consent.value).toMatchObject({ anonymousId, properties: { email: false } });

    for (const body of [{ email: 'not-an-address', kind: 'hard' }, { email: 'a@b.c', kind: 'maybe' }, { email: 'a@b.c' }, [], 'text']) {
      const res = await h.send<{ message: string }>('POST', `/v1/stores/${store}/bounces`, body);
      expect(res.status).toBe(400);
    }
    expect((await h.send('POST', '/v1/stores/Not A Store/bounces', { email: 'a@b.c', kind: 'hard' })).status).toBe(400);
  });

  it('gives browsers the VAPID public key', async () => {
    expect(await h.get(`/v1/stores/${store}/push/vapid-public-key`)).toEqual({ status: 200, body: { publicKey: vapid.publicKey } });
  });
});
