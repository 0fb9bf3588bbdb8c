import type { Static, TObject } from '@sinclair/typebox';
import { Var } from '@signal/platform';

/**
 * Settings of search's learning from behaviour (query statistics, sessions, exits, learned
 * rewrites, the report). Spread into SearchConfigSchema; the whole config is provided under
 * BEHAVIOUR_CONFIG.
 */
export const BehaviourConfig = {
  SEARCH_SESSION_WINDOW_MINUTES: Var.int({
    description: 'Search: how long after a search a click, cart or purchase is attributed to it; a search with no engagement by then counts as an exit.',
    default: 30,
    minimum: 1,
    maximum: 1_440,
  }),
  SEARCH_REWRITE_WINDOW_SECONDS: Var.int({
    description: 'Search: a search with no engagement followed within this many seconds by a different search that is engaged teaches a rewrite.',
    default: 180,
    minimum: 10,
    maximum: 3_600,
  }),
  SEARCH_REWRITE_MIN_SUPPORT: Var.int({
    description: 'Search: distinct shoppers who must make the same reformulation before a learned rewrite is used.',
    default: 2,
    minimum: 1,
    maximum: 1_000_000,
  }),
  SEARCH_REPORT_MIN_SEARCHES: Var.int({ description: 'Search report: searches a query needs before its exit rate is reported.', default: 5, minimum: 1, maximum: 1_000_000 }),
  SEARCH_EXIT_SWEEP_INTERVAL_S: Var.int({
    description: 'Search: seconds between sweeps that count exits of shoppers who never came back (0: only when the shopper comes back).',
    default: 60,
    minimum: 0,
    maximum: 86_400,
  }),
  SEARCH_SESSION_RETENTION_HOURS: Var.int({
    description: 'Search: session documents (recent searches and event ids seen, for redelivery) idle longer than this are deleted.',
    default: 168,
    minimum: 1,
    maximum: 8_760,
  }),
};

export type BehaviourSettings = Static<TObject<typeof BehaviourConfig>>;

/** The search config (or any object with the BehaviourConfig fields). */
export const BEHAVIOUR_CONFIG = Symbol('BEHAVIOUR_CONFIG');
