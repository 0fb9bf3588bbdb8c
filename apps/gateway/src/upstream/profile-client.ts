import { Inject, Injectable } from '@nestjs/common';
import { GATEWAY_CONFIG, type GatewayConfig } from '../config';
import { UpstreamClient } from './upstream-client';

/** The profile service: profiles, settings, segments and quizzes. */
@Injectable()
export class ProfileClient extends UpstreamClient {
  constructor(@Inject(GATEWAY_CONFIG) config: GatewayConfig) {
    super({ service: 'Profile', baseUrl: config.PROFILE_URL, timeoutMs: config.UPSTREAM_TIMEOUT_MS, slowTimeoutMs: config.UPSTREAM_SLOW_TIMEOUT_MS });
  }
}
