import { Injectable } from '@nestjs/common';
import { InjectDataSource } from '@nestjs/typeorm';
import type { DataSource } from 'typeorm';

export interface StoreStatus {
  products: number;
  interactions: number;
  lastInteractionAt: string | null;
  models: { builtAt: string; stats: unknown } | null;
}

@Injectable()
export class StatusService {
  constructor(@InjectDataSource() private readonly db: DataSource) {}

  async of(storeId: string): Promise<StoreStatus> {
    const [[p], [i], [m]]: [{ n: string }[], { n: string; last: Date | null }[], { built_at: Date; stats: unknown }[]] = await Promise.all([
      this.db.query(`SELECT count(*) AS n FROM "recommender"."products" WHERE "store_id" = $1`, [storeId]),
      this.db.query(`SELECT count(*) AS n, max("at") AS last FROM "recommender"."interactions" WHERE "store_id" = $1`, [storeId]),
      this.db.query(`SELECT "built_at", "stats" FROM "recommender"."models" WHERE "store_id" = $1`, [storeId]),
    ]);
    return {
      products: Number(p.n),
      interactions: Number(i.n),
      lastInteractionAt: i.last?.toISOString() ?? null,
      models: m ? { builtAt: m.built_at.toISOString(), stats: m.stats } : null,
    };
  }
}
