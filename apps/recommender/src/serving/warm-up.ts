import { Inject, Injectable, Logger, type OnApplicationBootstrap } from '@nestjs/common';
import { InjectDataSource } from '@nestjs/typeorm';
import type { DataSource } from 'typeorm';
import { RECOMMENDER_CONFIG, type RecommenderConfig } from '../config';
import { RecommendationsService } from './recommendations.service';

export interface WarmUpResult {
  /** Stores loaded, in the order they were warmed. */
  stores: string[];
  /** Neighbour lists read ahead. */
  lists: number;
  ms: number;
  /** False when WARM_UP_TIMEOUT_MS ran out first (the rest loads on first use, as without warm-up). */
  complete: boolean;
}

/**
 * A replica that listens at once answers its first seconds of traffic from an empty cache: each
 * store is loaded by the request that needs it and each neighbour list read by the first shelf that
 * shows it, and the gateway serves its non-personalized fallback to whatever waits too long (see
 * docs/benchmarks.md). Nest runs this before the HTTP server listens, so the readiness probe keeps
 * traffic away until the stores are warm.
 */
@Injectable()
export class WarmUp implements OnApplicationBootstrap {
  private readonly logger = new Logger(WarmUp.name);
  result: WarmUpResult = { stores: [], lists: 0, ms: 0, complete: true };

  constructor(
    @InjectDataSource() private readonly db: DataSource,
    private readonly recommendations: RecommendationsService,
    @Inject(RECOMMENDER_CONFIG) private readonly config: RecommenderConfig,
  ) {}

  async onApplicationBootstrap(): Promise<void> {
    const { WARM_UP_STORES: limit, WARM_UP_TIMEOUT_MS: budget } = this.config;
    if (limit === 0 || budget === 0) return;
    const t0 = Date.now();
    const deadline = t0 + budget;
    const result: WarmUpResult = { stores: [], lists: 0, ms: 0, complete: true };
    const rows: { store_id: string }[] = await this.db.query(`SELECT "store_id" FROM "recommender"."models" ORDER BY "built_at" DESC LIMIT $1`, [limit]);
    for (const { store_id: storeId } of rows) {
      const lists = await untilDeadline(deadline, this.recommendations.warm(storeId)).catch((err: unknown) => {
        // A store that cannot be loaded now is loaded on first use, as it would be without warm-up.
        this.logger.warn({ err, storeId }, 'Warm-up of a store failed; it loads on first use');
        return null;
      });
      if (lists === undefined) {
        result.complete = false;
        break;
      }
      if (lists === null) continue;
      result.stores.push(storeId);
      result.lists += lists;
    }
    result.ms = Date.now() - t0;
    this.result = result;
    this.logger.log({ stores: result.stores.length, lists: result.lists, ms: result.ms, complete: result.complete }, 'Warmed up before taking traffic');
  }
}

/** The promise's value, or undefined once `deadline` (epoch ms) has passed; the work itself goes on. */
async function untilDeadline<T>(deadline: number, work: Promise<T>): Promise<T | undefined> {
  let timer: NodeJS.Timeout | undefined;
  const timeout = new Promise<undefined>((resolve) => {
    timer = setTimeout(() => resolve(undefined), Math.max(0, deadline - Date.now()));
  });
  try {
    return await Promise.race([work, timeout]);
  } finally {
    clearTimeout(timer);
  }
}
