import { Inject, Injectable } from '@nestjs/common';
import { InjectDataSource } from '@nestjs/typeorm';
import { EnrichedEvent, Validator } from '@signal/contracts';
import { UnprocessableMessageError, type ConsumedMessage } from '@signal/platform';
import type { DataSource, EntityManager } from 'typeorm';
import { RECOMMENDER_CONFIG, type RecommenderConfig } from '../config';
import { heatOf, logAdd2, logAdd2Sql } from './heat';
import { INTEREST_WEIGHTS, consentOf, interactionsOf, type ConsentChange, type Interaction } from './interactions';

const enriched = new Validator(EnrichedEvent);

/** Per (store, scope, product): the heat and orders a batch adds. */
interface StatDelta {
  store_id: string;
  scope: string;
  product_id: string;
  heat: number;
  orders: number;
}

/**
 * events.enriched.v1 → the interactions table (what each shopper did with which product) and the
 * trending statistics, in one transaction per batch. The interaction's key (event, product, kind)
 * makes a redelivered batch a no-op, and only rows that were new count towards trending.
 */
@Injectable()
export class RecordInteractionsService {
  constructor(
    @InjectDataSource() private readonly db: DataSource,
    @Inject(RECOMMENDER_CONFIG) private readonly config: RecommenderConfig,
  ) {}

  async record(messages: ConsumedMessage[]): Promise<void> {
    const rows: Interaction[] = [];
    const consents: ConsentChange[] = [];
    let invalid: UnprocessableMessageError | undefined;
    for (const m of messages) {
      const checked = enriched.validate(m.value);
      if (!checked.ok) {
        invalid ??= new UnprocessableMessageError('invalid_enriched_event', checked.errors);
        continue;
      }
      rows.push(...interactionsOf(checked.value));
      const consent = consentOf(checked.value);
      if (consent) consents.push(consent);
    }
    if (rows.length || consents.length) await this.db.transaction((tx) => this.apply(tx, rows, consents));
    // The platform retries a failed batch message by message, which dead-letters just the bad one.
    if (invalid) throw invalid;
  }

  private async apply(tx: EntityManager, rows: Interaction[], consents: ConsentChange[]): Promise<void> {
    for (const c of consents) await this.recordConsent(tx, c);
    const withdrawn = await this.withdrawn(tx, rows);
    const kept = withdrawn.size ? rows.filter((r) => !withdrawn.has(`${r.storeId}\u0000${r.profileId}`)) : rows;
    if (kept.length === 0) return;
    const inserted: { store_id: string; event_id: string; product_id: string; kind: string }[] = await tx.query(
      `INSERT INTO "recommender"."interactions" ("store_id", "event_id", "product_id", "kind", "profile_id", "context_id", "at")
       SELECT * FROM unnest($1::varchar[], $2::varchar[], $3::varchar[], $4::varchar[], $5::varchar[], $6::varchar[], $7::timestamptz[])
       ON CONFLICT DO NOTHING
       RETURNING "store_id", "event_id", "product_id", "kind"`,
      [kept.map((r) => r.storeId), kept.map((r) => r.eventId), kept.map((r) => r.productId), kept.map((r) => r.kind), kept.map((r) => r.profileId), kept.map((r) => r.contextId), kept.map((r) => r.at)],
    );
    if (inserted.length === 0) return;
    const fresh = new Set(inserted.map((r) => `${r.store_id}\u0000${r.event_id}\u0000${r.product_id}\u0000${r.kind}`));
    const deltas = this.statDeltas(kept.filter((r) => fresh.has(`${r.storeId}\u0000${r.eventId}\u0000${r.productId}\u0000${r.kind}`)));
    if (deltas.length === 0) return;
    await tx.query(
      `INSERT INTO "recommender"."item_stats" AS s ("store_id", "scope", "product_id", "heat", "orders")
       SELECT * FROM jsonb_to_recordset($1::jsonb) AS v(store_id varchar, scope varchar, product_id varchar, heat double precision, orders integer)
       ORDER BY 1, 2, 3
       ON CONFLICT ("store_id", "scope", "product_id") DO UPDATE SET
         "heat" = ${logAdd2Sql('s."heat"', 'EXCLUDED."heat"')},
         "orders" = s."orders" + EXCLUDED."orders",
         "revision" = nextval('"recommender"."revision"')`,
      [JSON.stringify(deltas)],
    );
  }

  /** Trending deltas, overall ('') and per country, summed per key (an upsert may touch a row once). */
  private statDeltas(rows: Interaction[]): StatDelta[] {
    const byKey = new Map<string, StatDelta>();
    const add = (r: Interaction, scope: string) => {
      const weight = INTEREST_WEIGHTS[r.kind];
      if (weight === 0) return;
      const key = `${r.storeId}\u0000${scope}\u0000${r.productId}`;
      const heat = heatOf(weight, Date.parse(r.at), this.config.TRENDING_HALF_LIFE_HOURS);
      const orders = r.kind === 'purchase' ? 1 : 0;
      const d = byKey.get(key);
      if (d) {
        d.heat = logAdd2(d.heat, heat);
        d.orders += orders;
      } else byKey.set(key, { store_id: r.storeId, scope, product_id: r.productId, heat, orders });
    };
    for (const r of rows) {
      add(r, '');
      if (r.country) add(r, `country:${r.country}`);
    }
    return [...byKey.values()];
  }

  /**
   * The latest consent wins (by occurredAt). Withdrawing drops what the shopper did: nothing of it
   * may shape their recommendations, and nothing is kept "just in case".
   */
  private async recordConsent(tx: EntityManager, c: ConsentChange): Promise<void> {
    const [row]: { personalization: boolean }[] = await tx.query(
      `INSERT INTO "recommender"."consents" AS c ("store_id", "profile_id", "personalization", "at") VALUES ($1, $2, $3, $4)
       ON CONFLICT ("store_id", "profile_id") DO UPDATE SET "personalization" = EXCLUDED."personalization", "at" = EXCLUDED."at"
       WHERE c."at" <= EXCLUDED."at"
       RETURNING "personalization"`,
      [c.storeId, c.profileId, c.personalization, c.at],
    );
    if (row && !row.personalization) {
      await tx.query(`DELETE FROM "recommender"."interactions" WHERE "store_id" = $1 AND "profile_id" = $2`, [c.storeId, c.profileId]);
    }
  }

  private async withdrawn(tx: EntityManager, rows: Interaction[]): Promise<Set<string>> {
    const keys = [...new Set(rows.map((r) => `${r.storeId}\u0000${r.profileId}`))];
    const found: { store_id: string; profile_id: string }[] = await tx.query(
      `SELECT c."store_id", c."profile_id" FROM "recommender"."consents" c
       JOIN unnest($1::varchar[], $2::varchar[]) AS u(store_id, profile_id) ON c."store_id" = u.store_id AND c."profile_id" = u.profile_id
       WHERE NOT c."personalization"`,
      [keys.map((k) => k.split('\u0000')[0]), keys.map((k) => k.split('\u0000')[1])],
    );
    return new Set(found.map((f) => `${f.store_id}\u0000${f.profile_id}`));
  }
}
