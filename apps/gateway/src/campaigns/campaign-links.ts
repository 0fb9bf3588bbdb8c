import { Inject, Injectable } from '@nestjs/common';
import type { Request, Response } from 'express';
import { GATEWAY_CONFIG, type GatewayConfig } from '../config';
import { requestIdOf } from '../upstream/upstream-call';
import { UpstreamFailure } from '../upstream/upstream-client';

// A redirect (a tracked click) and a cacheable pixel need their Location and Cache-Control too.
const PASSED_HEADERS = ['content-type', 'content-length', 'location', 'cache-control'] as const;

/**
 * The links in campaign messages (unsubscribe, open pixel, click): no API key, the signed token in
 * them is the auth, so they go to the campaign service unchanged (path, query, body) and its answer,
 * redirects included, comes back as it is. Only a failure of the service itself becomes 502/504.
 */
@Injectable()
export class CampaignLinks {
  private readonly base: string;

  constructor(@Inject(GATEWAY_CONFIG) private readonly config: GatewayConfig) {
    this.base = config.CAMPAIGN_URL.replace(/\/+$/, '');
  }

  /** `path`: the campaign service's path, every id in it encoded already. */
  async forward(req: Request, res: Response, path: string): Promise<void> {
    const at = req.originalUrl.indexOf('?');
    const query = at < 0 ? '' : req.originalUrl.slice(at);
    const headers: Record<string, string> = { 'accept-encoding': 'identity' };
    const requestId = requestIdOf(res);
    if (requestId) headers['x-request-id'] = requestId;
    let body: Buffer | string | undefined;
    if (req.method === 'POST') {
      // One-click unsubscribe posts a form (read raw by the module); anything else arrives parsed as JSON.
      if (Buffer.isBuffer(req.body)) body = req.body;
      else if (req.body !== undefined) body = JSON.stringify(req.body);
      if (body !== undefined) headers['content-type'] = Buffer.isBuffer(req.body) ? String(req.headers['content-type']) : 'application/json';
    }
    const abort = new AbortController();
    const timer = setTimeout(() => abort.abort(), this.config.UPSTREAM_TIMEOUT_MS);
    try {
      const response = await fetch(`${this.base}${path}${query}`, { method: req.method, headers, body, signal: abort.signal, redirect: 'manual' }).catch(() => {
        throw abort.signal.aborted ? new UpstreamFailure('timeout', 'Campaign service did not answer in time') : new UpstreamFailure('unreachable', 'Campaign service unreachable');
      });
      if (response.status >= 500) {
        await response.body?.cancel().catch(() => undefined);
        throw new UpstreamFailure('error', `Campaign service failed (${response.status})`);
      }
      const bytes = Buffer.from(await response.arrayBuffer());
      res.status(response.status);
      for (const name of PASSED_HEADERS) {
        const value = response.headers.get(name);
        if (value !== null) res.setHeader(name, value);
      }
      res.end(bytes);
    } catch (e) {
      if (e instanceof UpstreamFailure) throw e;
      throw abort.signal.aborted ? new UpstreamFailure('timeout', 'Campaign service did not answer in time') : new UpstreamFailure('unreachable', 'Campaign service unreachable');
    } finally {
      clearTimeout(timer);
    }
  }
}
