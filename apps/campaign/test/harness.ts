import { TOPICS, type EnrichedEvent, type Product, type TopicName } from '@signal/contracts';
import { loadConfig } from '@signal/platform';
import { groupAtTopicEnd, httpClient, startTestService, testEnv, testProducer, type RunningService } from '@signal/testing';
import { Client } from 'pg';
import { AppModule } from '../src/app.module';
import { CampaignConfigSchema, type CampaignConfig } from '../src/config';

export interface Harness {
  service: RunningService;
  config: CampaignConfig;
  publish(events: EnrichedEvent[]): Promise<void>;
  publishProducts(products: Product[]): Promise<void>;
  publishRaw(topic: TopicName, messages: { key: string | null; value: string | null; headers?: Record<string, string> }[]): Promise<void>;
  get<T = unknown>(path: string): Promise<{ status: number; body: T }>;
  send<T = unknown>(method: string, path: string, body?: unknown): Promise<{ status: number; body: T }>;
  sql<T>(text: string, params?: unknown[]): Promise<T[]>;
  close(): Promise<void>;
}

/** The campaign service in this process, consuming with a group of its own from the topics' ends. */
export async function startCampaign(env: Record<string, string> = {}): Promise<Harness> {
  const config = loadConfig(CampaignConfigSchema, testEnv({ LOG_LEVEL: 'error', LINK_SECRET: 'campaign-test-link-secret', JOURNEY_POLL_MS: '100', OUTBOX_POLL_MS: '100', SEND_RETRY_BASE_MS: '200', ...env }));
  const groupId = await groupAtTopicEnd('campaign', [TOPICS.ProfilesChanged, TOPICS.PrivacyErasures, TOPICS.EventsEnriched, TOPICS.CatalogProducts, TOPICS.CatalogInventory], config.KAFKA_BROKERS);
  const service = await startTestService(AppModule.register(config, { groupId }));
  const producer = await testProducer(config.KAFKA_BROKERS, 'campaign-test');
  const db = new Client({ connectionString: config.DATABASE_URL });
  await db.connect();
  const http = httpClient(service.url);
  return {
    service,
    config,
    publishRaw: producer.publishRaw,
    publish: producer.publish,
    publishProducts: producer.publishProducts,
    get: http.get,
    send: http.send,
    sql: async <T>(text: string, params: unknown[] = []) => (await db.query(text, params)).rows as T[],
    close: async () => {
      await Promise.allSettled([producer.close(), db.end()]);
      await service.close();
    },
  };
}

export { enrichedEvent, eventually, product, purchase, uniqueStore, view } from '@signal/testing';
