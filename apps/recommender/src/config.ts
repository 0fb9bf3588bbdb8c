import { Type, type Static } from '@sinclair/typebox';
import { CommonConfig, DatabaseConfig, Var, httpPort } from '@signal/platform';

export const RecommenderConfigSchema = Type.Object({
  ...httpPort(3003),
  ...CommonConfig,
  ...DatabaseConfig,
  TRENDING_HALF_LIFE_HOURS: Var.int({ description: 'Half-life of trending (time-decayed popularity), in hours. Changing it needs a fresh item_stats (the stored heat depends on it).', default: 168, minimum: 1, maximum: 8_760 }),
  CACHE_REFRESH_MS: Var.int({ description: 'How often a serving replica picks up catalog, trending, rule and model changes from Postgres.', default: 1_000, minimum: 100, maximum: 60_000 }),
  SHOPPER_HISTORY_LIMIT: Var.int({ description: "Most recent interactions of a shopper read per request.", default: 300, minimum: 10, maximum: 5_000 }),
  NEIGHBOUR_CACHE_ITEMS: Var.int({ description: 'Neighbour lists a serving replica keeps in memory (LRU; about 1.4 kB each with 100 neighbours).', default: 100_000, minimum: 100, maximum: 5_000_000 }),
  WARM_UP_STORES: Var.int({ description: "Stores (most recently modelled first) whose catalog, popularity and hottest neighbour lists a replica loads before it listens, so its first requests are not the slow ones; 0 starts cold.", default: 20, minimum: 0, maximum: 10_000 }),
  WARM_UP_TIMEOUT_MS: Var.int({ description: 'Longest a replica warms up before it listens anyway (keep it well inside the startup probe).', default: 30_000, minimum: 0, maximum: 600_000 }),
  MODEL_WINDOW_DAYS: Var.int({ description: 'Model job: interactions older than this are not learned from.', default: 400, minimum: 1, maximum: 3_650 }),
  MODEL_TOP_K: Var.int({ description: 'Model job: neighbours kept per product and kind.', default: 100, minimum: 5, maximum: 1_000 }),
  MODEL_BUILD_INTERVAL_S: Var.int({ description: 'Model job in --loop mode: seconds between builds.', default: 300, minimum: 5, maximum: 86_400 }),
});
export type RecommenderConfig = Static<typeof RecommenderConfigSchema>;
export const RECOMMENDER_CONFIG = Symbol('RECOMMENDER_CONFIG');
