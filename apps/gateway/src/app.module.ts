import { Module, type DynamicModule } from '@nestjs/common';
import { TOPICS } from '@signal/contracts';
import { PlatformModule } from '@signal/platform';
import { ApiKey } from './api-keys/api-key.entity';
import { ApiKeysModule } from './api-keys/api-keys.module';
import { CampaignsModule } from './campaigns/campaigns.module';
import { CatalogHttpController } from './catalog/catalog.http.controller';
import { CatalogFeedHttpController } from './catalog/feed/catalog-feed.http.controller';
import { GATEWAY_CONFIG, type GatewayConfig } from './config';
import { CreateApiKeys1764000000000 } from './migrations/1764000000000-create-api-keys';
import { RecommendationsModule } from './recommendations/recommendations.module';
import { RecordEventsModule } from './record-events/record-events.module';
import { SearchModule } from './search/search.module';
import { ProfileProxyModule } from './upstream/profile-proxy.module';

export const GATEWAY_ENTITIES = [ApiKey];
export const GATEWAY_MIGRATIONS = [CreateApiKeys1764000000000];

@Module({})
export class AppModule {
  static register(config: GatewayConfig): DynamicModule {
    return {
      module: AppModule,
      global: true,
      imports: [
        PlatformModule.forRoot({
          service: 'gateway',
          settings: config,
          topics: [TOPICS.EventsRaw, TOPICS.CatalogProducts, TOPICS.CatalogInventory],
          database: { url: config.DATABASE_URL, schema: 'gateway', entities: GATEWAY_ENTITIES, migrations: GATEWAY_MIGRATIONS, poolSize: config.DATABASE_POOL_SIZE },
        }),
        ApiKeysModule,
        RecordEventsModule,
        ProfileProxyModule,
        RecommendationsModule,
        SearchModule,
        CampaignsModule,
      ],
      controllers: [CatalogHttpController, CatalogFeedHttpController],
      providers: [{ provide: GATEWAY_CONFIG, useValue: config }],
      exports: [GATEWAY_CONFIG],
    };
  }
}
