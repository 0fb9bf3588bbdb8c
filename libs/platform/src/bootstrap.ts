import type { DynamicModule, INestApplication } from '@nestjs/common';
import { NestFactory } from '@nestjs/core';
import type { NestExpressApplication } from '@nestjs/platform-express';
import { Logger } from 'nestjs-pino';
import type { NestMicroservice } from '@nestjs/microservices';
import type { Kafka } from 'kafkajs';
import type { NextFunction, Request, Response } from 'express';
import { DeadLetterPublisher } from './kafka/dead-letter.publisher';
import { KafkaConsumerServer } from './kafka/kafka-consumer.server';
import type { KafkaOptions } from './kafka/kafka-options';
import { KAFKA, KAFKA_OPTIONS } from './kafka/kafka.tokens';
import { RethrowRpcFilter } from './kafka/rethrow-rpc.filter';

interface BodyParserError {
  type?: string;
  status?: number;
  message?: string;
}

/** Malformed or oversized bodies: a JSON 4xx naming the body, before any route runs. */
function bodyParserErrors(err: BodyParserError | undefined, _req: Request, res: Response, next: NextFunction): void {
  if (!err || typeof err.status !== 'number' || err.status < 400 || err.status >= 500) return next(err);
  const status = err.status;
  const message = err.type === 'entity.parse.failed' ? 'Malformed JSON body' : err.type === 'entity.too.large' ? 'Request body too large' : 'Unreadable request body';
  res.status(status).json({ statusCode: status, error: status === 413 ? 'Payload Too Large' : 'Bad Request', message, errors: [{ field: '(body)', message: err.message ?? err.type }] });
}

export interface BootstrapOptions {
  port: number;
  /** Largest JSON body accepted, e.g. '1mb'. */
  bodyLimit?: string | number;
  host?: string;
}

/** Builds a hybrid app (HTTP + Kafka consumer) ready to listen; used by main.ts and tests. */
export async function createService(module: DynamicModule, o: Pick<BootstrapOptions, 'bodyLimit'> = {}): Promise<NestExpressApplication> {
  const app = await NestFactory.create<NestExpressApplication>(module, { bufferLogs: true, bodyParser: false });
  app.useLogger(app.get(Logger));
  // Every answer is fresh (a recommendation id, a search id): hashing each body for an ETag is work no client uses.
  app.set('etag', false);
  app.disable('x-powered-by');
  app.useBodyParser('json', { limit: o.bodyLimit ?? '100kb' });
  app.use(bodyParserErrors);
  app.enableShutdownHooks();
  const server = new KafkaConsumerServer(app.get<Kafka>(KAFKA), app.get<KafkaOptions>(KAFKA_OPTIONS), app.get(DeadLetterPublisher));
  // Deferred so the filter is in place before Nest wires the handlers; the app itself runs the init hooks.
  const microservice = app.connectMicroservice({ strategy: server }, { deferInitialization: true });
  microservice.useGlobalFilters(new RethrowRpcFilter());
  (microservice as NestMicroservice).setIsInitHookCalled(true);
  return app;
}

export async function startService(app: INestApplication, o: BootstrapOptions): Promise<void> {
  // Init hooks first (the Kafka producer connects in one): a consumer that starts before them could
  // have a message to dead-letter with no producer to send it.
  await app.init();
  await app.startAllMicroservices();
  await app.listen(o.port, o.host ?? '0.0.0.0');
}

/** main.ts of every service: build, start, and exit with a readable message when config or startup fails. */
export function runService(build: () => Promise<{ app: INestApplication; options: BootstrapOptions }>): void {
  build()
    .then(({ app, options }) => startService(app, options))
    .catch((e: unknown) => {
      console.error(e instanceof Error ? `${e.name}: ${e.message}` : e);
      process.exit(1);
    });
}
