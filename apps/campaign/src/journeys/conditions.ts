import type { Condition } from './definition';

/** What a branch may ask about the shopper, gathered when the branch runs. */
export interface ShopperFacts {
  /** Null when the profile has not reached this service yet. */
  stage: string | null;
  segments: readonly string[];
  ordersCount: number;
  /** Share of their orders that used a discount (profile's discount sensitivity), if known. */
  discountOrderShare: number | null;
  /** Campaign clicks per open, if known. */
  offerResponseRate: number | null;
  /** Earlier runs of this journey that issued an incentive and ended in a purchase with it. */
  incentiveConversions: number;
  cartItems: number;
  /** Whether the trigger's product is in stock now; null when the run has no product. */
  productInStock: boolean | null;
}

/**
 * A habitual abandoner has learnt that leaving a cart pays: at least two earlier runs of this
 * journey ended in a purchase only after the incentive was issued (the code was used), or they
 * are a discount-driven buyer (at least half of at least 3 orders used a discount). The
 * cart-abandonment incentive is withheld from them; the reminder still goes out.
 */
export const HABITUAL = { incentiveConversions: 2, discountOrderShare: 0.5, minOrders: 3 } as const;

export function isHabitualAbandoner(f: Pick<ShopperFacts, 'incentiveConversions' | 'discountOrderShare' | 'ordersCount'>): boolean {
  if (f.incentiveConversions >= HABITUAL.incentiveConversions) return true;
  return f.ordersCount >= HABITUAL.minOrders && (f.discountOrderShare ?? 0) >= HABITUAL.discountOrderShare;
}

/** Buys mostly with discounts, or answers most offers it is shown. */
export function isDiscountSensitive(f: Pick<ShopperFacts, 'discountOrderShare' | 'offerResponseRate' | 'ordersCount'>): boolean {
  return (f.ordersCount > 0 && (f.discountOrderShare ?? 0) >= 0.5) || (f.offerResponseRate ?? 0) >= 0.5;
}

/** Every field given must hold; an unknown stage (no profile yet) is in no stage list. */
export function evaluate(c: Condition, f: ShopperFacts): boolean {
  if (c.all && !c.all.every((x) => evaluate(x, f))) return false;
  if (c.any && !c.any.some((x) => evaluate(x, f))) return false;
  if (c.not && evaluate(c.not, f)) return false;
  if (c.stageIn && (f.stage === null || !(c.stageIn as readonly string[]).includes(f.stage))) return false;
  if (c.segmentIn && !c.segmentIn.some((s) => f.segments.includes(s))) return false;
  if (c.ordersAtLeast !== undefined && f.ordersCount < c.ordersAtLeast) return false;
  if (c.habitualAbandoner !== undefined && isHabitualAbandoner(f) !== c.habitualAbandoner) return false;
  if (c.discountSensitive !== undefined && isDiscountSensitive(f) !== c.discountSensitive) return false;
  if (c.cartHasItems !== undefined && f.cartItems > 0 !== c.cartHasItems) return false;
  if (c.productInStock !== undefined && (f.productInStock ?? false) !== c.productInStock) return false;
  return true;
}
