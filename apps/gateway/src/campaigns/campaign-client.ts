import { Inject, Injectable } from '@nestjs/common';
import { GATEWAY_CONFIG, type GatewayConfig } from '../config';
import { UpstreamClient } from '../upstream/upstream-client';

/** The campaign service: on-site decisions, offers, journeys, and the links in its messages. */
@Injectable()
export class CampaignClient extends UpstreamClient {
  constructor(@Inject(GATEWAY_CONFIG) config: GatewayConfig) {
    super({ service: 'Campaign', baseUrl: config.CAMPAIGN_URL, timeoutMs: config.UPSTREAM_TIMEOUT_MS, slowTimeoutMs: config.UPSTREAM_SLOW_TIMEOUT_MS });
  }
}
