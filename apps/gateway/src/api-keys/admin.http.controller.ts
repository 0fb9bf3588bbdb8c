import { Controller, HttpCode, Inject, Param, Post, Delete, UnauthorizedException, Headers, BadRequestException } from '@nestjs/common';
import { timingSafeEqual } from 'node:crypto';
import { StoreId } from '@signal/contracts';
import { GATEWAY_CONFIG, type GatewayConfig } from '../config';
import { ApiKeysService } from './api-keys.service';

const STORE_ID = new RegExp(StoreId.pattern as string);

/** Operator API: issue and revoke store keys. Guarded by ADMIN_TOKEN. */
@Controller('admin/v1/stores/:storeId/keys')
export class AdminHttpController {
  constructor(
    private readonly keys: ApiKeysService,
    @Inject(GATEWAY_CONFIG) private readonly config: GatewayConfig,
  ) {}

  @Post()
  @HttpCode(201)
  issue(@Param('storeId') storeId: string, @Headers('x-admin-token') token?: string) {
    this.check(storeId, token);
    return this.keys.issue(storeId);
  }

  @Delete()
  async revoke(@Param('storeId') storeId: string, @Headers('x-admin-token') token?: string) {
    this.check(storeId, token);
    return { storeId, revoked: await this.keys.revokeAll(storeId) };
  }

  private check(storeId: string, token: string | undefined): void {
    const expected = Buffer.from(this.config.ADMIN_TOKEN);
    const given = Buffer.from(token ?? '');
    if (given.length !== expected.length || !timingSafeEqual(given, expected)) {
      throw new UnauthorizedException({ statusCode: 401, error: 'Unauthorized', message: 'Bad or missing X-Admin-Token', errors: [{ field: 'X-Admin-Token', message: 'invalid' }] });
    }
    if (storeId.length > 64 || !STORE_ID.test(storeId)) {
      throw new BadRequestException({ statusCode: 400, error: 'Bad Request', message: 'Invalid store id', errors: [{ field: 'storeId', message: 'lower-case letters, digits and dashes, up to 64' }] });
    }
  }
}
