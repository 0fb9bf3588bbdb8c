import { MERGED_INTO_HEADER, TOPICS, shopperKey, type CampaignMessage, type RawEvent } from '@signal/contracts';
import { KafkaTap } from '@signal/testing';
import { simpleParser } from 'mailparser';
import { createServer, type Server } from 'node:http';
import { createECDH, randomBytes, randomUUID } from 'node:crypto';
import { createServer as createNetServer, type AddressInfo } from 'node:net';
import { SMTPServer } from 'smtp-server';
import { generateVAPIDKeys } from 'web-push';
import { DataSource } from 'typeorm';
import { OUTBOX, type OutboxWriter, type QueuedMessage } from '../src/delivery/outbox.types';
import { localMinuteOfDay, quietUntil } from '../src/delivery/quiet-hours';
import { profileView, publishProfiles } from './factories';
import { eventually, startCampaign, uniqueStore, type Harness } from './harness';

interface Mail {
  to: string;
  messageId: string;
  subject: string;
}

/** A real SMTP server on 127.0.0.1 that keeps what it receives and refuses some recipients with 550 5.1.1. */
async function smtpSink(port = 0, reject: (address: string) => boolean = (a) => a.startsWith('bounce')): Promise<{ port: number; mails: Mail[]; close(): Promise<void> }> {
  const mails: Mail[] = [];
  const server = new SMTPServer({
    authOptional: true,
    disabledCommands: ['STARTTLS'],
    logger: false,
    onRcptTo(address, _session, callback) {
      if (reject(address.address)) return callback(Object.assign(new Error('5.1.1 No such user here'), { responseCode: 550 }));
      callback();
    },
    onData(stream, _session, callback) {
      simpleParser(stream).then(
        (m) => {
          const to = Array.isArray(m.to) ? m.to[0] : m.to;
          mails.push({ to: to?.value[0]?.address ?? '', messageId: m.messageId ?? '', subject: m.subject ?? '' });
          callback();
        },
        (e: Error) => callback(e),
      );
    },
  });
  await new Promise<void>((resolve, rejectListen) => {
    server.once('error', rejectListen);
    server.listen(port, '127.0.0.1', () => resolve());
  });
  return { port: (server.server.address() as AddressInfo).port, mails, close: () => new Promise<void>((r) => server.close(() => r())) };
}

/** A port nothing listens on (until a sink is started there). */
async function freePort(): Promise<number> {
  const s = createNetServer();
  await new Promise<void>((r) => s.listen(0, '127.0.0.1', () => r()));
  const { port } = s.address() as AddressInfo;
  await new Promise<void>((r) => s.close(() => r()));
  return port;
}

const sleep = (ms: number) => new Promise((r) => setTimeout(r, ms));

interface Row {
  message_id: string;
  state: string;
  reason: string | null;
  attempts: number;
  next_attempt_at: Date;
  deferred_at: Date | null;
  last_error: string | null;
}

let statuses: KafkaTap<CampaignMessage>;
let raw: KafkaTap<RawEvent>;
afterAll(async () => {
  await statuses?.close();
  await raw?.close();
});

/** Taps on what the service produces, opened once a service has made sure the topics exist. */
async function openTaps(h: Harness): Promise<void> {
  statuses ??= await KafkaTap.open<CampaignMessage>(h.config.KAFKA_BROKERS, TOPICS.CampaignMessages);
  raw ??= await KafkaTap.open<RawEvent>(h.config.KAFKA_BROKERS, TOPICS.EventsRaw);
}

const statusesOf = (messageId: string) => statuses.messages.filter((m) => m.value.messageId === messageId).map((m) => m.value.status);
const waitStatus = (messageId: string, status: string, count = 1) => statuses.waitFor((m) => m.value.messageId === messageId && m.value.status === status, count, 30_000);

/** Helpers bound to one running service. */
function using(h: Harness) {
  const outbox = h.service.app.get<OutboxWriter>(OUTBOX);
  const db = h.service.app.get(DataSource);
  return {
    enqueue: (m: QueuedMessage) => db.transaction((tx) => outbox.enqueue(tx, m)),
    row: async (messageId: string) => (await h.sql<Row>(`SELECT * FROM campaign.messages WHERE message_id = $1`, [messageId]))[0],
    /** A shopper as profiles.changed.v1 tells it, stored in the read model. */
    shopper: async (store: string, who: string, o: { email?: string; consentEmail?: boolean; consentPush?: boolean; timezone?: string } = {}) => {
      const consent = { email: o.consentEmail ?? true, ...(o.consentPush === undefined ? {} : { push: o.consentPush }) };
      const p = profileView(store, { anonymousId: who }, { email: o.email ?? `${who}@example.com`, consent, timezone: o.timezone });
      await publishProfiles(h, [p]);
      await eventually(async () => (await h.sql(`SELECT 1 FROM campaign.shoppers WHERE store_id = $1 AND profile_id = $2`, [store, p.profileId])).length === 1, { timeoutMs: 30_000 });
      return p.profileId;
    },
    /** No quiet hours, so tests do not depend on the hour they run at (unless they set some). */
    awake: async (store: string, o: Record<string, unknown> = {}) => expect((await h.send('PUT', `/v1/stores/${store}/delivery-settings`, { quietHours: null, ...o })).status).toBe(200),
  };
}

const email = (store: string, profileId: string, key: string = randomUUID(), o: Partial<QueuedMessage> = {}): QueuedMessage => ({
  idempotencyKey: key,
  storeId: store,
  profileId,
  campaignId: 'back-in-stock',
  kind: 'journey',
  step: 'mail',
  channel: 'email',
  content: { subject: `Back in stock ${key}`, html: '<p>It is back</p>', text: 'It is back', unsubscribeUrl: 'http://127.0.0.1:3000/u/x' },
  holdout: false,
  triggeredBy: 'stock:sku-1',
  ...o,
});

describe('delivery with a working SMTP server', () => {
  let h: Harness;
  let smtp: Awaited<ReturnType<typeof smtpSink>>;
  let t: ReturnType<typeof using>;
  beforeAll(async () => {
    smtp = await smtpSink();
    const vapid = generateVAPIDKeys();
    h = await startCampaign({ SMTP_URL: `smtp://127.0.0.1:${smtp.port}`, VAPID_PUBLIC_KEY: vapid.publicKey, VAPID_PRIVATE_KEY: vapid.privateKey });
    t = using(h);
    await openTaps(h);
  }, 120_000);
  afterAll(async () => {
    await h?.close();
    await smtp?.close();
  });

  it('sends one e-mail for a message queued twice with the same idempotency key, and records queued, sent, delivered', async () => {
    const store = uniqueStore();
    await t.awake(store);
    const profileId = await t.shopper(store, 'ann');
    const first = await t.enqueue(email(store, profileId, 'run-1:mail'));
    const again = await t.enqueue(email(store, profileId, 'run-1:mail'));
    expect(first.created).toBe(true);
    expect(again).toEqual({ messageId: first.messageId, created: false });
    await eventually(() => smtp.mails.some((m) => m.to === 'ann@example.com'), { timeoutMs: 30_000 });
    await waitStatus(first.messageId, 'delivered');
    await sleep(1_000);
    const mails = smtp.mails.filter((m) => m.to === 'ann@example.com');
    expect(mails).toHaveLength(1);
    expect(mails[0].messageId).toContain(first.messageId);
    expect(await t.row(first.messageId)).toMatchObject({ state: 'sent', attempts: 1 });
    expect(statusesOf(first.messageId)).toEqual(['queued', 'sent', 'delivered']);
    const queued = statuses.messages.find((m) => m.value.messageId === first.messageId)?.value;
    expect(queued).toMatchObject({ recordId: `${first.messageId}:queued`, storeId: store, profileId, campaignId: 'back-in-stock', channel: 'email', holdout: false, triggeredBy: 'stock:sku-1' });
  });

  it('a message queued in a transaction that rolls back does not exist and is never announced', async () => {
    const store = uniqueStore();
    const profileId = await t.shopper(store, 'rolled');
    const outbox = h.service.app.get<OutboxWriter>(OUTBOX);
    let messageId = '';
    await expect(
      h.service.app.get(DataSource).transaction(async (tx) => {
        messageId = (await outbox.enqueue(tx, email(store, profileId))).messageId;
        throw new Error('the step failed');
      }),
    ).rejects.toThrow('the step failed');
    await sleep(1_000);
    expect(await t.row(messageId)).toBeUndefined();
    expect(statusesOf(messageId)).toEqual([]);
    expect(smtp.mails.some((m) => m.to === 'rolled@example.com')).toBe(false);
  });

  it('a holdout message is recorded held_out and never sent', async () => {
    const store = uniqueStore();
    await t.awake(store);
    const profileId = await t.shopper(store, 'held');
    const { messageId } = await t.enqueue(email(store, profileId, undefined, { holdout: true }));
    await waitStatus(messageId, 'held_out');
    await sleep(800);
    expect(await t.row(messageId)).toMatchObject({ state: 'held_out' });
    expect(smtp.mails.some((m) => m.to === 'held@example.com')).toBe(false);
  });

  it('without e-mail consent the message is suppressed and nothing arrives', async () => {
    const store = uniqueStore();
    await t.awake(store);
    const profileId = await t.shopper(store, 'nope', { consentEmail: false });
    const { messageId } = await t.enqueue(email(store, profileId));
    const [record] = await waitStatus(messageId, 'suppressed');
    expect(record.value.reason).toBe('no consent');
    expect(await t.row(messageId)).toMatchObject({ state: 'suppressed', reason: 'no consent', attempts: 0 });
    expect(smtp.mails.some((m) => m.to === 'nope@example.com')).toBe(false);
  });

  it('an unsubscribed shopper gets nothing, whatever their consent says', async () => {
    const store = uniqueStore();
    await t.awake(store);
    const profileId = await t.shopper(store, 'unsub');
    await h.sql(`INSERT INTO campaign.suppressions (store_id, profile_id, channel, reason, at) VALUES ($1, $2, 'email', 'unsubscribed', now())`, [store, profileId]);
    const { messageId } = await t.enqueue(email(store, profileId));
    const [record] = await waitStatus(messageId, 'suppressed');
    expect(record.value.reason).toBe('unsubscribed');
    await sleep(500);
    expect(smtp.mails.some((m) => m.to === 'unsub@example.com')).toBe(false);
  });

  it('a shopper for whom it is night now is rescheduled to the end of their quiet hours, not sent and not dropped', async () => {
    // Some zone in this list is between 22:00 and 07:00 at any moment (their offsets are less than 9 hours apart).
    const zones = ['Pacific/Auckland', 'Asia/Tokyo', 'Asia/Kolkata', 'Asia/Dubai', 'Europe/Berlin', 'America/New_York', 'America/Los_Angeles', 'Pacific/Honolulu'];
    const zone = zones.find((z) => {
      const m = localMinuteOfDay(new Date(), z);
      return m >= 22 * 60 || m < 7 * 60;
    });
    expect(zone).toBeDefined();
    const store = uniqueStore();
    const profileId = await t.shopper(store, 'sleepy', { timezone: zone });
    const { messageId } = await t.enqueue(email(store, profileId));
    const row = await eventually(async () => {
      const r = await t.row(messageId);
      return r.deferred_at ? r : null;
    });
    expect(row).toMatchObject({ state: 'queued', reason: `quiet hours in ${zone}`, attempts: 0 });
    const expected = quietUntil(new Date(), zone as string, { start: 21 * 60, end: 9 * 60 }) as Date;
    expect(Math.abs(row.next_attempt_at.getTime() - expected.getTime())).toBeLessThan(120_000);
    await sleep(800);
    expect(smtp.mails.some((m) => m.to === 'sleepy@example.com')).toBe(false);
    expect(statusesOf(messageId)).toEqual(['queued']);
    // Morning comes (here: quiet hours are lifted and the time is moved up): it goes out, once.
    await t.awake(store);
    await h.sql(`UPDATE campaign.messages SET next_attempt_at = now() WHERE message_id = $1`, [messageId]);
    await waitStatus(messageId, 'delivered');
    expect(smtp.mails.filter((m) => m.to === 'sleepy@example.com')).toHaveLength(1);
  });

  it('the frequency cap counts e-mail and webhooks together', async () => {
    const hits: string[] = [];
    const hook: Server = createServer((req, res) => {
      hits.push(String(req.headers['x-signal-message-id']));
      req.resume();
      res.writeHead(204).end();
    });
    await new Promise<void>((r) => hook.listen(0, '127.0.0.1', () => r()));
    try {
      const store = uniqueStore();
      await t.awake(store, { frequencyCap: 2 });
      const profileId = await t.shopper(store, 'busy');
      const url = `http://127.0.0.1:${(hook.address() as AddressInfo).port}/hook`;
      const queued = await Promise.all([
        t.enqueue(email(store, profileId)),
        t.enqueue(email(store, profileId)),
        t.enqueue({ ...email(store, profileId), channel: 'webhook', to: url, webhookSecret: 'hook-secret-123', content: { body: { event: 'back_in_stock' } } }),
      ]);
      const ids = queued.map((q) => q.messageId);
      const rows = await eventually(async () => {
        const r: Row[] = [];
        for (const id of ids) r.push(await t.row(id));
        return r.every((x) => x.state === 'sent' || x.state === 'suppressed') ? r : null;
      });
      expect(rows.filter((r) => r.state === 'sent')).toHaveLength(2);
      expect(rows.filter((r) => r.state === 'suppressed').map((r) => r.reason)).toEqual(['frequency cap']);
      await sleep(500);
      expect(smtp.mails.filter((m) => m.to === 'busy@example.com').length + hits.length).toBe(2);
      // Sent messages stay counted for 24 hours: another one is capped too.
      const { messageId } = await t.enqueue(email(store, profileId));
      const [record] = await waitStatus(messageId, 'suppressed');
      expect(record.value.reason).toBe('frequency cap');
    } finally {
      await new Promise((r) => hook.close(r));
    }
  });

  it('a hard bounce (550 5.1.1) fails for good, suppresses e-mail and tells the profile (consent event)', async () => {
    const store = uniqueStore();
    await t.awake(store);
    const profileId = await t.shopper(store, 'bounce-me');
    const { messageId } = await t.enqueue(email(store, profileId));
    const [failed] = await waitStatus(messageId, 'failed');
    expect(failed.value).toMatchObject({ attempt: 1 });
    expect(failed.value.reason).toContain('550');
    await waitStatus(messageId, 'bounced');
    expect(await t.row(messageId)).toMatchObject({ state: 'failed', attempts: 1 });
    expect(await h.sql(`SELECT reason FROM campaign.suppressions WHERE store_id = $1 AND profile_id = $2 AND channel = 'email'`, [store, profileId])).toEqual([{ reason: 'bounce' }]);
    const [consent] = await raw.waitFor((m) => m.value.storeId === store && m.value.type === 'consent', 1, 30_000);
    expect(consent.key).toBe(`${store}:bounce-me`);
    expect(consent.value).toMatchObject({ anonymousId: 'bounce-me', properties: { email: false } });
    // Not retried: still one attempt after a few polls, and the next message is suppressed.
    await sleep(800);
    expect((await t.row(messageId)).attempts).toBe(1);
    const next = await t.enqueue(email(store, profileId));
    const [suppressed] = await waitStatus(next.messageId, 'suppressed');
    expect(suppressed.value.reason).toBe('bounce');
  });

  it('push goes to every live subscription of the shopper once; an expired one (410) is forgotten', async () => {
    const hits: { path: string; encoding: string | undefined; vapid: boolean }[] = [];
    const pushService: Server = createServer((req, res) => {
      hits.push({ path: req.url ?? '', encoding: req.headers['content-encoding'], vapid: String(req.headers.authorization).startsWith('vapid ') });
      req.resume();
      res.writeHead(req.url?.startsWith('/gone') ? 410 : 201).end();
    });
    await new Promise<void>((r) => pushService.listen(0, '127.0.0.1', () => r()));
    try {
      const base = `http://127.0.0.1:${(pushService.address() as AddressInfo).port}`;
      const store = uniqueStore();
      await t.awake(store);
      const subscribe = async (profileId: string, endpoint: string) => {
        const p256dh = createECDH('prime256v1').generateKeys().toString('base64url');
        await h.sql(`INSERT INTO campaign.push_subscriptions (store_id, endpoint, profile_id, p256dh, auth, at) VALUES ($1, $2, $3, $4, $5, now())`, [
          store,
          endpoint,
          profileId,
          p256dh,
          randomBytes(16).toString('base64url'),
        ]);
      };
      const both = await t.shopper(store, 'two-browsers', { consentPush: true });
      await subscribe(both, `${base}/ok/laptop`);
      await subscribe(both, `${base}/gone/old-phone`);
      const push = (profileId: string): QueuedMessage => ({ ...email(store, profileId), channel: 'push', content: { title: 'Back in stock', body: 'The blue one is back', url: 'https://shop.example/p/1' } });
      const { messageId } = await t.enqueue(push(both));
      await waitStatus(messageId, 'delivered');
      expect(hits.map((x) => x.path).sort()).toEqual(['/gone/old-phone', '/ok/laptop']);
      expect(hits.every((x) => x.encoding === 'aes128gcm' && x.vapid)).toBe(true);
      expect(await t.row(messageId)).toMatchObject({ state: 'sent', attempts: 1 });
      const left = await h.sql<{ endpoint: string }>(`SELECT endpoint FROM campaign.push_subscriptions WHERE store_id = $1`, [store]);
      expect(left.map((r) => r.endpoint)).toEqual([`${base}/ok/laptop`]);

      // Only an expired subscription: fails for good with a clear reason, and the subscription is gone.
      const stale = await t.shopper(store, 'stale-browser', { consentPush: true });
      await subscribe(stale, `${base}/gone/tablet`);
      const second = await t.enqueue(push(stale));
      const [failed] = await waitStatus(second.messageId, 'failed');
      expect(failed.value.reason).toBe('push subscription gone (410)');
      expect(await t.row(second.messageId)).toMatchObject({ state: 'failed', attempts: 1 });
      expect(await h.sql(`SELECT 1 FROM campaign.push_subscriptions WHERE store_id = $1 AND profile_id = $2`, [store, stale])).toEqual([]);
      // Nothing left to send to, and no push consent: suppressed, each with its reason.
      const third = await t.enqueue(push(stale));
      expect((await waitStatus(third.messageId, 'suppressed'))[0].value.reason).toBe('no address');
      const noConsent = await t.shopper(store, 'push-no', { consentPush: false });
      await subscribe(noConsent, `${base}/ok/desk`);
      const fourth = await t.enqueue(push(noConsent));
      expect((await waitStatus(fourth.messageId, 'suppressed'))[0].value.reason).toBe('no consent');
      expect(hits.filter((x) => x.path === '/ok/desk')).toHaveLength(0);
    } finally {
      await new Promise((r) => pushService.close(r));
    }
  });

  it('a message whose sender died mid-send (lease expired) is taken over and sent once', async () => {
    const store = uniqueStore();
    await t.awake(store);
    const profileId = await t.shopper(store, 'orphan');
    const { messageId } = await t.enqueue(email(store, profileId, undefined, { notBefore: new Date(Date.now() + 3_600_000) }));
    await waitStatus(messageId, 'queued');
    // As a crashed replica leaves it: claimed under a lease that has run out.
    await h.sql(`UPDATE campaign.messages SET state = 'sending', lease = $2, cleared_at = now(), next_attempt_at = now() - interval '1 second' WHERE message_id = $1`, [messageId, randomUUID()]);
    await waitStatus(messageId, 'delivered');
    await sleep(800);
    expect(smtp.mails.filter((m) => m.to === 'orphan@example.com')).toHaveLength(1);
  });

  it('messages follow a merged profile, and go with an erased one', async () => {
    const store = uniqueStore();
    const from = await t.shopper(store, 'merged-away');
    const into = await t.shopper(store, 'merged-into');
    const erased = await t.shopper(store, 'erased');
    const later = { notBefore: new Date(Date.now() + 3_600_000) };
    const moved = await t.enqueue(email(store, from, undefined, later));
    const gone = await t.enqueue(email(store, erased, undefined, later));
    await h.publishRaw(TOPICS.ProfilesChanged, [
      { key: shopperKey(store, from), value: null, headers: { [MERGED_INTO_HEADER]: into } },
      { key: shopperKey(store, erased), value: null },
    ]);
    await eventually(async () => (await h.sql<{ profile_id: string }>(`SELECT profile_id FROM campaign.messages WHERE message_id = $1`, [moved.messageId]))[0]?.profile_id === into, { timeoutMs: 30_000 });
    expect(await t.row(gone.messageId)).toBeUndefined();
  });

  it('lists a store messages for support, newest first, without content; 400 on bad parameters', async () => {
    const store = uniqueStore();
    await t.awake(store);
    const profileId = await t.shopper(store, 'listed', { consentEmail: false });
    const a = await t.enqueue(email(store, profileId, 'a'));
    await sleep(20);
    const b = await t.enqueue(email(store, profileId, 'b', { campaignId: 'other' }));
    await eventually(async () => (await t.row(b.messageId)).state === 'suppressed');
    const all = await h.get<{ messages: Record<string, unknown>[] }>(`/v1/stores/${store}/messages?profileId=${profileId}&limit=10`);
    expect(all.status).toBe(200);
    expect(all.body.messages.map((m) => m.messageId)).toEqual([b.messageId, a.messageId]);
    expect(all.body.messages[0]).toMatchObject({ state: 'suppressed', reason: 'no consent', channel: 'email', campaignId: 'other' });
    expect(all.body.messages[0]).not.toHaveProperty('content');
    const one = await h.get<{ messages: { messageId: string }[] }>(`/v1/stores/${store}/messages?campaignId=other`);
    expect(one.body.messages.map((m) => m.messageId)).toEqual([b.messageId]);
    for (const q of ['limit=0', 'limit=201', 'limit=x', 'profileId=a%20b', 'nope=1']) expect((await h.get(`/v1/stores/${store}/messages?${q}`)).status).toBe(400);
    expect((await h.get(`/v1/stores/NOT_A_STORE/messages`)).status).toBe(400);
  });

  it('stores delivery settings with defaults, and answers 400 to nonsense', async () => {
    const store = uniqueStore();
    expect(await h.get(`/v1/stores/${store}/delivery-settings`)).toEqual({ status: 200, body: { frequencyCap: 3, quietHours: { start: '21:00', end: '09:00' }, timezone: 'UTC' } });
    const put = await h.send('PUT', `/v1/stores/${store}/delivery-settings`, { frequencyCap: 5, timezone: 'Europe/Berlin' });
    expect(put).toEqual({ status: 200, body: { frequencyCap: 5, quietHours: { start: '21:00', end: '09:00' }, timezone: 'Europe/Berlin' } });
    expect((await h.get(`/v1/stores/${store}/delivery-settings`)).body).toEqual(put.body);
    for (const bad of [{ timezone: 'Mars/Olympus' }, { frequencyCap: -1 }, { quietHours: { start: '9pm', end: '09:00' } }, { quietHours: { start: '09:00', end: '09:00' } }, [1], { x: 1 }]) {
      const r = await h.send<{ errors: unknown[] }>('PUT', `/v1/stores/${store}/delivery-settings`, bad);
      expect(r.status).toBe(400);
      expect(r.body.errors.length).toBeGreaterThan(0);
    }
  });
});

describe('delivery while the SMTP server is down, and across a restart', () => {
  let port: number;
  let h: Harness | undefined;
  let smtp: Awaited<ReturnType<typeof smtpSink>> | undefined;
  beforeAll(async () => {
    port = await freePort();
    h = await startCampaign({ SMTP_URL: `smtp://127.0.0.1:${port}`, SEND_RETRY_BASE_MS: '400', SEND_MAX_ATTEMPTS: '20' });
    await openTaps(h);
  }, 120_000);
  afterAll(async () => {
    await h?.close();
    await smtp?.close();
  });

  it('retries with backoff while SMTP is unreachable, then delivers once the server is up, exactly once', async () => {
    const t = using(h as Harness);
    const store = uniqueStore();
    await t.awake(store);
    const profileId = await t.shopper(store, 'patient');
    const { messageId } = await t.enqueue(email(store, profileId));
    const failures = await waitStatus(messageId, 'failed', 3);
    expect(failures.slice(0, 3).map((f) => f.value.attempt)).toEqual([1, 2, 3]);
    expect(failures[0].value.reason).toMatch(/ECONNREFUSED|ECONNECTION|connect/i);
    // Backoff: the gaps between attempts grow (400 ms, 800 ms, ... with ±20 % jitter).
    const at = failures.slice(0, 3).map((f) => Date.parse(f.value.occurredAt));
    expect(at[2] - at[1]).toBeGreaterThan(at[1] - at[0]);
    expect(at[1] - at[0]).toBeGreaterThanOrEqual(300);
    expect((await t.row(messageId)).state).toMatch(/^(queued|sending)$/);
    smtp = await smtpSink(port);
    await waitStatus(messageId, 'delivered');
    await sleep(1_000);
    expect(smtp.mails.filter((m) => m.to === 'patient@example.com')).toHaveLength(1);
    expect(statusesOf(messageId).filter((s) => s === 'sent')).toHaveLength(1);
    expect((await t.row(messageId)).state).toBe('sent');
  });

  it('messages queued when the service stops are delivered once after it restarts', async () => {
    const first = h as Harness;
    const t = using(first);
    const store = uniqueStore();
    await t.awake(store);
    const a = await t.shopper(store, 'restart-a');
    const b = await t.shopper(store, 'restart-b');
    // Due only after the service is gone.
    const notBefore = new Date(Date.now() + 2_000);
    const queued = [await t.enqueue(email(store, a, undefined, { notBefore })), await t.enqueue(email(store, b, undefined, { notBefore }))];
    await first.close();
    h = undefined;
    await sleep(2_000);
    // The stopped service sent nothing (it may not even have announced them: their records wait in the table).
    for (const q of queued) expect(statusesOf(q.messageId)).not.toContain('sent');
    h = await startCampaign({ SMTP_URL: `smtp://127.0.0.1:${port}` });
    for (const q of queued) await waitStatus(q.messageId, 'delivered');
    await sleep(1_000);
    expect(smtp?.mails.filter((m) => m.to === 'restart-a@example.com')).toHaveLength(1);
    expect(smtp?.mails.filter((m) => m.to === 'restart-b@example.com')).toHaveLength(1);
    for (const q of queued) expect(statusesOf(q.messageId)).toEqual(['queued', 'sent', 'delivered']);
  });
});
