import { Inject, Module, type MiddlewareConsumer, type NestModule } from '@nestjs/common';
import { raw } from 'express';
import { ApiKeysModule } from '../api-keys/api-keys.module';
import { GATEWAY_CONFIG, type GatewayConfig } from '../config';
import { UpstreamBodyLimit } from '../upstream/body-limit.middleware';
import { SearchClient } from '../upstream/search-client';
import { SearchAdminHttpController } from './search-admin.http.controller';
import { IMAGE_TYPES, SearchHttpController } from './search.http.controller';

/** The routes the search service answers, behind the gateway's keys. */
@Module({
  imports: [ApiKeysModule],
  controllers: [SearchHttpController, SearchAdminHttpController],
  providers: [SearchClient],
})
export class SearchModule implements NestModule {
  constructor(@Inject(GATEWAY_CONFIG) private readonly config: GatewayConfig) {}

  configure(consumer: MiddlewareConsumer): void {
    // Image bytes, read whole (bounded) so the gateway can check them before the call.
    consumer.apply(raw({ type: IMAGE_TYPES, limit: this.config.SEARCH_IMAGE_MAX_BYTES })).forRoutes('v1/search/image');
    consumer.apply(UpstreamBodyLimit).forRoutes(SearchAdminHttpController);
  }
}
