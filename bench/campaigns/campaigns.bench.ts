/**
 * Campaign benchmark (`npm run bench:campaigns`, bench/campaigns/README.md): with 100,000 profiles,
 * how many triggers the campaign service evaluates per second, and the delay from a stock level
 * falling under a journey's threshold to each alert e-mail handed to SMTP.
 *
 * Everything is real: Kafka, Postgres, the campaign service from dist/ as its own process, and an
 * SMTP server (smtp-server) in this process that timestamps every message it is handed.
 */
import { TOPICS, productKey, shopperKey, type InventoryChange } from '@signal/contracts';
import { ensureTopics } from '@signal/platform';
import { spawn, type ChildProcess } from 'node:child_process';
import { mkdirSync, openSync, writeFileSync } from 'node:fs';
import { createServer } from 'node:net';
import { resolve } from 'node:path';
import { Kafka, logLevel, type Admin, type Producer } from 'kafkajs';
import { Client } from 'pg';
import { SMTPServer } from 'smtp-server';
import { intEnv, parkAtEnd, repoRoot } from '../common';
import { percentile } from '../ingest/probes';
import { events, inQuietHours, products, profileOf, shoppers, type BenchShopper } from './workload';

const cfg = {
  profiles: intEnv('BENCH_PROFILES', 100_000),
  products: intEnv('BENCH_PRODUCTS', 2_000),
  events: intEnv('BENCH_EVENTS', 300_000),
  alertProducts: intEnv('BENCH_ALERT_PRODUCTS', 20),
  threshold: intEnv('BENCH_THRESHOLD', 5),
  quietStart: intEnv('BENCH_QUIET_START', 21),
  quietEnd: intEnv('BENCH_QUIET_END', 9),
  seed: intEnv('BENCH_SEED', 1),
  timeoutMs: intEnv('BENCH_TIMEOUT_S', 900) * 1000,
  brokers: (process.env.KAFKA_BROKERS || '127.0.0.1:9092').split(','),
  pgUrl: process.env.BENCH_PG_URL || 'postgres://postgres@127.0.0.1:5432/postgres',
  db: process.env.BENCH_DB || 'signal_bench_campaigns',
  nodeOptions: (process.env.BENCH_NODE_OPTIONS ?? '--max-semi-space-size=64').split(' ').filter(Boolean),
  outDir: resolve(process.env.BENCH_OUT_DIR || resolve(repoRoot(), '.cache/bench/campaigns')),
};
const storeId = `bench-camp-${new Date().toISOString().slice(5, 19).replace(/[-T:]/g, '')}`;
const group = 'bench-campaigns';
const dbUrl = `${cfg.pgUrl.replace(/\/[^/]*$/, '')}/${cfg.db}`;

const log = (s: string) => console.log(`[${new Date().toISOString().slice(11, 23)}] ${s}`);
const sleep = (ms: number) => new Promise((r) => setTimeout(r, ms));
const fmt = (n: number, d = 0) => n.toLocaleString('en-US', { maximumFractionDigits: d, minimumFractionDigits: d });

function freePort(): Promise<number> {
  return new Promise((ok, fail) => {
    const s = createServer();
    s.listen(0, '127.0.0.1', () => {
      const port = (s.address() as { port: number }).port;
      s.close(() => ok(port));
    });
    s.on('error', fail);
  });
}

/** The SMTP server the campaign service delivers to: when each message arrived, and to whom. */
class MailSink {
  readonly arrivals: { to: string; subject: string; messageId: string; at: number }[] = [];
  private server?: SMTPServer;

  async start(port: number): Promise<void> {
    const server = new SMTPServer({
      authOptional: true,
      disabledCommands: ['STARTTLS'],
      onData: (stream, session, done) => {
        let head = '';
        stream.on('data', (d: Buffer) => {
          if (head.length < 8192) head += d.toString('utf8');
        });
        stream.on('end', () => {
          const at = Date.now();
          const header = (h: string) => new RegExp(`^${h}: (.*)$`, 'im').exec(head)?.[1]?.trim() ?? '';
          for (const r of session.envelope.rcptTo) this.arrivals.push({ to: r.address, subject: header('Subject'), messageId: header('Message-ID'), at });
          done();
        });
      },
    });
    this.server = server;
    await new Promise<void>((ok) => server.listen(port, '127.0.0.1', ok));
  }

  stop(): Promise<void> {
    return new Promise((ok) => (this.server ? this.server.close(() => ok()) : ok()));
  }
}

async function freshDatabase(): Promise<void> {
  const c = new Client({ connectionString: cfg.pgUrl });
  await c.connect();
  await c.query(`DROP DATABASE IF EXISTS "${cfg.db}" WITH (FORCE)`);
  await c.query(`CREATE DATABASE "${cfg.db}"`);
  await c.end();
}

async function startService(port: number, smtpPort: number): Promise<ChildProcess> {
  mkdirSync(cfg.outDir, { recursive: true });
  const out = openSync(resolve(cfg.outDir, 'campaign.log'), 'w');
  const child = spawn('node', [...cfg.nodeOptions, resolve(repoRoot(), 'dist/apps/campaign/src/main.js')], {
    env: {
      ...process.env,
      PORT: String(port),
      DATABASE_URL: dbUrl,
      KAFKA_BROKERS: cfg.brokers.join(','),
      KAFKA_GROUP_ID: group,
      SMTP_URL: `smtp://127.0.0.1:${smtpPort}`,
      LINK_SECRET: 'bench-campaigns-link-secret',
      LOG_LEVEL: process.env.BENCH_LOG_LEVEL || 'warn',
    },
    stdio: ['ignore', out, out],
  });
  for (let i = 0; i < 240; i++) {
    if (child.exitCode !== null) throw new Error(`campaign service exited during start-up (see ${cfg.outDir}/campaign.log)`);
    const ok = await fetch(`http://127.0.0.1:${port}/health/ready`).then((r) => r.ok).catch(() => false);
    if (ok) return child;
    await sleep(250);
  }
  throw new Error('campaign service not ready after 60 s');
}

async function lag(admin: Admin, topics: string[]): Promise<number> {
  const committed = await admin.fetchOffsets({ groupId: group, topics });
  let sum = 0;
  for (const t of topics) {
    const ends = await admin.fetchTopicOffsets(t);
    const c = committed.find((x) => x.topic === t)?.partitions ?? [];
    for (const e of ends) {
      const at = Number(c.find((p) => p.partition === e.partition)?.offset ?? -1);
      sum += Math.max(0, Number(e.high) - (at < 0 ? Number(e.low) : at));
    }
  }
  return sum;
}

async function waitFor(what: string, check: () => Promise<boolean>): Promise<number> {
  const t0 = Date.now();
  let last = t0;
  while (!(await check())) {
    if (Date.now() - t0 > cfg.timeoutMs) throw new Error(`timed out waiting for ${what}`);
    if (Date.now() - last > 10_000) {
      log(`  still waiting for ${what}`);
      last = Date.now();
    }
    await sleep(100);
  }
  return Date.now();
}

async function send(producer: Producer, topic: string, messages: { key: string; value: string }[], batch = 2_000): Promise<void> {
  for (let i = 0; i < messages.length; i += batch) await producer.send({ topic, messages: messages.slice(i, i + batch) });
}

async function http<T>(base: string, method: string, path: string, body?: unknown): Promise<T> {
  const res = await fetch(`${base}${path}`, { method, headers: body ? { 'content-type': 'application/json' } : {}, body: body ? JSON.stringify(body) : undefined });
  const text = await res.text();
  if (!res.ok) throw new Error(`${method} ${path}: HTTP ${res.status} ${text.slice(0, 500)}`);
  return (text ? JSON.parse(text) : undefined) as T;
}

const summary = (xs: number[]) => {
  const s = [...xs].sort((a, b) => a - b);
  return { count: s.length, p50: percentile(s, 50), p95: percentile(s, 95), p99: percentile(s, 99), max: s.at(-1) ?? NaN };
};

async function main(): Promise<void> {
  const kafka = new Kafka({ clientId: 'bench-campaigns', brokers: cfg.brokers, logLevel: logLevel.WARN });
  const admin = kafka.admin();
  await admin.connect();
  const producer = kafka.producer({ allowAutoTopicCreation: false });
  await producer.connect();
  const sink = new MailSink();
  let service: ChildProcess | undefined;
  const db = new Client({ connectionString: dbUrl });
  try {
    await freshDatabase();
    await ensureTopics(admin, Object.values(TOPICS), Number(process.env.KAFKA_TOPIC_PARTITIONS || 6), 1);
    const consumed = [TOPICS.ProfilesChanged, TOPICS.PrivacyErasures, TOPICS.EventsEnriched, TOPICS.CatalogProducts, TOPICS.CatalogInventory];
    await parkAtEnd(admin, group, consumed);
    const [port, smtpPort] = [await freePort(), await freePort()];
    await sink.start(smtpPort);
    service = await startService(port, smtpPort);
    await db.connect();
    const base = `http://127.0.0.1:${port}`;
    const count = async (sql: string, params: unknown[] = [storeId]) => Number((await db.query(sql, params)).rows[0].n);
    log(`store ${storeId}: ${fmt(cfg.profiles)} profiles, ${fmt(cfg.products)} products, ${fmt(cfg.events)} events; campaign service on :${port}, SMTP sink on :${smtpPort}`);

    // 1. Profiles and catalog, as the profile service and the gateway publish them.
    const now = new Date().toISOString();
    const people = shoppers(storeId, cfg.profiles, cfg.seed);
    let t0 = Date.now();
    await send(producer, TOPICS.ProfilesChanged, people.map((s) => ({ key: shopperKey(storeId, s.profileId), value: JSON.stringify(profileOf(storeId, s, now)) })));
    await send(producer, TOPICS.CatalogProducts, products(storeId, cfg.products, now).map((p) => ({ key: productKey(storeId, p.productId), value: JSON.stringify(p) })));
    const profilesDone = await waitFor('profiles', async () => (await count(`SELECT count(*) AS n FROM campaign.shoppers WHERE store_id = $1`)) >= cfg.profiles);
    await waitFor('products', async () => (await count(`SELECT count(*) AS n FROM campaign.products WHERE store_id = $1`)) >= cfg.products);
    const profileSeconds = (profilesDone - t0) / 1000;
    const profileRate = cfg.profiles / profileSeconds;
    log(`profiles: ${fmt(cfg.profiles)} taken in ${fmt((profilesDone - t0) / 1000, 1)} s (${fmt(profileRate)}/s)`);

    // 2. Journeys and delivery settings, through the admin API.
    await http(base, 'PUT', `/v1/stores/${storeId}/delivery-settings`, deliverySettings());
    for (const j of journeys()) await http(base, 'POST', `/v1/stores/${storeId}/journeys`, j);

    // 3. Trigger evaluation: behaviour events against the active journeys.
    const interested = new Map<number, Set<number>>();
    const stream = [...events(storeId, people, cfg.products, cfg.events, cfg.seed, interested)];
    t0 = Date.now();
    await send(
      producer,
      TOPICS.EventsEnriched,
      stream.map((e) => ({ key: shopperKey(storeId, e.profileId), value: JSON.stringify(e) })),
    );
    const sentAt = Date.now();
    const eventsDone = await waitFor('events', async () => (await lag(admin, [TOPICS.EventsEnriched])) === 0);
    const eventRate = cfg.events / ((eventsDone - t0) / 1000);
    const runs = await count(`SELECT count(*) AS n FROM campaign.journey_runs WHERE store_id = $1`);
    log(`events: ${fmt(cfg.events)} evaluated in ${fmt((eventsDone - t0) / 1000, 1)} s (${fmt(eventRate)}/s; publishing took ${fmt((sentAt - t0) / 1000, 1)} s); ${fmt(runs)} journey runs started`);

    // 4. Stock alerts: the most-watched products fall under the threshold at once.
    const targets = [...interested.entries()].sort((a, b) => b[1].size - a[1].size).slice(0, cfg.alertProducts);
    const expected = new Map<string, { product: string; shopper: BenchShopper }[]>();
    let asleep = 0;
    let noConsent = 0;
    const alertAt = new Date();
    for (const [p, who] of targets) {
      const productId = `sku-${String(p).padStart(5, '0')}`;
      for (const i of who) {
        const s = people[i];
        if (!s.consentEmail) noConsent++;
        else if (inQuietHours(s.timezone, alertAt, cfg.quietStart, cfg.quietEnd)) asleep++;
        else {
          const list = expected.get(s.email) ?? [];
          list.push({ product: productId, shopper: s });
          expected.set(s.email, list);
        }
      }
    }
    const expectedMails = [...expected.values()].reduce((a, l) => a + l.length, 0);
    const before = sink.arrivals.length;
    const drops: InventoryChange[] = targets.map(([p]) => ({ storeId, productId: `sku-${String(p).padStart(5, '0')}`, stockLevel: cfg.threshold - 2, inStock: true, updatedAt: alertAt.toISOString() }));
    const published = Date.now();
    await send(producer, TOPICS.CatalogInventory, drops.map((d) => ({ key: productKey(storeId, d.productId), value: JSON.stringify(d) })));
    log(`alerts: ${targets.length} products under ${cfg.threshold} in stock; ${fmt(expectedMails)} e-mails expected now (interested, consenting, awake), ${fmt(asleep)} held for quiet hours, ${fmt(noConsent)} without consent`);
    await waitFor('alert e-mails', async () => sink.arrivals.length - before >= expectedMails);
    await sleep(3_000); // anything beyond the expected would show up here
    const alerts = sink.arrivals.slice(before);
    const delays = alerts.map((a) => a.at - published);
    const recipients = new Set(alerts.map((a) => a.to));
    const unexpected = alerts.filter((a) => !expected.has(a.to)).length;
    const duplicates = alerts.length - new Set(alerts.map((a) => a.messageId)).size;
    const d = summary(delays);
    const spanS = (Math.max(...alerts.map((a) => a.at)) - published) / 1000;
    log(`alerts: ${fmt(alerts.length)} e-mails to ${fmt(recipients.size)} shoppers; delay from the stock change to SMTP p50 ${fmt(d.p50)} ms, p95 ${fmt(d.p95)} ms, max ${fmt(d.max)} ms; all handed over within ${fmt(spanS, 1)} s (${fmt(alerts.length / spanS)}/s); unexpected recipients ${unexpected}, duplicates ${duplicates}`);
    const held = await count(`SELECT count(*) AS n FROM campaign.messages WHERE store_id = $1 AND state = 'queued' AND next_attempt_at > now()`);

    const results = {
      at: new Date().toISOString(),
      cfg,
      storeId,
      profiles: { count: cfg.profiles, seconds: profileSeconds, perSecond: profileRate },
      triggers: { events: cfg.events, seconds: (eventsDone - t0) / 1000, perSecond: eventRate, runsStarted: runs },
      alerts: { products: targets.length, expected: expectedMails, delivered: alerts.length, recipients: recipients.size, unexpected, duplicates, heldForQuietHours: asleep, heldInOutbox: held, noConsent, delayMs: d, spanSeconds: spanS, perSecond: alerts.length / spanS },
    };
    mkdirSync(cfg.outDir, { recursive: true });
    writeFileSync(resolve(cfg.outDir, 'results.json'), JSON.stringify(results, null, 2));
    log(`results: ${resolve(cfg.outDir, 'results.json')}`);
    process.exitCode = unexpected === 0 && duplicates === 0 && alerts.length === expectedMails ? 0 : 3;
  } finally {
    service?.kill('SIGTERM');
    await Promise.allSettled([producer.disconnect(), admin.disconnect(), db.end(), sink.stop()]);
  }
}

/** Quiet hours and a cap high enough that the alerts measure delivery, not the cap. */
function deliverySettings(): unknown {
  return { frequencyCap: 20, quietHours: { start: `${String(cfg.quietStart).padStart(2, '0')}:00`, end: `${String(cfg.quietEnd).padStart(2, '0')}:00` }, timezone: 'UTC' };
}

/** Low stock (what is timed) and cart abandonment (what most events trigger). */
function journeys(): unknown[] {
  return [
    {
      name: 'Almost gone',
      trigger: { type: 'low_stock', threshold: cfg.threshold },
      steps: [{ id: 'alert', type: 'send', channel: 'email', template: { subject: 'Only {{product.left}} left: {{product.title}}', html: '<p>{{product.title}} is almost gone.</p>', text: '{{product.title}} is almost gone.' } }],
      holdoutPercent: 0,
      status: 'active',
    },
    {
      name: 'Cart reminder',
      trigger: { type: 'cart_abandoned' },
      steps: [
        { id: 'wait', type: 'wait', minutes: 60 },
        { id: 'remind', type: 'send', channel: 'email', template: { subject: 'You left something behind', html: '<p>Your cart is waiting.</p>', text: 'Your cart is waiting.' } },
      ],
      holdoutPercent: 10,
      status: 'active',
    },
  ];
}

main().catch((e: unknown) => {
  console.error(`bench/campaigns failed: ${e instanceof Error ? (e.stack ?? e.message) : String(e)}`);
  process.exit(1);
});
