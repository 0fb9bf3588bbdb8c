import { BadRequestException, type ArgumentMetadata, type PipeTransform } from '@nestjs/common';
import type { Request, Response } from 'express';
import type { UpstreamCall, UpstreamMethod } from './upstream-client';

const MAX_ID_LENGTH = 128;

const badId = (field: string, message: string) =>
  new BadRequestException({ statusCode: 400, error: 'Bad Request', message: `Invalid ${field}`, errors: [{ field, message }] });

/**
 * Path ids are hostile input: bounded, no control characters, no dot segments. Their exact shape
 * is the upstream service's to check; the gateway only makes sure they reach it as one encoded segment.
 */
export class UpstreamId implements PipeTransform<unknown, string> {
  transform(value: unknown, meta: ArgumentMetadata): string {
    const field = meta.data ?? 'id';
    if (typeof value !== 'string' || value.length === 0 || value.length > MAX_ID_LENGTH) throw badId(field, `1 to ${MAX_ID_LENGTH} characters`);
    if (value === '.' || value === '..') throw badId(field, 'not a path segment');
    if (/\p{Cc}/u.test(value)) throw badId(field, 'no control characters');
    return value;
  }
}

/** The client's query string as sent; the store is the key's and lives in the path, so a client's own storeId is not passed on. */
export function clientQuery(req: Request): URLSearchParams {
  const at = req.originalUrl.indexOf('?');
  const query = new URLSearchParams(at < 0 ? '' : req.originalUrl.slice(at + 1));
  query.delete('storeId');
  return query;
}

/**
 * The call that forwards this request: its method, query and JSON body, for the caller's store.
 * `res` carries the request id the platform's logging chose (given by the client or made).
 */
export function callFrom(req: Request, res: Response, storeId: string, path: string, o: { slow?: boolean } = {}): UpstreamCall {
  const method = req.method as UpstreamMethod;
  const sendsBody = method === 'POST' || method === 'PUT';
  // Express leaves the body undefined unless the JSON parser read it.
  if (sendsBody && req.body === undefined) {
    throw new BadRequestException({
      statusCode: 400,
      error: 'Bad Request',
      message: 'Expected a JSON body',
      errors: [{ field: '(body)', message: 'send JSON with Content-Type: application/json' }],
    });
  }
  return {
    method,
    storeId,
    path,
    query: clientQuery(req),
    body: sendsBody ? req.body : undefined,
    slow: o.slow,
    requestId: requestIdOf(res),
  };
}

/** The request id the platform's logging chose for this request (given by the client or made), to pass upstream. */
export function requestIdOf(res: Response): string | undefined {
  const requestId = res.getHeader('x-request-id');
  return typeof requestId === 'string' ? requestId : undefined;
}

/** A checked query as a service reads it: rebuilt from what was checked, never the raw string. */
export function upstreamQuery(query: object): URLSearchParams {
  const params = new URLSearchParams();
  for (const [key, value] of Object.entries(query)) {
    if (value === undefined || (Array.isArray(value) && value.length === 0)) continue;
    // Lists go repeated, which every parser reads, so a value holding a comma arrives whole.
    if (Array.isArray(value)) for (const v of value) params.append(key, String(v));
    else params.set(key, String(value));
  }
  return params;
}
