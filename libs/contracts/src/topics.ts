import { createHash } from 'node:crypto';

/**
 * Every Kafka topic of the platform, `<domain>.<entity>.<version>`.
 *
 * WARNING: a topic name is a public contract (analysts and other services read it).
 * Renaming one needs a migration: produce to both names, move consumers, then retire
 * the old name. Breaking a payload shape means a new version (`.v2`), never an edit.
 */
export const TOPICS = {
  EventsRaw: 'events.raw.v1',
  EventsEnriched: 'events.enriched.v1',
  EventsDeadLetter: 'events.dlq.v1',
  CatalogProducts: 'catalog.products.v1',
  CatalogInventory: 'catalog.inventory.v1',
  ProfilesChanged: 'profiles.changed.v1',
  SegmentsMembership: 'segments.membership.v1',
  PrivacyErasures: 'privacy.erasures.v1',
  RecommendationsServed: 'recommendations.served.v1',
  SearchServed: 'search.served.v1',
  CampaignMessages: 'campaign.messages.v1',
} as const;

export type TopicName = (typeof TOPICS)[keyof typeof TOPICS];

export interface TopicSpec {
  name: TopicName;
  /** What the message key is; per-shopper or per-product order is kept within a partition. */
  key: string;
  description: string;
  /** Compacted topics keep the latest value per key (a changelog, not a stream). */
  compacted: boolean;
  /** Retention for non-compacted topics. */
  retentionHours?: number;
}

export const TOPIC_SPECS: readonly TopicSpec[] = [
  {
    name: TOPICS.EventsRaw,
    key: 'storeId:anonymousId',
    description: 'Shopper events exactly as accepted by the gateway (shape-checked, stamped with storeId and receivedAt).',
    compacted: false,
    retentionHours: 72,
  },
  {
    name: TOPICS.EventsEnriched,
    key: 'storeId:profileId',
    description: 'Validated, deduplicated events with device, geo and the stitched profile id. The stream every service consumes.',
    compacted: false,
    retentionHours: 24 * 7,
  },
  {
    name: TOPICS.EventsDeadLetter,
    key: 'the key of the failed message',
    description: 'Messages a consumer could not process, with the reason and the original payload.',
    compacted: false,
    retentionHours: 24 * 14,
  },
  {
    name: TOPICS.CatalogProducts,
    key: 'storeId:productId',
    description: 'Latest version of each product; a tombstone (null value) deletes it.',
    compacted: true,
  },
  {
    name: TOPICS.CatalogInventory,
    key: 'storeId:productId',
    description: 'Stock level changes per product or variant.',
    compacted: false,
    retentionHours: 24 * 7,
  },
  {
    name: TOPICS.ProfilesChanged,
    key: 'storeId:profileId',
    description: 'The current profile of each shopper (ProfileView); a tombstone (null value) when the profile was merged away (header merged-into: the surviving profile id) or erased.',
    compacted: true,
  },
  {
    name: TOPICS.SegmentsMembership,
    key: 'storeId:profileId',
    description: 'A shopper entering or leaving a segment, with the rule and the event (or the passing of time) that caused it.',
    compacted: false,
    retentionHours: 24 * 7,
  },
  {
    name: TOPICS.PrivacyErasures,
    key: 'storeId:profileId',
    description: 'A person was erased: every service deletes what it holds about these identities.',
    compacted: false,
    retentionHours: 24 * 30,
  },
  {
    name: TOPICS.RecommendationsServed,
    key: 'storeId:profileId (storeId:- for an unknown shopper)',
    description: 'What each recommendation answer showed (its recommendationId, placement, items and reasons); recommendation_click events name that id.',
    compacted: false,
    retentionHours: 24 * 30,
  },
  {
    name: TOPICS.SearchServed,
    key: 'storeId:anonymousId or storeId:customerId (storeId:- for an unknown shopper)',
    description: 'What each search, autocomplete and image-search answer showed (its searchId, query, rewrites, filters and products with positions); search and search_result_click events name that id.',
    compacted: false,
    retentionHours: 24 * 30,
  },
  {
    name: TOPICS.CampaignMessages,
    key: 'storeId:profileId',
    description: 'Every status of every campaign and journey message: queued, sent, delivered, opened, clicked, failed, bounced, held out (holdout group) or suppressed (consent, cap, quiet hours), with the reason.',
    compacted: false,
    retentionHours: 24 * 30,
  },
];

/** Header of a profiles.changed.v1 tombstone: the profile the tombstoned one was merged into. */
export const MERGED_INTO_HEADER = 'merged-into';

export const shopperKey = (storeId: string, id: string): string => `${storeId}:${id}`;
export const productKey = (storeId: string, productId: string): string => `${storeId}:${productId}`;

/**
 * Stable profile id for an identity within a store: the same everywhere without
 * coordination (any ingest replica derives it). A known customer wins over the device.
 */
export function profileIdFor(storeId: string, identity: { customerId?: string; anonymousId: string }): string {
  const source = identity.customerId ? `${storeId}\u0000customer\u0000${identity.customerId}` : `${storeId}\u0000anonymous\u0000${identity.anonymousId}`;
  const h = createHash('sha256').update(source).digest('hex');
  return `${h.slice(0, 8)}-${h.slice(8, 12)}-${h.slice(12, 16)}-${h.slice(16, 20)}-${h.slice(20, 32)}`;
}
