import type { TSchema } from '@sinclair/typebox';
import { EVENT_PROPERTIES, EnrichedEvent, StoreId, Validator, type EventType, type FieldError } from '@signal/contracts';
import type { ConsumedMessage } from '@signal/platform';
import { queryKey } from './query-key';

/** How much one event says about interest in a product (product popularity). */
export const PRODUCT_WEIGHTS: Partial<Record<EventType, number>> = {
  product_view: 1,
  product_click: 1,
  search_result_click: 1,
  recommendation_click: 1,
  add_to_cart: 3,
  purchase: 5,
};

/** What an engagement adds to `products[productId]` of the query it is attributed to. */
export const ENGAGEMENT_WEIGHTS = { click: 1, cart: 3, purchase: 5 } as const;
export type EngagementAction = keyof typeof ENGAGEMENT_WEIGHTS;

/** occurredAt is trusted up to this far past receivedAt (ingest refuses more; a hostile producer may not). */
const MAX_FUTURE_MS = 15 * 60_000;

/** One enriched event, reduced to what search learns from it. */
export interface BehaviourEvent {
  eventId: string;
  storeId: string;
  profileId: string;
  type: EventType;
  /** occurredAt in ms, never later than receivedAt + 15 minutes. */
  at: number;
  partition: number;
  offset: string;
  /** `search`: the query key (normalizeQuery, clamped); empty when nothing is left of it. */
  search?: { query: string; searchId?: string; resultsCount?: number };
  /** `search_result_click`, `add_to_cart`, `purchase`: what may be attributed to a search. */
  engage?: { action: EngagementAction; productIds: string[]; searchId?: string; query?: string };
  /** Product popularity: weight per product, units sold. */
  products: { productId: string; weight: number; sold: number }[];
}

export type ParsedMessage = { ok: true; event: BehaviourEvent } | { ok: false; errors: FieldError[] };

const envelope = new Validator(EnrichedEvent);
const storeId = new Validator(StoreId);
const USED_TYPES: EventType[] = ['search', 'search_result_click', 'add_to_cart', 'purchase', 'product_view', 'product_click', 'recommendation_click'];
const propertyValidators = new Map<EventType, Validator<TSchema>>(USED_TYPES.map((t) => [t, new Validator<TSchema>(EVENT_PROPERTIES[t])]));

const str = (v: unknown): string | undefined => (typeof v === 'string' && v !== '' ? v : undefined);

/**
 * An events.enriched.v1 message → a BehaviourEvent, or the fields that make it unusable. The
 * envelope and, for the event types search uses, the properties are checked again (ingest checked
 * them, but a bad value here would poison the indices).
 */
export function parseBehaviourMessage(m: ConsumedMessage): ParsedMessage {
  const checked = envelope.validate(m.value);
  if (!checked.ok) return checked;
  const e = checked.value;
  const store = storeId.validate(e.storeId, 'storeId');
  if (!store.ok) return store;
  const props = propertyValidators.get(e.type);
  if (props) {
    const p = props.validate(e.properties, 'properties');
    if (!p.ok) return p;
  }
  const at = Math.min(Date.parse(e.occurredAt), Date.parse(e.receivedAt) + MAX_FUTURE_MS);
  const event: BehaviourEvent = { eventId: e.eventId, storeId: e.storeId, profileId: e.profileId, type: e.type, at, partition: m.partition, offset: m.offset, products: [] };
  const p = e.properties;
  const weight = PRODUCT_WEIGHTS[e.type] ?? 0;
  switch (e.type) {
    case 'search':
      event.search = { query: queryKey(p.query as string), searchId: str(p.searchId), resultsCount: p.resultsCount as number | undefined };
      break;
    case 'search_result_click': {
      const productId = p.productId as string;
      const query = typeof p.query === 'string' ? queryKey(p.query) : '';
      event.engage = { action: 'click', productIds: [productId], searchId: str(p.searchId), query: query || undefined };
      event.products.push({ productId, weight, sold: 0 });
      break;
    }
    case 'add_to_cart': {
      const productId = p.productId as string;
      // A storefront may add the search it came from (extra properties are allowed).
      event.engage = { action: 'cart', productIds: [productId], searchId: idLike(p.searchId) };
      event.products.push({ productId, weight, sold: 0 });
      break;
    }
    case 'purchase': {
      const sold = new Map<string, number>();
      for (const item of p.items as { productId: string; quantity: number }[]) sold.set(item.productId, (sold.get(item.productId) ?? 0) + item.quantity);
      event.engage = { action: 'purchase', productIds: [...sold.keys()], searchId: idLike(p.searchId) };
      for (const [productId, quantity] of sold) event.products.push({ productId, weight, sold: quantity });
      break;
    }
    case 'product_view':
    case 'product_click':
    case 'recommendation_click':
      event.products.push({ productId: p.productId as string, weight, sold: 0 });
      break;
    default:
      break;
  }
  return { ok: true, event };
}

const ID = /^[A-Za-z0-9._:@+-]{1,128}$/;
const idLike = (v: unknown): string | undefined => (typeof v === 'string' && ID.test(v) ? v : undefined);
