import { ImageFetchError, ImageRejectedError } from './image-errors';

export interface FetchLimits {
  timeoutMs: number;
  maxBytes: number;
}

/**
 * The bytes behind a product's image URL: http(s) with a timeout and a size cap (the body is read
 * as a stream and abandoned past the cap), or a `data:` URL (base64 or percent-encoded), so tests
 * and demos need no web server. Other schemes (file:, ftp:, ...) are refused.
 */
export async function fetchImage(url: string, limits: FetchLimits, fetchFn: typeof fetch = fetch): Promise<Uint8Array> {
  if (url.startsWith('data:')) return decodeDataUrl(url, limits.maxBytes);
  let parsed: URL;
  try {
    parsed = new URL(url);
  } catch {
    throw new ImageFetchError(`Not a URL: ${url.slice(0, 100)}`, false);
  }
  if (parsed.protocol !== 'http:' && parsed.protocol !== 'https:') throw new ImageFetchError(`Unsupported image URL scheme ${parsed.protocol}`, false);
  const signal = AbortSignal.timeout(limits.timeoutMs);
  let res: Response;
  try {
    res = await fetchFn(parsed, { signal, redirect: 'follow', headers: { accept: 'image/jpeg, image/png, image/webp' } });
  } catch (e) {
    throw new ImageFetchError(`Fetching ${parsed.host}: ${timedOut(e) ? `no answer in ${limits.timeoutMs} ms` : String(e)}`, true);
  }
  if (!res.ok) {
    await res.body?.cancel().catch(() => undefined);
    // 404/410 and other 4xx will not heal by themselves; 5xx and 429 may.
    throw new ImageFetchError(`Fetching ${parsed.host}: HTTP ${res.status}`, res.status >= 500 || res.status === 429 || res.status === 408);
  }
  const declared = Number(res.headers.get('content-length'));
  if (declared > limits.maxBytes) {
    await res.body?.cancel().catch(() => undefined);
    throw new ImageRejectedError('too_large', `The image is larger than ${limits.maxBytes} bytes`);
  }
  try {
    return await readCapped(res, limits.maxBytes);
  } catch (e) {
    if (e instanceof ImageRejectedError) throw e;
    throw new ImageFetchError(`Reading ${parsed.host}: ${timedOut(e) ? `not complete in ${limits.timeoutMs} ms` : String(e)}`, true);
  }
}

async function readCapped(res: Response, maxBytes: number): Promise<Uint8Array> {
  if (!res.body) return new Uint8Array(0);
  const chunks: Uint8Array[] = [];
  let total = 0;
  const reader = res.body.getReader();
  for (;;) {
    const { done, value } = await reader.read();
    if (done) break;
    total += value.byteLength;
    if (total > maxBytes) {
      await reader.cancel().catch(() => undefined);
      throw new ImageRejectedError('too_large', `The image is larger than ${maxBytes} bytes`);
    }
    chunks.push(value);
  }
  return Buffer.concat(chunks);
}

/** `data:[<type>][;base64],<data>` (RFC 2397). */
export function decodeDataUrl(url: string, maxBytes: number): Uint8Array {
  const comma = url.indexOf(',');
  if (comma < 0) throw new ImageFetchError('Malformed data: URL (no comma)', false);
  const meta = url.slice(5, comma);
  const payload = url.slice(comma + 1);
  const base64 = /;base64$/i.test(meta);
  // 4 base64 characters carry 3 bytes: refuse before decoding what cannot fit.
  if ((base64 ? Math.floor((payload.length * 3) / 4) - 2 : payload.length / 3) > maxBytes) {
    throw new ImageRejectedError('too_large', `The image is larger than ${maxBytes} bytes`);
  }
  const bytes = base64 ? Buffer.from(payload, 'base64') : percentDecode(payload);
  if (bytes.length > maxBytes) throw new ImageRejectedError('too_large', `The image is larger than ${maxBytes} bytes`);
  return bytes;
}

/** Percent-encoded bytes (not UTF-8 text: `%FF` is the byte 255). */
function percentDecode(s: string): Buffer {
  const out = Buffer.alloc(s.length);
  let n = 0;
  for (let i = 0; i < s.length; i++) {
    const hex = s[i] === '%' ? s.slice(i + 1, i + 3) : '';
    if (/^[0-9a-fA-F]{2}$/.test(hex)) {
      out[n++] = parseInt(hex, 16);
      i += 2;
    } else {
      const code = s.charCodeAt(i);
      if (code > 255) throw new ImageFetchError('Malformed data: URL (not bytes)', false);
      out[n++] = code;
    }
  }
  return out.subarray(0, n);
}

const timedOut = (e: unknown) => e instanceof Error && (e.name === 'TimeoutError' || e.name === 'AbortError' || (e.cause instanceof Error && e.cause.name === 'TimeoutError'));
