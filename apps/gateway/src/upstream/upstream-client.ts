import { BadRequestException, HttpException } from '@nestjs/common';
import type { OutgoingHttpHeaders, ServerResponse } from 'node:http';
import { Readable, Transform } from 'node:stream';
import { pipeline } from 'node:stream/promises';
import type { ReadableStream as NodeReadableStream } from 'node:stream/web';

export type UpstreamMethod = 'GET' | 'HEAD' | 'POST' | 'PUT' | 'DELETE';

/** One call to a service behind the gateway, under `/v1/stores/:storeId`. */
export interface UpstreamCall {
  method: UpstreamMethod;
  /** Always the authenticated key's store, never one the client named. */
  storeId: string;
  /** Below the store, built with `upstreamPath` so that every id is encoded. */
  path: string;
  query?: URLSearchParams;
  /** Sent as JSON when defined. */
  body?: unknown;
  /** Sent as it is, in place of a JSON body (an uploaded image). */
  rawBody?: { data: Buffer; contentType: string };
  /** Segment preview and CSV export: the client's slow timeout instead of its usual one. */
  slow?: boolean;
  /** In place of the client's timeouts, for a caller that has a fallback and cannot wait (storefront shelves). */
  timeoutMs?: number;
  requestId?: string;
}

/** Where a service lives and how long the gateway waits for it. */
export interface UpstreamTarget {
  /** Names the service in error messages: "Profile service did not answer in time". */
  service: string;
  baseUrl: string;
  timeoutMs: number;
  slowTimeoutMs: number;
}

// What a client may see of the answer; upstream internals and hop-by-hop headers stay behind.
const PASSED_HEADERS = ['content-type', 'content-length', 'content-disposition'] as const;

/**
 * A path with every interpolated id URL-encoded: `upstreamPath\`/segments/${id}/members\``.
 * Dot segments are refused because URL parsing would resolve them ("/profiles/.." is the store itself).
 */
export function upstreamPath(literals: TemplateStringsArray, ...ids: string[]): string {
  return literals.reduce((path, literal, i) => {
    if (i === 0) return literal;
    const id = ids[i - 1];
    if (id === '' || id === '.' || id === '..') {
      throw new BadRequestException({ statusCode: 400, error: 'Bad Request', message: 'Invalid id', errors: [{ field: '(path)', message: 'not a usable path segment' }] });
    }
    return `${path}${encodeURIComponent(id)}${literal}`;
  }, '');
}

export type UpstreamFailureReason = 'timeout' | 'unreachable' | 'error';

/** No usable answer: 504 on a timeout, 502 otherwise. `reason` is for callers that have a fallback. */
export class UpstreamFailure extends HttpException {
  constructor(
    readonly reason: UpstreamFailureReason,
    message: string,
  ) {
    const status = reason === 'timeout' ? 504 : 502;
    super({ statusCode: status, error: status === 504 ? 'Gateway Timeout' : 'Bad Gateway', message }, status);
  }
}

interface Exchange {
  response: Response;
  /** Restarted on every chunk of a streamed answer: a long export that keeps flowing is never cut. */
  timer: NodeJS.Timeout;
  signal: AbortSignal;
  done(): void;
}

/**
 * The one way the gateway talks to a service behind it: method, path, query and JSON body go up;
 * 2xx and 4xx answers come back as they are; timeouts become 504, and anything else 502.
 */
export class UpstreamClient {
  private readonly base: string;

  constructor(private readonly target: UpstreamTarget) {
    this.base = target.baseUrl.replace(/\/+$/, '');
  }

  /** Streams the answer to `out`: status, content headers and body (JSON, CSV or anything else). */
  async pipe(call: UpstreamCall, out: ServerResponse): Promise<void> {
    const { response, timer, done } = await this.send(call);
    try {
      out.writeHead(response.status, passedHeaders(response));
      if (!response.body) {
        out.end();
        return;
      }
      const keepAlive = new Transform({
        transform(chunk: Buffer, _encoding, next) {
          timer.refresh();
          next(null, chunk);
        },
      });
      await pipeline(Readable.fromWeb(response.body as NodeReadableStream<Uint8Array>), keepAlive, out);
    } catch {
      // The status is already out: a cut connection is the only way left to tell the client the body is incomplete.
      out.destroy();
    } finally {
      done();
    }
  }

  /** A JSON answer the gateway acts on itself, rather than passing it on. `body` is null when it is not JSON. */
  async json(call: UpstreamCall): Promise<{ status: number; body: unknown }> {
    const { response, signal, done } = await this.send(call);
    try {
      const text = await response.text();
      let body: unknown = null;
      try {
        body = JSON.parse(text);
      } catch {
        if (response.ok) throw this.failure('error', 'answered with invalid JSON');
      }
      return { status: response.status, body };
    } catch (e) {
      if (e instanceof HttpException) throw e;
      throw this.lost(signal);
    } finally {
      done();
    }
  }

  private async send(call: UpstreamCall): Promise<Exchange> {
    const ms = call.timeoutMs ?? (call.slow ? this.target.slowTimeoutMs : this.target.timeoutMs);
    const abort = new AbortController();
    const timer = setTimeout(() => abort.abort(), ms);
    const done = () => clearTimeout(timer);
    const query = call.query?.toString();
    const url = `${this.base}/v1/stores/${encodeURIComponent(call.storeId)}${call.path}${query ? `?${query}` : ''}`;
    // Identity encoding: fetch would decompress a gzip answer but keep its compressed content-length.
    const headers: Record<string, string> = { 'accept-encoding': 'identity' };
    if (call.requestId) headers['x-request-id'] = call.requestId;
    let body: string | Buffer | undefined;
    if (call.rawBody) {
      body = call.rawBody.data;
      headers['content-type'] = call.rawBody.contentType;
    } else if (call.body !== undefined) {
      body = JSON.stringify(call.body);
      headers['content-type'] = 'application/json';
    }
    let response: Response;
    try {
      // Redirects are not followed: the services have none, and the gateway must not be steered elsewhere.
      response = await fetch(url, { method: call.method, headers, body, signal: abort.signal, redirect: 'manual' });
    } catch {
      done();
      throw this.lost(abort.signal);
    }
    const status = response.status;
    if (status < 200 || (status >= 300 && status < 400) || status >= 500) {
      // The upstream's own error body (stack traces, hosts) stays behind the gateway.
      await response.body?.cancel().catch(() => undefined);
      done();
      throw this.failure('error', `failed (${status})`);
    }
    return { response, timer, signal: abort.signal, done };
  }

  /** A call that ended without an answer: aborted by the timer, or the connection failed. */
  private lost(signal: AbortSignal): UpstreamFailure {
    return signal.aborted ? this.failure('timeout', 'did not answer in time') : this.failure('unreachable', 'unreachable');
  }

  private failure(reason: UpstreamFailureReason, what: string): UpstreamFailure {
    return new UpstreamFailure(reason, `${this.target.service} service ${what}`);
  }
}

function passedHeaders(response: Response): OutgoingHttpHeaders {
  const headers: OutgoingHttpHeaders = {};
  for (const name of PASSED_HEADERS) {
    const value = response.headers.get(name);
    if (value !== null) headers[name] = value;
  }
  // A body that was re-encoded on the way no longer has the length the upstream announced.
  if (response.headers.has('content-encoding')) delete headers['content-length'];
  return headers;
}
