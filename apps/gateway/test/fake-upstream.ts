import { createServer, type IncomingHttpHeaders, type Server, type ServerResponse } from 'node:http';
import type { AddressInfo } from 'node:net';

/** A request as the upstream saw it: `url` is the raw request target, encoding untouched. */
export interface Received {
  method: string;
  url: string;
  headers: IncomingHttpHeaders;
  body: string;
  /** The body's bytes, for a binary upload. */
  raw: Buffer;
}

/** Answers on `res`; what it returns is only awaited (so `res.writeHead(...).end()` reads well). */
export type Reply = (req: Received, res: ServerResponse) => unknown;

export const sendJson = (res: ServerResponse, status: number, body: unknown) => {
  const text = JSON.stringify(body);
  res.writeHead(status, { 'content-type': 'application/json; charset=utf-8', 'content-length': Buffer.byteLength(text) });
  res.end(text);
};

/** By default the upstream echoes what it got, so a test can assert on either side. */
const echo: Reply = (req, res) => sendJson(res, 200, { method: req.method, url: req.url, body: req.body ? (JSON.parse(req.body) as unknown) : null });

/** A throwaway stand-in for a service behind the gateway on 127.0.0.1 that records every request. */
export class FakeUpstream {
  readonly received: Received[] = [];
  reply: Reply = echo;

  private constructor(private readonly server: Server) {}

  /** On `port` when given: a test can close the upstream (connections refused) and bring it back where the gateway looks. */
  static async start(port = 0): Promise<FakeUpstream> {
    const server = createServer();
    const upstream = new FakeUpstream(server);
    server.on('request', (req, res) => {
      const chunks: Buffer[] = [];
      req.on('data', (c: Buffer) => chunks.push(c));
      req.on('end', () => {
        const raw = Buffer.concat(chunks);
        const received = { method: req.method ?? '', url: req.url ?? '', headers: req.headers, body: raw.toString('utf8'), raw };
        upstream.received.push(received);
        Promise.resolve(upstream.reply(received, res)).catch(() => res.destroy());
      });
    });
    await new Promise<void>((resolve) => server.listen(port, '127.0.0.1', resolve));
    return upstream;
  }

  get url(): string {
    return `http://127.0.0.1:${(this.server.address() as AddressInfo).port}`;
  }

  /** The last request, failing loudly when there was none. */
  get last(): Received {
    const last = this.received.at(-1);
    if (!last) throw new Error('the upstream received nothing');
    return last;
  }

  /** Back to echoing, with an empty record. */
  reset(): void {
    this.received.length = 0;
    this.reply = echo;
  }

  async close(): Promise<void> {
    this.server.closeAllConnections();
    await new Promise<void>((resolve) => this.server.close(() => resolve()));
  }
}
