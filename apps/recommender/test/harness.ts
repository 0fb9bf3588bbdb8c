import { TOPICS, type EnrichedEvent, type Product, type TopicName } from '@signal/contracts';
import { loadConfig, openDatabase } from '@signal/platform';
import { groupAtTopicEnd, httpClient, startTestService, testEnv, testProducer, type RunningService } from '@signal/testing';
import { Client } from 'pg';
import { AppModule } from '../src/app.module';
import { RecommenderConfigSchema, type RecommenderConfig } from '../src/config';
import { RECOMMENDER_MIGRATIONS } from '../src/migrations';
import { buildStoreModels, type BuildStats } from '../src/models/build-models';

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
  const config = loadConfig(RecommenderConfigSchema, testEnv({ LOG_LEVEL: 'error', CACHE_REFRESH_MS: '200', WARM_UP_STORES: '0', ...env }));
  const groupId = await groupAtTopicEnd('recommender', [TOPICS.EventsEnriched, TOPICS.CatalogProducts, TOPICS.CatalogInventory, TOPICS.ProfilesChanged, TOPICS.PrivacyErasures], config.KAFKA_BROKERS);
  const service = await startTestService(AppModule.register(config, { groupId }));
  const producer = await testProducer(config.KAFKA_BROKERS, 'recommender-test');
  const db = new Client({ connectionString: config.DATABASE_URL });
  await db.connect();
  const jobDb = await openDatabase({ url: config.DATABASE_URL, schema: 'recommender', entities: [], migrations: RECOMMENDER_MIGRATIONS, poolSize: 2 });

  const http = httpClient(service.url);
  return {
    service,
    config,
    publishRaw: producer.publishRaw,
    publish: producer.publish,
    publishProducts: producer.publishProducts,
    get: http.get,
    send: http.send,
    build: (storeId) => buildStoreModels(jobDb, config, storeId),
    sql: async <T>(text: string, params: unknown[] = []) => (await db.query(text, params)).rows as T[],
    close: async () => {
      await Promise.allSettled([producer.close(), db.end(), jobDb.destroy()]);
      await service.close();
    },
  };
}

export { enrichedEvent, product, purchase, uniqueStore, view } from '@signal/testing';
