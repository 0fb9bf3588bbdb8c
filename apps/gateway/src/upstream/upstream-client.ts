import { BadRequestException, HttpException, type OnApplicationShutdown } from '@nestjs/common';
import type { IncomingHttpHeaders, OutgoingHttpHeaders, ServerResponse } from 'node:http';
import { Transform } from 'node:stream';
import { pipeline } from 'node:stream/promises';
import { Agent, request, type Dispatcher } from 'undici';

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
  response: Dispatcher.ResponseData;
  /** Restarted on every chunk of a streamed answer: a long export that keeps flowing is never cut. */
  timer: NodeJS.Timeout;
  signal: AbortSignal;
  done(): void;
}

/**
 * The one way the gateway talks to a service behind it: method, path, query and JSON body go up;
 * 2xx and 4xx answers come back as they are; timeouts become 504, and anything else 502.
 */
export class UpstreamClient implements OnApplicationShutdown {
  private readonly base: string;
  /**
   * undici's own request API over kept-alive connections. The global fetch is the same client under
   * WHATWG streams: at 200 shelves/s it kept part of every answer alive past a young-generation
   * collection, and the gateway spent 2.3x the time in scavenges (36 against 3-9 pauses of 10 ms
   * or more a minute, docs/benchmarks.md). Idle sockets close after 4 s, before the services' own
   * 5 s keep-alive timeout, so a request never goes out on a socket the other side is closing.
   */
  private readonly agent = new Agent({ keepAliveTimeout: 4_000, connections: 256 });

  constructor(private readonly target: UpstreamTarget) {
    this.base = target.baseUrl.replace(/\/+$/, '');
  }

  async onApplicationShutdown(): Promise<void> {
    await this.agent.close();
  }

  /** Streams the answer to `out`: status, content headers and body (JSON, CSV or anything else). */
  async pipe(call: UpstreamCall, out: ServerResponse): Promise<void> {
    const { response, timer, done } = await this.send(call);
    try {
      out.writeHead(response.statusCode, passedHeaders(response.headers));
      const keepAlive = new Transform({
        transform(chunk: Buffer, _encoding, next) {
          timer.refresh();
          next(null, chunk);
        },
      });
      await pipeline(response.body, keepAlive, out);
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
      const text = await response.body.text();
      let body: unknown = null;
      try {
        body = JSON.parse(text);
      } catch {
        if (response.statusCode < 300) throw this.failure('error', 'answered with invalid JSON');
      }
      return { status: response.statusCode, body };
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
    // Identity encoding: the answer is passed on as it is, and its content-length with it.
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
    let response: Dispatcher.ResponseData;
    try {
      // Redirects are not followed (undici's request never does): the gateway must not be steered elsewhere.
      response = await request(url, { method: call.method, headers, body, signal: abort.signal, dispatcher: this.agent });
    } catch {
      done();
      throw this.lost(abort.signal);
    }
    const status = response.statusCode;
    if (status < 200 || (status >= 300 && status < 400) || status >= 500) {
      // The upstream's own error body (stack traces, hosts) stays behind the gateway.
      // Drained rather than destroyed: a destroyed body emits an error nobody listens to.
      await response.body.dump().catch(() => undefined);
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

function passedHeaders(upstream: IncomingHttpHeaders): OutgoingHttpHeaders {
  const headers: OutgoingHttpHeaders = {};
  for (const name of PASSED_HEADERS) {
    const value = upstream[name];
    if (value !== undefined) headers[name] = value;
  }
  // Asked for identity; a body encoded anyway is passed on without its length, which might not hold.
  if (upstream['content-encoding'] !== undefined) delete headers['content-length'];
  return headers;
}
