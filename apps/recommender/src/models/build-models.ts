import type { DataSource } from 'typeorm';
import type { RecommenderConfig } from '../config';
import { coOccurrenceNeighbours, sequenceNeighbours, type Neighbours, type TimedOrder, type Transaction } from './co-occurrence';
import { contentNeighbours, type ProductText } from './content';
import type { NeighbourKind } from './model-kinds';

const PAGE = 50_000;
/** Big wholesale baskets and long sessions: their first items are kept (pairs grow with the square). */
const MAX_TRANSACTION_ITEMS = 100;
/** Views of one shopper without a session id are grouped per day. */
const DAY_MS = 86_400_000;

/** Tuned on the recs-eval benchmark (docs/benchmarks.md); see co-occurrence.ts for the formulas. */
export const MODEL_PARAMETERS = {
  bought_together: { alpha: 0.7, shrink: 0, minCount: 1 },
  co_purchase: { alpha: 0.5, shrink: 0, minCount: 1 },
  also_viewed: { alpha: 0.5, shrink: 0, minCount: 1 },
  bought_after: { windowDays: 365, halfLifeDays: 60 },
  similar: { maxDocumentShare: 0.05 },
} as const;

interface Row {
  event_id: string;
  product_id: string;
  kind: string;
  profile_id: string;
  context_id: string | null;
  at: Date;
}

export interface BuildStats {
  products: number;
  items: number;
  orders: number;
  sessions: number;
  interactions: number;
  lists: Record<NeighbourKind, number>;
  ms: number;
}

/** Item ids ↔ dense indexes. */
class Items {
  readonly ids: string[] = [];
  private readonly index = new Map<string, number>();
  of(id: string): number {
    let i = this.index.get(id);
    if (i === undefined) this.index.set(id, (i = this.ids.push(id) - 1));
    return i;
  }
}

const capped = (s: Set<number>): number[] => [...s].slice(0, MAX_TRANSACTION_ITEMS);

/**
 * Rebuilds one store's neighbour lists from its interactions and catalog, and swaps them in at once
 * (one transaction), so a serving replica sees either the old model or the new one.
 */
export async function buildStoreModels(db: DataSource, config: RecommenderConfig, storeId: string): Promise<BuildStats> {
  const started = Date.now();
  const items = new Items();
  const products: { product_id: string; title: string; brand: string | null; categories: string[]; attributes: Record<string, string> }[] = await db.query(
    `SELECT "product_id", "title", "brand", "categories", "attributes" FROM "recommender"."products" WHERE "store_id" = $1 ORDER BY "product_id"`,
    [storeId],
  );
  for (const p of products) items.of(p.product_id);

  const orders = new Map<string, { profile: string; at: number; items: Set<number> }>();
  const sessions = new Map<string, Set<number>>();
  const since = new Date(Date.now() - config.MODEL_WINDOW_DAYS * DAY_MS);
  let interactions = 0;
  let after: [Date, string, string, string] | null = null;
  for (;;) {
    const rows: Row[] = await db.query(
      `SELECT "event_id", "product_id", "kind", "profile_id", "context_id", "at" FROM "recommender"."interactions"
       WHERE "store_id" = $1 AND "at" >= $2 AND "kind" IN ('purchase', 'view', 'click', 'cart_add')
         ${after ? 'AND ("at", "event_id", "product_id", "kind") > ($3, $4, $5, $6)' : ''}
       ORDER BY "at", "event_id", "product_id", "kind" LIMIT ${PAGE}`,
      after ? [storeId, since, ...after] : [storeId, since],
    );
    for (const r of rows) {
      const item = items.of(r.product_id);
      if (r.kind === 'purchase') {
        const key = `${r.profile_id}\u0000${r.context_id ?? r.event_id}`;
        let order = orders.get(key);
        if (!order) orders.set(key, (order = { profile: r.profile_id, at: r.at.getTime(), items: new Set() }));
        order.items.add(item);
      } else {
        const key = `${r.profile_id}\u0000${r.context_id ?? Math.floor(r.at.getTime() / DAY_MS)}`;
        let session = sessions.get(key);
        if (!session) sessions.set(key, (session = new Set()));
        session.add(item);
      }
    }
    interactions += rows.length;
    if (rows.length < PAGE) break;
    const last = rows[rows.length - 1];
    after = [last.at, last.event_id, last.product_id, last.kind];
  }

  const n = items.ids.length;
  const topK = config.MODEL_TOP_K;
  const baskets: Transaction[] = [...orders.values()].map((o) => capped(o.items));
  const viewed: Transaction[] = [...sessions.values()].filter((s) => s.size > 1).map(capped);
  const byShopper = new Map<string, TimedOrder[]>();
  for (const o of orders.values()) {
    let list = byShopper.get(o.profile);
    if (!list) byShopper.set(o.profile, (list = []));
    list.push({ at: o.at, items: capped(o.items) });
  }
  const texts: ProductText[] = products.map((p) => ({ title: p.title, brand: p.brand, categories: p.categories, attributes: p.attributes ?? {} }));

  const [boughtTogether, coPurchase] = coOccurrenceNeighbours(baskets, n, [
    { topK, ...MODEL_PARAMETERS.bought_together },
    { topK, ...MODEL_PARAMETERS.co_purchase },
  ]);
  const lists: Record<NeighbourKind, (Neighbours | null)[]> = {
    bought_together: boughtTogether,
    co_purchase: coPurchase,
    also_viewed: coOccurrenceNeighbours(viewed, n, [{ topK, ...MODEL_PARAMETERS.also_viewed }])[0],
    bought_after: sequenceNeighbours([...byShopper.values()], n, { topK, nowMs: started, ...MODEL_PARAMETERS.bought_after }),
    // Catalog products come first in the index, so content lists line up with them.
    similar: contentNeighbours(texts, { topK, ...MODEL_PARAMETERS.similar }),
  };

  const stats: BuildStats = {
    products: products.length,
    items: n,
    orders: orders.size,
    sessions: viewed.length,
    interactions,
    lists: Object.fromEntries(Object.entries(lists).map(([k, v]) => [k, v.filter((x) => x && x.items.length).length])) as Record<NeighbourKind, number>,
    ms: 0,
  };
  await db.transaction(async (tx) => {
    // Two jobs on one store (a schedule overlapping a manual run) take turns.
    await tx.query(`SELECT pg_advisory_xact_lock(hashtext('recommender.models:' || $1))`, [storeId]);
    await tx.query(`DELETE FROM "recommender"."neighbours" WHERE "store_id" = $1`, [storeId]);
    for (const [kind, perItem] of Object.entries(lists) as [NeighbourKind, (Neighbours | null)[]][]) {
      let batch: { p: string; i: string[]; s: number[] }[] = [];
      const flush = async () => {
        if (!batch.length) return;
        await tx.query(
          `INSERT INTO "recommender"."neighbours" ("store_id", "kind", "product_id", "items", "scores")
           SELECT $1, $2, v.p, ARRAY(SELECT jsonb_array_elements_text(v.i)), ARRAY(SELECT jsonb_array_elements_text(v.s)::real)
           FROM jsonb_to_recordset($3::jsonb) AS v(p varchar, i jsonb, s jsonb)`,
          [storeId, kind, JSON.stringify(batch)],
        );
        batch = [];
      };
      for (let a = 0; a < perItem.length; a++) {
        const nb = perItem[a];
        if (!nb || nb.items.length === 0) continue;
        batch.push({ p: items.ids[a], i: Array.from(nb.items, (j) => items.ids[j]), s: Array.from(nb.scores, (s) => Math.round(s * 1e6) / 1e6) });
        if (batch.length >= 2_000) await flush();
      }
      await flush();
    }
    stats.ms = Date.now() - started;
    await tx.query(
      `INSERT INTO "recommender"."models" ("store_id", "built_at", "stats") VALUES ($1, now(), $2)
       ON CONFLICT ("store_id") DO UPDATE SET "built_at" = now(), "stats" = EXCLUDED."stats", "revision" = nextval('"recommender"."revision"')`,
      [storeId, JSON.stringify(stats)],
    );
  });
  return stats;
}

/** Every store that has products or interactions. */
export async function storesToBuild(db: DataSource): Promise<string[]> {
  const rows: { store_id: string }[] = await db.query(
    `SELECT "store_id" FROM "recommender"."products" GROUP BY 1 UNION SELECT "store_id" FROM "recommender"."item_stats" WHERE "scope" = '' GROUP BY 1 ORDER BY 1`,
  );
  return rows.map((r) => r.store_id);
}
