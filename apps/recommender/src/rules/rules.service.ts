import { Injectable } from '@nestjs/common';
import { InjectDataSource } from '@nestjs/typeorm';
import { RecommendationRules, Validator, type Validation } from '@signal/contracts';
import { Value } from '@sinclair/typebox/value';
import type { DataSource } from 'typeorm';
import { defaultRules } from '../serving/store-cache';

const shape = new Validator(RecommendationRules);

/** A rules body with defaults filled in, checked. */
export function checkRules(body: unknown): Validation<RecommendationRules> {
  if (typeof body !== 'object' || body === null || Array.isArray(body)) return { ok: false, errors: [{ field: '(body)', message: 'Expected a JSON object' }] };
  return shape.validate(Value.Default(RecommendationRules, structuredClone(body)), '');
}

/** A store's merchandising rules; serving replicas pick a change up within CACHE_REFRESH_MS. */
@Injectable()
export class RulesService {
  constructor(@InjectDataSource() private readonly db: DataSource) {}

  async get(storeId: string): Promise<RecommendationRules> {
    const [row]: { rules: unknown }[] = await this.db.query(`SELECT "rules" FROM "recommender"."rules" WHERE "store_id" = $1`, [storeId]);
    const stored = row ? shape.validate(row.rules) : null;
    return stored?.ok ? stored.value : defaultRules();
  }

  async put(storeId: string, rules: RecommendationRules): Promise<RecommendationRules> {
    await this.db.query(
      `INSERT INTO "recommender"."rules" ("store_id", "rules") VALUES ($1, $2)
       ON CONFLICT ("store_id") DO UPDATE SET "rules" = EXCLUDED."rules", "updated_at" = now(), "revision" = nextval('"recommender"."revision"')`,
      [storeId, JSON.stringify(rules)],
    );
    return rules;
  }
}
