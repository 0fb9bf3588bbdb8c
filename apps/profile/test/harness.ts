import { randomBytes } from 'node:crypto';
import { TOPICS, shopperKey, type EnrichedEvent, type ProfileView } from '@signal/contracts';
import { loadConfig } from '@signal/platform';
import { groupAtTopicEnd, startTestService, testEnv, type RunningService } from '@signal/testing';
import { Kafka, logLevel, type Producer } from 'kafkajs';
import { Client } from 'pg';
import { AppModule } from '../src/app.module';
import { ProfileConfigSchema, type ProfileConfig } from '../src/config';

export const uniqueStore = (): string => `t-${randomBytes(6).toString('hex')}`;

export interface Harness {
  service: RunningService;
  config: ProfileConfig;
  /** Publishes events keyed the way ingest keys them. */
  publish(events: EnrichedEvent[]): Promise<void>;
  /** Publishes raw message values, for what no well-behaved producer would send. */
  publishRaw(messages: { key: string; value: string }[]): Promise<void>;
  get<T = unknown>(path: string): Promise<{ status: number; body: T }>;
  /** Any method with a JSON body; the answer parsed as JSON when it is JSON, else as text. */
  send<T = unknown>(method: string, path: string, body?: unknown): Promise<{ status: number; body: T }>;
  profile(storeId: string, profileId: string): Promise<ProfileView | undefined>;
  sql<T>(text: string, params?: unknown[]): Promise<T[]>;
  close(): Promise<void>;
}

export async function startProfile(env: Record<string, string> = {}): Promise<Harness> {
  // 4xx answers log at warn; the tests provoke hundreds of them.
  const config = loadConfig(ProfileConfigSchema, testEnv({ LOG_LEVEL: 'error', SEGMENT_BACKFILL_DELAY_MS: '0', SEGMENT_SWEEP_INTERVAL_MS: '250', ...env }));
  const kafka = new Kafka({ clientId: 'profile-test', brokers: config.KAFKA_BROKERS.split(','), logLevel: logLevel.NOTHING });
  const service = await startTestService(AppModule.register(config, { groupId: await groupAtTopicEnd('profile', [TOPICS.EventsEnriched], config.KAFKA_BROKERS) }));
  const producer: Producer = kafka.producer();
  await producer.connect();
  const db = new Client({ connectionString: config.DATABASE_URL });
  await db.connect();

  const publishRaw: Harness['publishRaw'] = async (messages) => {
    await producer.send({ topic: TOPICS.EventsEnriched, acks: -1, messages });
  };
  const get: Harness['get'] = async <T>(path: string) => {
    const res = await fetch(`${service.url}${path}`);
    return { status: res.status, body: (await res.json()) as T };
  };
  const send: Harness['send'] = async <T>(method: string, path: string, body?: unknown) => {
    const res = await fetch(`${service.url}${path}`, { method, headers: body === undefined ? {} : { 'content-type': 'application/json' }, body: body === undefined ? undefined : JSON.stringify(body) });
    const text = await res.text();
    const json = (res.headers.get('content-type') ?? '').includes('json');
    return { status: res.status, body: (json && text ? JSON.parse(text) : text) as T };
  };
  return {
    service,
    config,
    send,
    publishRaw,
    publish: (events) => publishRaw(events.map((e) => ({ key: shopperKey(e.storeId, e.profileId), value: JSON.stringify(e) }))),
    get,
    profile: async (storeId, profileId) => {
      const res = await get<ProfileView>(`/v1/stores/${storeId}/profiles/${encodeURIComponent(profileId)}`);
      return res.status === 200 ? res.body : undefined;
    },
    sql: async <T>(text: string, params: unknown[] = []) => (await db.query(text, params)).rows as T[],
    close: async () => {
      await Promise.allSettled([producer.disconnect(), db.end()]);
      await service.close();
    },
  };
}
