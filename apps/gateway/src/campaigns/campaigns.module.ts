import { Inject, Module, type MiddlewareConsumer, type NestModule } from '@nestjs/common';
import { raw } from 'express';
import { ApiKeysModule } from '../api-keys/api-keys.module';
import { GATEWAY_CONFIG, type GatewayConfig } from '../config';
import { UpstreamBodyLimit } from '../upstream/body-limit.middleware';
import { CampaignAdminHttpController } from './campaign-admin.http.controller';
import { CampaignClient } from './campaign-client';
import { CampaignLinks } from './campaign-links';
import { CampaignLinksHttpController } from './campaign-links.http.controller';
import { DecisionsHttpController } from './decisions.http.controller';
import { DecisionsService } from './decisions.service';

/** The routes the campaign service answers: storefront decisions, message links, and its admin API. */
@Module({
  imports: [ApiKeysModule],
  controllers: [DecisionsHttpController, CampaignLinksHttpController, CampaignAdminHttpController],
  providers: [CampaignClient, CampaignLinks, DecisionsService],
})
export class CampaignsModule implements NestModule {
  constructor(@Inject(GATEWAY_CONFIG) private readonly config: GatewayConfig) {}

  configure(consumer: MiddlewareConsumer): void {
    // The one-click unsubscribe form, passed on as it came.
    consumer.apply(raw({ type: 'application/x-www-form-urlencoded', limit: this.config.UPSTREAM_MAX_BODY_BYTES })).forRoutes('v1/unsubscribe');
    consumer.apply(UpstreamBodyLimit).forRoutes(DecisionsHttpController, CampaignAdminHttpController);
  }
}
