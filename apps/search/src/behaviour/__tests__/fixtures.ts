import type { BehaviourEvent } from '../behaviour-event';
import { PRODUCT_WEIGHTS } from '../behaviour-event';
import type { SessionRules } from '../session';

export const RULES: SessionRules = { windowMs: 30 * 60_000, rewriteWindowMs: 3 * 60_000 };
export const T0 = Date.UTC(2026, 2, 1, 12);
export const NOW = new Date(T0).toISOString();
export const min = (m: number): number => T0 + m * 60_000;

let offset = 100;
let id = 0;
const base = (type: BehaviourEvent['type'], at: number): BehaviourEvent => ({
  eventId: `e${++id}`,
  storeId: 's1',
  profileId: 'p1',
  type,
  at,
  partition: 0,
  offset: String(++offset),
  products: [],
});

export const search = (query: string, at: number, o: { searchId?: string; resultsCount?: number } = {}): BehaviourEvent => ({ ...base('search', at), search: { query, ...o } });

export const click = (productId: string, at: number, o: { searchId?: string; query?: string } = {}): BehaviourEvent => ({
  ...base('search_result_click', at),
  engage: { action: 'click', productIds: [productId], ...o },
  products: [{ productId, weight: PRODUCT_WEIGHTS.search_result_click as number, sold: 0 }],
});

export const cart = (productId: string, at: number): BehaviourEvent => ({
  ...base('add_to_cart', at),
  engage: { action: 'cart', productIds: [productId] },
  products: [{ productId, weight: 3, sold: 0 }],
});

export const purchase = (items: Record<string, number>, at: number): BehaviourEvent => ({
  ...base('purchase', at),
  engage: { action: 'purchase', productIds: Object.keys(items) },
  products: Object.entries(items).map(([productId, sold]) => ({ productId, weight: 5, sold })),
});

export const view = (productId: string, at: number): BehaviourEvent => ({ ...base('product_view', at), products: [{ productId, weight: 1, sold: 0 }] });

export const pageView = (at: number): BehaviourEvent => base('page_view', at);
