import type { EnrichedEvent } from '@signal/contracts';

/** What a shopper did with a product, as far as recommendations care. */
export const INTERACTION_KINDS = ['view', 'click', 'cart_add', 'cart_remove', 'heart', 'unheart', 'purchase'] as const;
export type InteractionKind = (typeof INTERACTION_KINDS)[number];

/**
 * How much one interaction says about interest in the product: it heats the product up (trending)
 * and weighs the shopper's signal alike. Removals and un-hearts add nothing. The same scale as the
 * profile's affinities.
 */
export const INTEREST_WEIGHTS: Record<InteractionKind, number> = { view: 1, click: 2, cart_add: 4, heart: 6, purchase: 10, cart_remove: 0, unheart: 0 };

export interface Interaction {
  storeId: string;
  eventId: string;
  profileId: string;
  productId: string;
  kind: InteractionKind;
  /** The order (purchases) or browsing session (everything else) it belongs to. */
  contextId: string | null;
  at: string;
  /** For per-country popularity (first-time visitors); not stored with the row. */
  country: string | null;
}

export interface ConsentChange {
  storeId: string;
  profileId: string;
  personalization: boolean;
  at: string;
}

const str = (v: unknown): string | undefined => (typeof v === 'string' && v !== '' ? v : undefined);

/**
 * The interactions an enriched event means. Product ids come from the validated envelope's
 * properties; the per-type property schemas were checked at ingest, but a product id is still
 * re-checked for being a non-empty string, as a bad one here would poison the tables.
 */
export function interactionsOf(e: EnrichedEvent): Interaction[] {
  const p = e.properties;
  const base = { storeId: e.storeId, eventId: e.eventId, profileId: e.profileId, at: e.occurredAt, country: e.enrichment.geo?.country ?? null, contextId: e.sessionId ?? null };
  const one = (kind: InteractionKind): Interaction[] => {
    const productId = str(p.productId);
    return productId ? [{ ...base, productId, kind }] : [];
  };
  switch (e.type) {
    case 'product_view':
      return one('view');
    case 'product_click':
    case 'search_result_click':
    case 'recommendation_click':
      return one('click');
    case 'add_to_cart':
      return one('cart_add');
    case 'remove_from_cart':
      return one('cart_remove');
    case 'favorite':
      return one('heart');
    case 'unfavorite':
      return one('unheart');
    case 'purchase': {
      const items = Array.isArray(p.items) ? p.items : [];
      const orderId = str(p.orderId) ?? e.eventId;
      const ids = new Set<string>();
      for (const item of items) {
        const productId = str((item as { productId?: unknown } | null)?.productId);
        if (productId) ids.add(productId);
      }
      return [...ids].map((productId) => ({ ...base, productId, kind: 'purchase' as const, contextId: orderId }));
    }
    default:
      return [];
  }
}

/** A consent event that says something about personalization. */
export function consentOf(e: EnrichedEvent): ConsentChange | null {
  if (e.type !== 'consent' || typeof e.properties.personalization !== 'boolean') return null;
  return { storeId: e.storeId, profileId: e.profileId, personalization: e.properties.personalization, at: e.occurredAt };
}
