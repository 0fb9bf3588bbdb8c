import { BadRequestException, UnauthorizedException } from '@nestjs/common';
import { StoreId } from '@signal/contracts';
import { timingSafeEqual } from 'node:crypto';

const STORE_ID = new RegExp(StoreId.pattern as string);

/** The admin API's check (as for store keys): the operator's X-Admin-Token, and a well-formed store id. */
export function checkAdmin(expectedToken: string, storeId: string, token: string | undefined): void {
  const expected = Buffer.from(expectedToken);
  const given = Buffer.from(token ?? '');
  if (given.length !== expected.length || !timingSafeEqual(given, expected)) {
    throw new UnauthorizedException({ statusCode: 401, error: 'Unauthorized', message: 'Bad or missing X-Admin-Token', errors: [{ field: 'X-Admin-Token', message: 'invalid' }] });
  }
  if (storeId.length > 64 || !STORE_ID.test(storeId)) {
    throw new BadRequestException({ statusCode: 400, error: 'Bad Request', message: 'Invalid store id', errors: [{ field: 'storeId', message: 'lower-case letters, digits and dashes, up to 64' }] });
  }
}
