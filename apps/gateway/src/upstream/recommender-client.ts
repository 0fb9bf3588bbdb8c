import { Inject, Injectable } from '@nestjs/common';
import { GATEWAY_CONFIG, type GatewayConfig } from '../config';
import { UpstreamClient } from './upstream-client';

/** The recommender service: recommendations and merchandising rules. */
@Injectable()
export class RecommenderClient extends UpstreamClient {
  constructor(@Inject(GATEWAY_CONFIG) config: GatewayConfig) {
    super({ service: 'Recommender', baseUrl: config.RECOMMENDER_URL, timeoutMs: config.UPSTREAM_TIMEOUT_MS, slowTimeoutMs: config.UPSTREAM_SLOW_TIMEOUT_MS });
  }
}
