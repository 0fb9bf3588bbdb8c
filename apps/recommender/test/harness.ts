import { randomBytes, randomUUID } from 'node:crypto';
import { TOPICS, productKey, profileIdFor, shopperKey, type EnrichedEvent, type Product, type TopicName } from '@signal/contracts';
import { loadConfig, openDatabase } from '@signal/platform';
import { groupAtTopicEnd, startTestService, testEnv, type RunningService } from '@signal/testing';
import { Kafka, logLevel, type Producer } from 'kafkajs';
import { Client } from 'pg';
import { AppModule } from '../src/app.module';
import { RecommenderConfigSchema, type RecommenderConfig } from '../src/config';
import { RECOMMENDER_MIGRATIONS } from '../src/migrations';
import { buildStoreModels, type BuildStats } from '../src/models/build-models';

export const uniqueStore = (): string => `t-${randomBytes(6).toString('hex')}`;

export interface Harness {
  service: RunningService;
  config: RecommenderConfig;
  publish(events: EnrichedEvent[]): Promise<void>;
  publishProducts(products: Product[]): Promise<void>;
  publishRaw(topic: TopicName, messages: { key: string | null; value: string | null; headers?: Record<string, string> }[]): Promise<void>;
  get<T = unknown>(path: string): Promise<{ status: number; body: T }>;
  send<T = unknown>(method: string, path: string, body?: unknown): Promise<{ status: number; body: T }>;
  /** Runs the model job's build for one store, in this process. */
  build(storeId: string): Promise<BuildStats>;
  sql<T>(text: string, params?: unknown[]): Promise<T[]>;
  close(): Promise<void>;
}

export async function startRecommender(env: Record<string, string> = {}): Promise<Harness> {
  const config = loadConfig(RecommenderConfigSchema, testEnv({ LOG_LEVEL: 'error', CACHE_REFRESH_MS: '200', ...env }));
  const groupId = await groupAtTopicEnd('recommender', [TOPICS.EventsEnriched, TOPICS.CatalogProducts, TOPICS.CatalogInventory, TOPICS.ProfilesChanged, TOPICS.PrivacyErasures], config.KAFKA_BROKERS);
  const service = await startTestService(AppModule.register(config, { groupId }));
  const kafka = new Kafka({ clientId: 'recommender-test', brokers: config.KAFKA_BROKERS.split(','), logLevel: logLevel.NOTHING });
  const producer: Producer = kafka.producer();
  await producer.connect();
  const db = new Client({ connectionString: config.DATABASE_URL });
  await db.connect();
  const jobDb = await openDatabase({ url: config.DATABASE_URL, schema: 'recommender', entities: [], migrations: RECOMMENDER_MIGRATIONS, poolSize: 2 });

  const publishRaw: Harness['publishRaw'] = async (topic, messages) => {
    await producer.send({ topic, acks: -1, messages });
  };
  const send: Harness['send'] = async <T>(method: string, path: string, body?: unknown) => {
    const res = await fetch(`${service.url}${path}`, { method, headers: body === undefined ? {} : { 'content-type': 'application/json' }, body: body === undefined ? undefined : JSON.stringify(body) });
    const text = await res.text();
    return { status: res.status, body: ((res.headers.get('content-type') ?? '').includes('json') && text ? JSON.parse(text) : text) as T };
  };
  return {
    service,
    config,
    publishRaw,
    publish: (events) => publishRaw(TOPICS.EventsEnriched, events.map((e) => ({ key: shopperKey(e.storeId, e.profileId), value: JSON.stringify(e) }))),
    publishProducts: (products) => publishRaw(TOPICS.CatalogProducts, products.map((p) => ({ key: productKey(p.storeId, p.productId), value: JSON.stringify(p) }))),
    get: (path) => send('GET', path),
    send,
    build: (storeId) => buildStoreModels(jobDb, config, storeId),
    sql: async <T>(text: string, params: unknown[] = []) => (await db.query(text, params)).rows as T[],
    close: async () => {
      await Promise.allSettled([producer.disconnect(), db.end(), jobDb.destroy()]);
      await service.close();
    },
  };
}

export const product = (storeId: string, productId: string, o: Partial<Product> = {}): Product => ({
  storeId,
  productId,
  title: productId,
  categories: [],
  price: 10,
  currency: 'EUR',
  inStock: true,
  createdAt: '2025-01-01T00:00:00.000Z',
  updatedAt: new Date().toISOString(),
  ...o,
});

/** An enriched event as ingest would publish it. */
export function enrichedEvent(o: Partial<EnrichedEvent> & Pick<EnrichedEvent, 'storeId' | 'anonymousId'>): EnrichedEvent {
  const now = new Date().toISOString();
  return {
    eventId: randomUUID(),
    type: 'page_view',
    occurredAt: now,
    receivedAt: now,
    enrichedAt: now,
    properties: {},
    profileId: profileIdFor(o.storeId, { customerId: o.customerId, anonymousId: o.anonymousId }),
    enrichment: { device: { type: 'desktop' } },
    ...o,
  };
}

export const purchase = (storeId: string, who: { anonymousId: string; customerId?: string }, items: string[], o: Partial<EnrichedEvent> = {}): EnrichedEvent =>
  enrichedEvent({
    storeId,
    ...who,
    type: 'purchase',
    properties: { orderId: `o-${randomUUID()}`, value: 10 * items.length, currency: 'EUR', items: items.map((productId) => ({ productId, quantity: 1, price: 10 })) },
    ...o,
  });

export const view = (storeId: string, anonymousId: string, productId: string, o: Partial<EnrichedEvent> = {}): EnrichedEvent =>
  enrichedEvent({ storeId, anonymousId, type: 'product_view', sessionId: `s-${anonymousId}`, properties: { productId }, ...o });
