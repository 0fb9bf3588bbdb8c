import { Inject, Injectable } from '@nestjs/common';
import { GATEWAY_CONFIG, type GatewayConfig } from '../config';
import { UpstreamClient } from './upstream-client';

/** The search service: search, autocomplete, image search, synonyms, learned rewrites and reports. */
@Injectable()
export class SearchClient extends UpstreamClient {
  constructor(@Inject(GATEWAY_CONFIG) config: GatewayConfig) {
    super({ service: 'Search', baseUrl: config.SEARCH_URL, timeoutMs: config.SEARCH_TIMEOUT_MS, slowTimeoutMs: config.UPSTREAM_SLOW_TIMEOUT_MS });
  }
}
