import { randomBytes } from 'node:crypto';
import { Client } from '@opensearch-project/opensearch';
import { TOPICS } from '@signal/contracts';
import { loadConfig } from '@signal/platform';
import { groupAtTopicEnd, httpClient, startTestService, testEnv, testProducer, type RunningService } from '@signal/testing';
import { AppModule } from '../src/app.module';
import { SearchConfigSchema, type SearchConfig } from '../src/config';
import { indexNames, type IndexNames } from '../src/indices/index-names';

export type SearchHarness = Awaited<ReturnType<typeof startSearch>>;

/** The search service on its own index prefix and consumer group, parked at the topics' ends. */
export async function startSearch(env: Record<string, string> = {}) {
  const prefix = `t-${randomBytes(4).toString('hex')}-`;
  const config: SearchConfig = loadConfig(SearchConfigSchema, testEnv({ LOG_LEVEL: 'error', SEARCH_INDEX_PREFIX: prefix, ...env }));
  const groupId = await groupAtTopicEnd('search', [TOPICS.EventsEnriched, TOPICS.CatalogProducts, TOPICS.CatalogInventory, TOPICS.ProfilesChanged, TOPICS.PrivacyErasures], config.KAFKA_BROKERS);
  const service: RunningService = await startTestService(AppModule.register(config, { groupId }));
  const producer = await testProducer(config.KAFKA_BROKERS, 'search-test');
  const os = new Client({ node: config.OPENSEARCH_URL });
  const names: IndexNames = indexNames(prefix);
  const http = httpClient(service.url);
  return {
    service,
    config,
    names,
    os,
    ...producer,
    ...http,
    close: async () => {
      await Promise.allSettled([producer.close()]);
      await service.close();
      await os.indices.delete({ index: `${prefix}*` }, { ignore: [404] }).catch(() => undefined);
      await os.indices.deleteIndexTemplate({ name: `${names.products}-template` }, { ignore: [404] }).catch(() => undefined);
      await os.close();
    },
  };
}
