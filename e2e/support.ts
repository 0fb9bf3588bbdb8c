import { spawn } from 'node:child_process';
import { randomUUID } from 'node:crypto';
import { resolve } from 'node:path';
import { TOPICS, type ProfileView } from '@signal/contracts';
import { ServiceProcess, eventually, groupAtTopicEnd, repoRoot, testEnv } from '@signal/testing';

export const ADMIN_TOKEN = 'e2e-admin-token-0123456789';

/** gateway, ingest and profile (and, when asked, the recommender) as separate processes from the build, wired to each other. */
export class Platform {
  private constructor(
    readonly gateway: ServiceProcess,
    readonly ingest: ServiceProcess,
    readonly profile: ServiceProcess,
    readonly recommender: ServiceProcess | null,
    private readonly env: NodeJS.ProcessEnv,
  ) {}

  static async start(o: { recommender?: boolean } = {}): Promise<Platform> {
    const env = testEnv({ ADMIN_TOKEN, KAFKA_SESSION_TIMEOUT_MS: '6000', KAFKA_CONSUMER_MAX_ATTEMPTS: '3' });
    // Fresh groups from the topics' ends: this run's events only, whatever else the topics hold.
    const profile = await ServiceProcess.create('profile', { ...env, KAFKA_GROUP_ID: await groupAtTopicEnd('profile', [TOPICS.EventsEnriched]) });
    const ingest = await ServiceProcess.create('ingest', { ...env, KAFKA_GROUP_ID: await groupAtTopicEnd('ingest', [TOPICS.EventsRaw]) });
    const recommender = o.recommender
      ? await ServiceProcess.create('recommender', {
          ...env,
          KAFKA_GROUP_ID: await groupAtTopicEnd('recommender', [TOPICS.EventsEnriched, TOPICS.CatalogProducts, TOPICS.CatalogInventory, TOPICS.ProfilesChanged, TOPICS.PrivacyErasures]),
        })
      : null;
    const gateway = await ServiceProcess.create('gateway', { ...env, PROFILE_URL: profile.url, ...(recommender ? { RECOMMENDER_URL: recommender.url } : {}) });
    await Promise.all([profile.start(), ingest.start(), gateway.start(), recommender?.start()]);
    return new Platform(gateway, ingest, profile, recommender, env);
  }

  async stop(): Promise<void> {
    await Promise.all([this.gateway.stop(), this.ingest.stop(), this.profile.stop(), this.recommender?.stop()]);
  }

  /** The recommender's model job, as its own process (as a CronJob runs it), for one store. */
  async buildModels(storeId: string): Promise<void> {
    const job = resolve(repoRoot, 'dist/apps/recommender/src/build-models.js');
    const code = await new Promise<number | null>((ok, fail) => {
      const child = spawn(process.execPath, [job, '--store', storeId], { env: this.env, stdio: 'ignore' });
      child.once('error', fail);
      child.once('exit', ok);
    });
    if (code !== 0) throw new Error(`model job exited with ${code}`);
  }

  async issueKeys(storeId: string): Promise<Store> {
    const res = await fetch(`${this.gateway.url}/admin/v1/stores/${storeId}/keys`, { method: 'POST', headers: { 'x-admin-token': ADMIN_TOKEN } });
    if (res.status !== 201) throw new Error(`issuing keys failed: ${res.status}`);
    const keys = (await res.json()) as { writeKey: string; secretKey: string };
    return new Store(this.gateway.url, storeId, keys.writeKey, keys.secretKey);
  }
}

export interface EventInput {
  type?: string;
  anonymousId: string;
  customerId?: string;
  properties?: Record<string, unknown>;
  context?: Record<string, unknown>;
  eventId?: string;
  occurredAt?: string;
}

export class Store {
  constructor(
    readonly url: string,
    readonly storeId: string,
    readonly writeKey: string,
    readonly secretKey: string,
  ) {}

  static newId(): string {
    return `e2e-${randomUUID().slice(0, 8)}`;
  }

  event(e: EventInput) {
    return {
      eventId: e.eventId ?? randomUUID(),
      type: e.type ?? 'product_view',
      occurredAt: e.occurredAt ?? new Date().toISOString(),
      anonymousId: e.anonymousId,
      ...(e.customerId ? { customerId: e.customerId } : {}),
      properties: e.properties ?? { productId: 'sku-1' },
      ...(e.context ? { context: e.context } : {}),
    };
  }

  /** Sends until the gateway accepts: a 503 while a service restarts is the sender's cue to retry. */
  async send(events: unknown[]): Promise<void> {
    await eventually(
      async () => {
        const res = await fetch(`${this.url}/v1/events`, { method: 'POST', headers: { 'content-type': 'application/json', 'x-api-key': this.writeKey }, body: JSON.stringify({ events }) });
        if (res.status !== 202) throw new Error(`gateway answered ${res.status}: ${await res.text()}`);
        return true;
      },
      { timeoutMs: 30_000, intervalMs: 200 },
    );
  }

  /** A JSON API call with the secret key (or the write key), answered as status and parsed body (text for non-JSON). */
  async api<T = unknown>(method: string, path: string, body?: unknown, key: 'secret' | 'write' = 'secret'): Promise<{ status: number; body: T }> {
    const res = await fetch(`${this.url}${path}`, {
      method,
      headers: { 'x-api-key': key === 'secret' ? this.secretKey : this.writeKey, ...(body === undefined ? {} : { 'content-type': 'application/json' }) },
      body: body === undefined ? undefined : JSON.stringify(body),
    });
    const text = await res.text();
    return { status: res.status, body: ((res.headers.get('content-type') ?? '').includes('json') && text ? JSON.parse(text) : text) as T };
  }

  async profile(query: { anonymousId?: string; customerId?: string }): Promise<ProfileView | null> {
    const res = await fetch(`${this.url}/v1/profiles?${new URLSearchParams(query as Record<string, string>)}`, { headers: { 'x-api-key': this.secretKey } });
    if (res.status === 404) return null;
    if (res.status !== 200) throw new Error(`profile lookup answered ${res.status}: ${await res.text()}`);
    return (await res.json()) as ProfileView;
  }
}
