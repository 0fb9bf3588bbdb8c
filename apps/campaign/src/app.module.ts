import { Module, type DynamicModule } from '@nestjs/common';
import { PlatformModule } from '@signal/platform';
import type { CampaignConfig } from './config';

/** Boots, connects and answers /health and /metrics; its features arrive with later work. */
@Module({})
export class AppModule {
  static register(config: CampaignConfig, o: { groupId?: string } = {}): DynamicModule {
    return {
      module: AppModule,
      imports: [
        PlatformModule.forRoot({
          service: 'campaign',
          settings: config,
          topics: [],
          groupId: o.groupId,
      database: { url: config.DATABASE_URL, schema: 'campaign', entities: [], migrations: [], poolSize: config.DATABASE_POOL_SIZE },
        }),
      ],
    };
  }
}
