import { BadGatewayException, BadRequestException, GatewayTimeoutException, HttpException, Inject, Injectable } from '@nestjs/common';
import type { OutgoingHttpHeaders, ServerResponse } from 'node:http';
import { Readable, Transform } from 'node:stream';
import { pipeline } from 'node:stream/promises';
import type { ReadableStream as NodeReadableStream } from 'node:stream/web';
import { GATEWAY_CONFIG, type GatewayConfig } from '../config';

export type UpstreamMethod = 'GET' | 'HEAD' | 'POST' | 'PUT' | 'DELETE';

/** One call to the profile service, under `/v1/stores/:storeId`. */
export interface UpstreamCall {
  method: UpstreamMethod;
  /** Always the authenticated key's store, never one the client named. */
  storeId: string;
  /** Below the store, built with `upstreamPath` so that every id is encoded. */
  path: string;
  query?: URLSearchParams;
  /** Sent as JSON when defined. */
  body?: unknown;
  /** Segment preview and CSV export: UPSTREAM_SLOW_TIMEOUT_MS instead of UPSTREAM_TIMEOUT_MS. */
  slow?: boolean;
  requestId?: string;
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

const timedOut = () => new GatewayTimeoutException({ statusCode: 504, error: 'Gateway Timeout', message: 'Profile service did not answer in time' });
const unreachable = () => new BadGatewayException({ statusCode: 502, error: 'Bad Gateway', message: 'Profile service unreachable' });
const failed = (status: number) => new BadGatewayException({ statusCode: 502, error: 'Bad Gateway', message: `Profile service failed (${status})` });

interface Exchange {
  response: Response;
  /** Restarted on every chunk of a streamed answer: a long export that keeps flowing is never cut. */
  timer: NodeJS.Timeout;
  signal: AbortSignal;
  done(): void;
}

/**
 * The one way the gateway talks to the profile service: method, path, query and JSON body go up;
 * 2xx and 4xx answers come back as they are; timeouts become 504, and anything else 502.
 */
@Injectable()
export class ProfileClient {
  private readonly base: string;

  constructor(@Inject(GATEWAY_CONFIG) private readonly config: GatewayConfig) {
    this.base = config.PROFILE_URL.replace(/\/+$/, '');
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
        if (response.ok) throw new BadGatewayException({ statusCode: 502, error: 'Bad Gateway', message: 'Profile service answered with invalid JSON' });
      }
      return { status: response.status, body };
    } catch (e) {
      if (e instanceof HttpException) throw e;
      throw signal.aborted ? timedOut() : unreachable();
    } finally {
      done();
    }
  }

  private async send(call: UpstreamCall): Promise<Exchange> {
    const ms = call.slow ? this.config.UPSTREAM_SLOW_TIMEOUT_MS : this.config.UPSTREAM_TIMEOUT_MS;
    const abort = new AbortController();
    const timer = setTimeout(() => abort.abort(), ms);
    const done = () => clearTimeout(timer);
    const query = call.query?.toString();
    const url = `${this.base}/v1/stores/${encodeURIComponent(call.storeId)}${call.path}${query ? `?${query}` : ''}`;
    // Identity encoding: fetch would decompress a gzip answer but keep its compressed content-length.
    const headers: Record<string, string> = { 'accept-encoding': 'identity' };
    if (call.requestId) headers['x-request-id'] = call.requestId;
    let body: string | undefined;
    if (call.body !== undefined) {
      body = JSON.stringify(call.body);
      headers['content-type'] = 'application/json';
    }
    let response: Response;
    try {
      // Redirects are not followed: the profile service has none, and the gateway must not be steered elsewhere.
      response = await fetch(url, { method: call.method, headers, body, signal: abort.signal, redirect: 'manual' });
    } catch {
      done();
      throw abort.signal.aborted ? timedOut() : unreachable();
    }
    const status = response.status;
    if (status < 200 || (status >= 300 && status < 400) || status >= 500) {
      // The upstream's own error body (stack traces, hosts) stays behind the gateway.
      await response.body?.cancel().catch(() => undefined);
      done();
      throw failed(status);
    }
    return { response, timer, signal: abort.signal, done };
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
