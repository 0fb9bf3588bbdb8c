import { CanActivate, ExecutionContext, ForbiddenException, Injectable, SetMetadata, UnauthorizedException, applyDecorators, UseGuards, createParamDecorator } from '@nestjs/common';
import { Reflector } from '@nestjs/core';
import type { Request } from 'express';
import type { ApiKeyKind } from './api-key.entity';
import { ApiKeysService, type Caller } from './api-keys.service';

const KIND = 'api-key-kind';

function presentedKey(req: Request): string | undefined {
  const header = req.headers['x-api-key'];
  if (typeof header === 'string' && header) return header;
  const auth = req.headers.authorization;
  if (auth?.startsWith('Bearer ')) return auth.slice(7).trim();
  return undefined;
}

@Injectable()
export class ApiKeyGuard implements CanActivate {
  constructor(
    private readonly keys: ApiKeysService,
    private readonly reflector: Reflector,
  ) {}

  async canActivate(context: ExecutionContext): Promise<boolean> {
    const needed = this.reflector.get<ApiKeyKind>(KIND, context.getHandler());
    const req = context.switchToHttp().getRequest<Request & { caller?: Caller }>();
    const key = presentedKey(req);
    if (!key) throw new UnauthorizedException({ statusCode: 401, error: 'Unauthorized', message: 'Missing API key: send X-Api-Key or Authorization: Bearer', errors: [{ field: 'X-Api-Key', message: 'required' }] });
    const caller = await this.keys.authenticate(key);
    if (!caller) throw new UnauthorizedException({ statusCode: 401, error: 'Unauthorized', message: 'Unknown or revoked API key', errors: [{ field: 'X-Api-Key', message: 'unknown or revoked' }] });
    // A secret key may do what a write key does; a write key (public, in browsers) may only write events.
    if (needed === 'secret' && caller.kind !== 'secret') {
      throw new ForbiddenException({ statusCode: 403, error: 'Forbidden', message: 'This endpoint needs the secret key', errors: [{ field: 'X-Api-Key', message: 'secret key required' }] });
    }
    req.caller = caller;
    return true;
  }
}

/** Requires a store API key of the given kind. */
export const RequireKey = (kind: ApiKeyKind) => applyDecorators(SetMetadata(KIND, kind), UseGuards(ApiKeyGuard));

/** The authenticated store. */
export const CallerStore = createParamDecorator((_: unknown, ctx: ExecutionContext): string => {
  return (ctx.switchToHttp().getRequest<Request & { caller: Caller }>()).caller.storeId;
});
