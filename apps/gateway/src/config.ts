import { Type, type Static } from '@sinclair/typebox';
import { CommonConfig, DatabaseConfig, Var, httpPort } from '@signal/platform';

export const GatewayConfigSchema = Type.Object({
  ...httpPort(3000),
  ...CommonConfig,
  ...DatabaseConfig,
  ADMIN_TOKEN: Var.string({ description: 'Token for the admin API (X-Admin-Token); at least 16 characters.', sensitive: true, minLength: 16 }),
  PROFILE_URL: Var.url({ description: 'Base URL of the profile service.', protocols: ['http', 'https'], default: 'http://127.0.0.1:3002' }),
  RECOMMENDER_URL: Var.url({ description: 'Base URL of the recommender service.', protocols: ['http', 'https'], default: 'http://127.0.0.1:3003' }),
  CAMPAIGN_URL: Var.url({ description: 'Base URL of the campaign service.', protocols: ['http', 'https'], default: 'http://127.0.0.1:3005' }),
  DECISIONS_TIMEOUT_MS: Var.int({ description: 'Timeout for GET /v1/decisions, in place of UPSTREAM_TIMEOUT_MS: past it the storefront gets content null, never an error.', default: 250, minimum: 20 }),
  SEARCH_URL: Var.url({ description: 'Base URL of the search service.', protocols: ['http', 'https'], default: 'http://127.0.0.1:3004' }),
  SEARCH_TIMEOUT_MS: Var.int({ description: 'Timeout for search, autocomplete and image-search calls, in place of UPSTREAM_TIMEOUT_MS.', default: 1_500, minimum: 20 }),
  SEARCH_IMAGE_MAX_BYTES: Var.int({ description: 'Largest image accepted by POST /v1/search/image.', default: 8 * 1024 * 1024, minimum: 1024, maximum: 64 * 1024 * 1024 }),
  UPSTREAM_TIMEOUT_MS: Var.int({ description: 'Timeout for calls to the services behind the gateway: for the first byte of the answer, then between chunks.', default: 2_000, minimum: 50 }),
  UPSTREAM_SLOW_TIMEOUT_MS: Var.int({ description: 'Timeout, in place of UPSTREAM_TIMEOUT_MS, for the calls known to be slow: segment preview and CSV export.', default: 30_000, minimum: 50 }),
  RECOMMENDATIONS_TIMEOUT_MS: Var.int({ description: 'Timeout for GET /v1/recommendations, in place of UPSTREAM_TIMEOUT_MS: storefront shelves cannot wait, so past it the gateway answers with its fallback (the last trending answer it saw).', default: 250, minimum: 20 }),
  UPSTREAM_MAX_BODY_BYTES: Var.int({ description: 'Largest JSON body of the proxied routes (settings, segments, quizzes, profiles, recommendation rules); at most EVENTS_MAX_BODY_BYTES.', default: 262_144, minimum: 1_024 }),
  EVENTS_MAX_BATCH: Var.int({ description: 'Most events in one POST /v1/events.', default: 500, minimum: 1, maximum: 10_000 }),
  EVENTS_MAX_BODY_BYTES: Var.int({ description: 'Largest POST /v1/events body.', default: 1_048_576, minimum: 1_024 }),
  CATALOG_FEED_MAX_BYTES: Var.int({ description: 'Largest POST /v1/catalog/feed body (a Merchant Center feed), and the most it may inflate to when compressed; the JSON routes keep their own limits.', default: 20_971_520, minimum: 1_024 }),
  EVENT_MAX_BYTES: Var.int({ description: 'Largest single event as stored, serialized (including the storeId and receivedAt the gateway adds).', default: 32_768, minimum: 512 }),
  EVENT_MAX_AGE_DAYS: Var.int({ description: 'Oldest occurredAt accepted, in days before now.', default: 30, minimum: 1 }),
  EVENT_MAX_FUTURE_MINUTES: Var.int({ description: 'How far in the future occurredAt may be (clock skew).', default: 15, minimum: 0 }),
  TRUST_PROXY: Var.string({ description: 'Express trust proxy setting for the client IP (hops or subnets).', default: 'loopback,linklocal,uniquelocal' }),
});
export type GatewayConfig = Static<typeof GatewayConfigSchema>;
export const GATEWAY_CONFIG = Symbol('GATEWAY_CONFIG');
