import { spawn, type ChildProcess } from 'node:child_process';
import { createWriteStream, existsSync, mkdirSync } from 'node:fs';
import { createServer, type AddressInfo } from 'node:net';
import { resolve } from 'node:path';
import { eventually } from './eventually';
import { repoRoot } from './infra';

export async function freePort(): Promise<number> {
  return new Promise((ok, fail) => {
    const server = createServer();
    server.unref();
    server.on('error', fail);
    server.listen(0, '127.0.0.1', () => {
      const { port } = server.address() as AddressInfo;
      server.close(() => ok(port));
    });
  });
}

/**
 * A service run as its own process from the build (`npm run build`), the way it runs in
 * production: for tests that kill and restart it.
 */
export class ServiceProcess {
  private child?: ChildProcess;
  private exited?: Promise<number | null>;
  readonly url: string;

  constructor(
    readonly name: string,
    readonly port: number,
    private readonly env: NodeJS.ProcessEnv,
  ) {
    this.url = `http://127.0.0.1:${port}`;
  }

  static async create(name: string, env: NodeJS.ProcessEnv): Promise<ServiceProcess> {
    return new ServiceProcess(name, await freePort(), env);
  }

  async start(): Promise<void> {
    const main = resolve(repoRoot, 'dist/apps', this.name, 'src/main.js');
    if (!existsSync(main)) throw new Error(`${main} is missing: run \`npm run build\` first`);
    const logs = resolve(repoRoot, '.cache/test-logs');
    mkdirSync(logs, { recursive: true });
    const log = createWriteStream(resolve(logs, `${this.name}.log`), { flags: 'a' });
    const child = spawn(process.execPath, [main], { env: { ...this.env, PORT: String(this.port) }, stdio: ['ignore', 'pipe', 'pipe'] });
    child.stdout?.pipe(log);
    child.stderr?.pipe(log);
    this.child = child;
    this.exited = new Promise((ok) => child.once('exit', (code) => ok(code)));
    await eventually(
      async () => {
        if (child.exitCode !== null) throw new Error(`${this.name} exited with ${child.exitCode}; see .cache/test-logs/${this.name}.log`);
        const res = await fetch(`${this.url}/health/ready`);
        if (res.status !== 200) throw new Error(`${this.name} not ready: ${res.status}`);
        return true;
      },
      { timeoutMs: 60_000, intervalMs: 250 },
    );
  }

  /** SIGTERM: graceful; SIGKILL: a crash. Resolves when the process is gone. */
  async stop(signal: NodeJS.Signals = 'SIGTERM'): Promise<number | null> {
    if (!this.child || this.child.exitCode !== null) return this.child?.exitCode ?? null;
    this.child.kill(signal);
    return this.exited as Promise<number | null>;
  }
}
