import type { IncomingMessage } from 'node:http';
import { TextDecoder } from 'node:util';
import { gunzipSync, inflateSync } from 'node:zlib';
import type { FeedFormat } from './merchant-feed';

/** What the raw body of POST /v1/catalog/feed may be, by media type. */
export const FEED_MEDIA_TYPES: Readonly<Record<string, FeedFormat>> = {
  'text/tab-separated-values': 'tsv',
  'text/plain': 'tsv',
  'application/xml': 'xml',
  'text/xml': 'xml',
  'application/rss+xml': 'xml',
  'application/atom+xml': 'xml',
};

/** Why a body cannot be taken: `status` is the HTTP answer (400, 413 or 415). */
export class FeedBodyError extends Error {
  constructor(
    readonly status: 400 | 413 | 415,
    message: string,
    readonly detail: string,
  ) {
    super(message);
    this.name = 'FeedBodyError';
  }
}

export interface ContentType {
  format: FeedFormat;
  mediaType: string;
  charset?: string;
}

/** The feed format named by a Content-Type header; FeedBodyError(415) for anything else. */
export function feedContentType(header: string | undefined): ContentType {
  const [type = '', ...params] = (header ?? '').split(';');
  const mediaType = type.trim().toLowerCase();
  const format = Object.prototype.hasOwnProperty.call(FEED_MEDIA_TYPES, mediaType) ? FEED_MEDIA_TYPES[mediaType] : undefined;
  if (!format) {
    throw new FeedBodyError(415, 'Unsupported feed content type', `send ${Object.keys(FEED_MEDIA_TYPES).join(', ')}; got ${JSON.stringify(mediaType.slice(0, 100) || '(none)')}`);
  }
  const charset = params
    .map((p) => /^\s*charset\s*=\s*"?([^";\s]+)"?\s*$/i.exec(p)?.[1])
    .find((c) => c !== undefined);
  return { format, mediaType, ...(charset ? { charset: charset.toLowerCase() } : {}) };
}

/**
 * The request body, at most `limit` bytes. Past the limit (declared or read) the rest is drained,
 * not kept, and the 413 comes once the upload ends or after `drainMs`, whichever is first: answering
 * while the client still sends can reset the connection before it reads the answer.
 */
export function readBody(req: IncomingMessage, limit: number, drainMs = 5_000): Promise<Buffer> {
  const declared = Number(req.headers['content-length']);
  const tooLarge = () => new FeedBodyError(413, 'Feed too large', `at most ${limit} bytes (CATALOG_FEED_MAX_BYTES)`);
  return new Promise<Buffer>((resolve, reject) => {
    const chunks: Buffer[] = [];
    let size = 0;
    let over = false;
    let settled = false;
    let timer: NodeJS.Timeout | undefined;
    const finish = (e?: FeedBodyError) => {
      if (settled) return;
      settled = true;
      clearTimeout(timer);
      req.off('data', onData);
      req.off('end', onEnd);
      req.off('error', onError);
      req.off('close', onClose);
      if (e) {
        req.resume();
        reject(e);
      } else resolve(Buffer.concat(chunks, size));
    };
    const overflow = () => {
      over = true;
      chunks.length = 0;
      timer = setTimeout(() => finish(tooLarge()), drainMs);
    };
    const onData = (chunk: Buffer) => {
      if (over) return;
      size += chunk.length;
      if (size > limit) overflow();
      else chunks.push(chunk);
    };
    const onEnd = () => finish(over ? tooLarge() : undefined);
    const onError = () => finish(over ? tooLarge() : new FeedBodyError(400, 'Unreadable request body', 'the upload failed'));
    const onClose = () => {
      if (!req.complete) finish(over ? tooLarge() : new FeedBodyError(400, 'Unreadable request body', 'the upload was cut short'));
    };
    // Read already (nothing should have): an empty body, not a wait for an end that has been.
    if (req.readableEnded) return finish();
    if (Number.isFinite(declared) && declared > limit) overflow();
    req.on('data', onData);
    req.on('end', onEnd);
    req.on('error', onError);
    req.on('close', onClose);
  });
}

/**
 * The body as sent: gzip or deflate undone (by Content-Encoding, or a gzip file sent as is, by its
 * magic bytes), the result bounded by `limit` too.
 */
export function decompress(body: Buffer, encoding: string | undefined, limit: number): Buffer {
  const coding = (encoding ?? 'identity').trim().toLowerCase();
  const gzipMagic = body.length > 2 && body[0] === 0x1f && body[1] === 0x8b && body[2] === 0x08;
  let inflate: ((b: Buffer, o: { maxOutputLength: number }) => Buffer) | undefined;
  if (coding === 'gzip' || coding === 'x-gzip' || (coding === 'identity' && gzipMagic)) inflate = gunzipSync;
  else if (coding === 'deflate') inflate = inflateSync;
  else if (coding !== 'identity' && coding !== '') throw new FeedBodyError(415, 'Unsupported Content-Encoding', `gzip, deflate or none; got ${JSON.stringify(coding.slice(0, 50))}`);
  if (!inflate) return body;
  try {
    return inflate(body, { maxOutputLength: limit });
  } catch (e) {
    if ((e as { code?: string }).code === 'ERR_BUFFER_TOO_LARGE' || e instanceof RangeError) {
      throw new FeedBodyError(413, 'Feed too large', `at most ${limit} bytes once decompressed (CATALOG_FEED_MAX_BYTES)`);
    }
    throw new FeedBodyError(400, 'Unreadable compressed feed', `not valid ${coding === 'deflate' ? 'deflate' : 'gzip'} data`);
  }
}

/**
 * Bytes as text: a byte-order mark decides, else the charset of the Content-Type, else (XML) the
 * encoding of the XML declaration, else UTF-8. Bytes that are not valid in it become U+FFFD.
 */
export function decodeText(body: Buffer, charset: string | undefined, format: FeedFormat): string {
  let start = 0;
  let label = charset;
  if (body[0] === 0xef && body[1] === 0xbb && body[2] === 0xbf) [start, label] = [3, 'utf-8'];
  else if (body[0] === 0xff && body[1] === 0xfe) [start, label] = [2, 'utf-16le'];
  else if (body[0] === 0xfe && body[1] === 0xff) [start, label] = [2, 'utf-16be'];
  else if (!label && format === 'xml') {
    const declared = /^<\?xml[^>]*?\sencoding\s*=\s*["']([A-Za-z0-9._-]{1,40})["']/.exec(body.subarray(0, 200).toString('latin1'))?.[1];
    // A declaration readable as single bytes is not UTF-16, whatever it says.
    label = declared && !/^utf-?16/i.test(declared) ? declared : undefined;
  }
  let decoder: TextDecoder;
  try {
    decoder = new TextDecoder(label ?? 'utf-8', { fatal: false, ignoreBOM: true });
  } catch {
    throw new FeedBodyError(415, 'Unsupported charset', `${JSON.stringify((label ?? '').slice(0, 40))}: send UTF-8 (or UTF-16, ISO-8859-1, windows-1252)`);
  }
  return decoder.decode(body.subarray(start));
}
