import { Inject, Injectable, PayloadTooLargeException, type NestMiddleware } from '@nestjs/common';
import type { NextFunction, Request, Response } from 'express';
import { GATEWAY_CONFIG, type GatewayConfig } from '../config';

/**
 * UPSTREAM_MAX_BODY_BYTES for the proxied routes. The app-wide JSON parser (sized for event batches)
 * has read the body by now, so this only bounds what is forwarded: by the declared length, or, for
 * a chunked body, by its size once serialized again.
 */
@Injectable()
export class UpstreamBodyLimit implements NestMiddleware {
  constructor(@Inject(GATEWAY_CONFIG) private readonly config: GatewayConfig) {}

  use(req: Request, _res: Response, next: NextFunction): void {
    const limit = this.config.UPSTREAM_MAX_BODY_BYTES;
    const declared = Number(req.headers['content-length'] ?? 0);
    const size = declared > 0 ? declared : req.body === undefined ? 0 : Buffer.byteLength(JSON.stringify(req.body));
    if (size > limit) {
      throw new PayloadTooLargeException({
        statusCode: 413,
        error: 'Payload Too Large',
        message: 'Request body too large',
        errors: [{ field: '(body)', message: `at most ${limit} bytes` }],
      });
    }
    next();
  }
}
