import { BadRequestException } from '@nestjs/common';
import type { Request } from 'express';

const bad = (message: string) => new BadRequestException({ statusCode: 400, error: 'Bad Request', message: 'Invalid path', errors: [{ field: '(path)', message }] });

/**
 * The request's path after its first `skip` segments, each segment decoded, checked and encoded
 * again: a dot segment (also as %2e%2e) would let URL parsing climb out of the store's path upstream.
 */
export function forwardedPath(req: Request, skip: number): string {
  const raw = req.originalUrl.split('?')[0];
  const segments = raw.split('/').slice(1 + skip);
  if (segments.at(-1) === '') segments.pop();
  return segments
    .map((s) => {
      let decoded: string;
      try {
        decoded = decodeURIComponent(s);
      } catch {
        throw bad('a segment is not valid percent-encoding');
      }
      if (decoded === '' || decoded === '.' || decoded === '..') throw bad('empty or dot segment');
      if (decoded.length > 256) throw bad('a segment is longer than 256 characters');
      if (/\p{Cc}/u.test(decoded)) throw bad('no control characters');
      return `/${encodeURIComponent(decoded)}`;
    })
    .join('');
}
