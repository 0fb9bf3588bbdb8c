import { Controller, Get, Inject, Injectable, Optional, type OnApplicationShutdown } from '@nestjs/common';
import { HealthCheck, HealthCheckService, HealthIndicatorService, TypeOrmHealthIndicator, type HealthIndicatorResult } from '@nestjs/terminus';
import type { Client as OpenSearchClient } from '@opensearch-project/opensearch';
import type { Admin, Kafka } from 'kafkajs';
import { KAFKA } from '../kafka/kafka.tokens';
import { OPENSEARCH } from '../opensearch/opensearch.tokens';

export const HEALTH_CHECKS = Symbol('HEALTH_CHECKS');
export interface HealthChecks {
  database: boolean;
  opensearch: boolean;
}

const within = <T>(ms: number, p: Promise<T>): Promise<T> =>
  Promise.race([p, new Promise<never>((_, reject) => setTimeout(() => reject(new Error(`no answer within ${ms} ms`)), ms).unref())]);

@Injectable()
export class DependencyHealth implements OnApplicationShutdown {
  private admin?: Admin;
  constructor(
    private readonly indicator: HealthIndicatorService,
    @Inject(KAFKA) private readonly kafka: Kafka,
    @Optional() @Inject(OPENSEARCH) private readonly opensearch?: OpenSearchClient,
  ) {}

  async kafkaUp(): Promise<HealthIndicatorResult> {
    const check = this.indicator.check('kafka');
    try {
      this.admin ??= this.kafka.admin();
      await within(3_000, this.admin.connect());
      const cluster = await within(3_000, this.admin.describeCluster());
      return check.up({ brokers: cluster.brokers.length });
    } catch (e) {
      return check.down({ message: (e as Error).message });
    }
  }

  async opensearchUp(): Promise<HealthIndicatorResult> {
    const check = this.indicator.check('opensearch');
    try {
      const res = await within(3_000, (this.opensearch as OpenSearchClient).cluster.health({}));
      const status = String(res.body.status);
      return status === 'red' ? check.down({ cluster: status }) : check.up({ cluster: status });
    } catch (e) {
      return check.down({ message: (e as Error).message });
    }
  }

  async onApplicationShutdown(): Promise<void> {
    await this.admin?.disconnect();
  }
}

@Controller('health')
export class HealthController {
  constructor(
    private readonly health: HealthCheckService,
    private readonly deps: DependencyHealth,
    @Inject(HEALTH_CHECKS) private readonly checks: HealthChecks,
    @Optional() private readonly db?: TypeOrmHealthIndicator,
  ) {}

  /** Liveness: the process answers. Dependencies are readiness' business, not a reason to restart. */
  @Get('live')
  live(): { status: 'ok' } {
    return { status: 'ok' };
  }

  @Get('ready')
  @HealthCheck()
  ready() {
    return this.health.check([
      () => this.deps.kafkaUp(),
      ...(this.checks.database && this.db ? [() => (this.db as TypeOrmHealthIndicator).pingCheck('postgres', { timeout: 3_000 })] : []),
      ...(this.checks.opensearch ? [() => this.deps.opensearchUp()] : []),
    ]);
  }
}
