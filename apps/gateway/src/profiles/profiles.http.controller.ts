import { BadGatewayException, Controller, Get, GatewayTimeoutException, HttpException, Inject, Param, Query } from '@nestjs/common';
import { GATEWAY_CONFIG, type GatewayConfig } from '../config';
import { CallerStore, RequireKey } from '../api-keys/api-key.guard';

/** Reads go over HTTP to the service that owns the data, with a tight timeout. */
@Controller('v1/profiles')
export class ProfilesHttpController {
  constructor(@Inject(GATEWAY_CONFIG) private readonly config: GatewayConfig) {}

  @Get()
  @RequireKey('secret')
  lookup(@CallerStore() storeId: string, @Query('anonymousId') anonymousId?: string, @Query('customerId') customerId?: string) {
    const query = new URLSearchParams();
    if (typeof anonymousId === 'string') query.set('anonymousId', anonymousId);
    if (typeof customerId === 'string') query.set('customerId', customerId);
    return this.forward(`/v1/stores/${encodeURIComponent(storeId)}/profiles?${query}`);
  }

  @Get(':id')
  @RequireKey('secret')
  byId(@CallerStore() storeId: string, @Param('id') id: string) {
    return this.forward(`/v1/stores/${encodeURIComponent(storeId)}/profiles/${encodeURIComponent(id)}`);
  }

  private async forward(path: string): Promise<unknown> {
    let res: Response;
    try {
      res = await fetch(`${this.config.PROFILE_URL}${path}`, { signal: AbortSignal.timeout(this.config.UPSTREAM_TIMEOUT_MS) });
    } catch (e) {
      if ((e as Error).name === 'TimeoutError') throw new GatewayTimeoutException({ statusCode: 504, error: 'Gateway Timeout', message: 'Profile service did not answer in time' });
      throw new BadGatewayException({ statusCode: 502, error: 'Bad Gateway', message: 'Profile service unreachable' });
    }
    const body = (await res.json().catch(() => null)) as unknown;
    if (res.ok) return body;
    if (res.status < 500) throw new HttpException(body ?? { statusCode: res.status }, res.status);
    throw new BadGatewayException({ statusCode: 502, error: 'Bad Gateway', message: 'Profile service failed' });
  }
}
