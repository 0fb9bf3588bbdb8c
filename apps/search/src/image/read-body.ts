import type { Request } from 'express';
import { ImageRejectedError } from './image-errors';

/**
 * The raw request body, at most `maxBytes`: refused from Content-Length before reading when it
 * declares more, and as soon as the stream passes the limit otherwise (chunked uploads).
 */
export async function readRawBody(req: Request, maxBytes: number): Promise<Uint8Array> {
  const tooLarge = () => new ImageRejectedError('too_large', `The image is larger than ${maxBytes} bytes`);
  if (Buffer.isBuffer(req.body)) {
    if (req.body.length > maxBytes) throw tooLarge(); // a body parser got there first
    return req.body;
  }
  if (Number(req.headers['content-length']) > maxBytes) throw tooLarge();
  const chunks: Buffer[] = [];
  let total = 0;
  for await (const chunk of req as AsyncIterable<Buffer>) {
    total += chunk.length;
    if (total > maxBytes) throw tooLarge();
    chunks.push(chunk);
  }
  return Buffer.concat(chunks);
}
