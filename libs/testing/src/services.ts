import type { DynamicModule, INestApplication } from '@nestjs/common';
import { createService, startService } from '@signal/platform';
import type { AddressInfo } from 'node:net';

export interface RunningService {
  app: INestApplication;
  url: string;
  close(): Promise<void>;
}

/** Starts a service in this process on a free port, with its Kafka consumer running. */
export async function startTestService(module: DynamicModule, o: { bodyLimit?: number | string; configure?: (app: INestApplication) => void } = {}): Promise<RunningService> {
  const app = await createService(module, { bodyLimit: o.bodyLimit });
  o.configure?.(app);
  await startService(app, { port: 0, host: '127.0.0.1' });
  const { port } = app.getHttpServer().address() as AddressInfo;
  return { app, url: `http://127.0.0.1:${port}`, close: () => app.close() };
}

/** Env for a service under test: the located infrastructure plus overrides. */
export function testEnv(overrides: Record<string, string> = {}): NodeJS.ProcessEnv {
  return { ...process.env, LOG_LEVEL: process.env.LOG_LEVEL ?? 'warn', KAFKA_TOPIC_PARTITIONS: '3', ...overrides };
}
