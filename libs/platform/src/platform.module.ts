import { Global, Module, type DynamicModule, type MiddlewareConsumer, type NestModule, type Provider } from '@nestjs/common';
import { TerminusModule } from '@nestjs/terminus';
import { TypeOrmModule } from '@nestjs/typeorm';
import { Client as OpenSearchClient } from '@opensearch-project/opensearch';
import type { TopicName } from '@signal/contracts';
import { Kafka, logLevel } from 'kafkajs';
import { openDatabase, type DatabaseOptions } from './database/database';
import { DependencyHealth, HEALTH_CHECKS, HealthController } from './health/health';
import { DeadLetterPublisher } from './kafka/dead-letter.publisher';
import type { KafkaOptions } from './kafka/kafka-options';
import { KafkaPublisher } from './kafka/kafka-publisher';
import { KAFKA, KAFKA_OPTIONS } from './kafka/kafka.tokens';
import { ensureTopics } from './kafka/topics';
import { loggingModule } from './logging/logging';
import { HttpMetricsMiddleware, MetricsController } from './metrics/metrics';
import { OPENSEARCH } from './opensearch/opensearch.tokens';

/** The config fields every service has (see CommonConfig). */
export interface CommonSettings {
  LOG_LEVEL: string;
  KAFKA_BROKERS: string;
  KAFKA_TOPIC_PARTITIONS: number;
  KAFKA_REPLICATION_FACTOR: number;
  KAFKA_CONSUMER_MAX_ATTEMPTS: number;
  KAFKA_PARTITIONS_CONCURRENCY: number;
  KAFKA_SEND_TIMEOUT_MS: number;
  KAFKA_SESSION_TIMEOUT_MS: number;
  KAFKA_GROUP_ID?: string;
}

export interface PlatformOptions {
  service: string;
  settings: CommonSettings;
  /** Topics the service produces to or consumes; created at start-up when missing. */
  topics: readonly TopicName[];
  database?: DatabaseOptions;
  opensearchUrl?: string;
  /** Consumer group id, when it must differ from the service name (tests). */
  groupId?: string;
}

/**
 * Everything a service needs from the outside world, wired once: logging, Kafka
 * (producer, dead letters, topics), Postgres, OpenSearch, health and metrics.
 */
@Global()
@Module({})
export class PlatformModule implements NestModule {
  static forRoot(o: PlatformOptions): DynamicModule {
    const kafkaOptions: KafkaOptions = {
      service: o.service,
      groupId: o.groupId ?? o.settings.KAFKA_GROUP_ID ?? o.service,
      brokers: o.settings.KAFKA_BROKERS.split(','),
      topics: o.topics,
      partitions: o.settings.KAFKA_TOPIC_PARTITIONS,
      replicationFactor: o.settings.KAFKA_REPLICATION_FACTOR,
      maxAttempts: o.settings.KAFKA_CONSUMER_MAX_ATTEMPTS,
      partitionsConcurrency: o.settings.KAFKA_PARTITIONS_CONCURRENCY,
      sendTimeoutMs: o.settings.KAFKA_SEND_TIMEOUT_MS,
      sessionTimeoutMs: o.settings.KAFKA_SESSION_TIMEOUT_MS,
    };
    const providers: Provider[] = [
      { provide: KAFKA_OPTIONS, useValue: kafkaOptions },
      {
        provide: KAFKA,
        // Topics exist before any producer or consumer of this service starts.
        useFactory: async () => {
          const kafka = new Kafka({ clientId: o.service, brokers: kafkaOptions.brokers, logLevel: logLevel.WARN, retry: { retries: 8 } });
          const admin = kafka.admin();
          await admin.connect();
          try {
            await ensureTopics(admin, o.topics, kafkaOptions.partitions, kafkaOptions.replicationFactor);
          } finally {
            await admin.disconnect();
          }
          return kafka;
        },
      },
      KafkaPublisher,
      DeadLetterPublisher,
      DependencyHealth,
      { provide: HEALTH_CHECKS, useValue: { database: !!o.database, opensearch: !!o.opensearchUrl } },
    ];
    const exportsList: Array<Provider | symbol | string> = [KAFKA, KAFKA_OPTIONS, KafkaPublisher, DeadLetterPublisher];
    if (o.opensearchUrl) {
      providers.push({ provide: OPENSEARCH, useValue: new OpenSearchClient({ node: o.opensearchUrl }) });
      exportsList.push(OPENSEARCH);
    }
    const database = o.database;
    return {
      module: PlatformModule,
      imports: [
        loggingModule(o.service, o.settings.LOG_LEVEL),
        TerminusModule,
        ...(database
          ? [
              TypeOrmModule.forRootAsync({
                useFactory: () => ({}),
                dataSourceFactory: () => openDatabase(database),
              }),
            ]
          : []),
      ],
      controllers: [HealthController, MetricsController],
      providers,
      exports: exportsList,
    };
  }

  configure(consumer: MiddlewareConsumer): void {
    consumer.apply(HttpMetricsMiddleware).forRoutes('*path');
  }
}
