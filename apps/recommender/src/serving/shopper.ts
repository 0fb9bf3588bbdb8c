import { INTEREST_WEIGHTS, type InteractionKind } from '../interactions/interactions';

export interface InteractionRow {
  product_id: string;
  kind: InteractionKind;
  context_id: string | null;
  at: Date;
}

/** A product the shopper showed interest in, with how strongly and how recently. */
export interface Signal {
  productId: string;
  /** Strongest kind seen (purchase > heart > cart_add > click > view). */
  kind: InteractionKind;
  weight: number;
  lastAtMs: number;
}

/** What serving knows of one shopper, derived from their interactions (newest first). */
export interface Shopper {
  /** False for a first-time visitor (no interactions) or one who withdrew consent. */
  known: boolean;
  /** Product → time of the latest purchase. */
  purchased: Map<string, number>;
  /** Items of their latest order, for "just bought" cross-sell. */
  lastOrder: string[];
  cart: Set<string>;
  /** Hearted and not un-hearted, newest first. */
  hearted: string[];
  /** Products by interest, strongest first. */
  signals: Signal[];
}

export const EMPTY_SHOPPER: Shopper = { known: false, purchased: new Map(), lastOrder: [], cart: new Set(), hearted: [], signals: [] };

const RANK: Record<InteractionKind, number> = { purchase: 5, heart: 4, cart_add: 3, click: 2, view: 1, cart_remove: 0, unheart: 0 };

/**
 * Folds a shopper's interactions (any order) into what placements use. Cart and hearts follow the
 * latest action per product by time, so a late-arriving old event cannot undo a newer one; a
 * purchase empties the cart of everything added before it.
 */
export function shopperFrom(rows: readonly InteractionRow[], nowMs: number, halfLifeDays: number): Shopper {
  if (rows.length === 0) return EMPTY_SHOPPER;
  const sorted = [...rows].sort((a, b) => a.at.getTime() - b.at.getTime());
  const purchased = new Map<string, number>();
  const cartAction = new Map<string, { added: boolean; at: number }>();
  const heartAction = new Map<string, { on: boolean; at: number }>();
  const signals = new Map<string, Signal>();
  let lastPurchaseAt = -Infinity;
  const orders = new Map<string, { at: number; items: string[] }>();
  for (const r of sorted) {
    const at = r.at.getTime();
    switch (r.kind) {
      case 'purchase': {
        purchased.set(r.product_id, at);
        lastPurchaseAt = Math.max(lastPurchaseAt, at);
        const key = r.context_id ?? String(at);
        const order = orders.get(key) ?? { at, items: [] };
        order.items.push(r.product_id);
        orders.set(key, order);
        break;
      }
      case 'cart_add':
      case 'cart_remove':
        cartAction.set(r.product_id, { added: r.kind === 'cart_add', at });
        break;
      case 'heart':
      case 'unheart':
        heartAction.set(r.product_id, { on: r.kind === 'heart', at });
        break;
      default:
    }
    const w = INTEREST_WEIGHTS[r.kind];
    if (w === 0) continue;
    // Older interest counts less: the weight halves every halfLifeDays.
    const decayed = w * 2 ** (-(nowMs - at) / (halfLifeDays * 86_400_000));
    const s = signals.get(r.product_id);
    if (s) {
      s.weight += decayed;
      s.lastAtMs = Math.max(s.lastAtMs, at);
      if (RANK[r.kind] > RANK[s.kind]) s.kind = r.kind;
    } else signals.set(r.product_id, { productId: r.product_id, kind: r.kind, weight: decayed, lastAtMs: at });
  }
  const cart = new Set([...cartAction].filter(([, a]) => a.added && a.at > lastPurchaseAt).map(([id]) => id));
  const hearted = [...heartAction].filter(([, a]) => a.on).sort(([, a], [, b]) => b.at - a.at).map(([id]) => id);
  let lastOrder: string[] = [];
  let lastOrderAt = -Infinity;
  for (const o of orders.values()) if (o.at > lastOrderAt) [lastOrder, lastOrderAt] = [o.items, o.at];
  return {
    known: true,
    purchased,
    lastOrder,
    cart,
    hearted,
    signals: [...signals.values()].sort((a, b) => b.weight - a.weight || b.lastAtMs - a.lastAtMs),
  };
}
