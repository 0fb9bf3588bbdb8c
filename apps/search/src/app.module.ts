import { Module, type DynamicModule } from '@nestjs/common';
import { PlatformModule } from '@signal/platform';
import type { SearchConfig } from './config';

/** Boots, connects and answers /health and /metrics; its features arrive with later work. */
@Module({})
export class AppModule {
  static register(config: SearchConfig, o: { groupId?: string } = {}): DynamicModule {
    return {
      module: AppModule,
      imports: [
        PlatformModule.forRoot({
          service: 'search',
          settings: config,
          topics: [],
          groupId: o.groupId,
      opensearchUrl: config.OPENSEARCH_URL,
        }),
      ],
    };
  }
}
