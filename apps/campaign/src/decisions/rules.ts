import { createHash } from 'node:crypto';
import type { Condition, OfferKind, OnsiteCampaign, Variant } from './definitions';

/** What a decision knows of a shopper: their row of campaign.shoppers, or a new visitor's defaults. */
export interface Shopper {
  /** False when there is no profile yet: such a shopper is a new visitor. */
  known: boolean;
  stage: string;
  segments: readonly string[];
  traits: Readonly<Record<string, unknown>>;
  ordersCount: number;
  discountOrderShare: number | null;
  offerResponseRate: number | null;
  consentEmail: boolean | null;
  consentPush: boolean | null;
  country: string | null;
  purchased: readonly string[];
  /** Strongest first. */
  affinityCategories: readonly string[];
}

export const UNKNOWN_SHOPPER: Shopper = {
  known: false,
  stage: 'new_visitor',
  segments: [],
  traits: {},
  ordersCount: 0,
  discountOrderShare: null,
  offerResponseRate: null,
  consentEmail: null,
  consentPush: null,
  country: null,
  purchased: [],
  affinityCategories: [],
};

/** The shopper and the page a decision is asked for. */
export interface RuleContext {
  shopper: Shopper;
  page?: string;
  productId?: string;
}

/** Thresholds of discount sensitivity (see README.md). */
export const DISCOUNT_SENSITIVE = { orderShare: 0.5, offerResponseRate: 0.3 } as const;
/** Orders after which a shopper who used a discount on every one counts as discount-dependent. */
export const DISCOUNT_DEPENDENT_MIN_ORDERS = 3;

export const productPurchased = (ctx: RuleContext): boolean => ctx.productId !== undefined && ctx.shopper.purchased.includes(ctx.productId);

/** Half or more of their orders used a discount, or they took up 30% or more of the offers they were shown. */
export const isDiscountSensitive = (s: Shopper): boolean =>
  (s.discountOrderShare ?? 0) >= DISCOUNT_SENSITIVE.orderShare || (s.offerResponseRate ?? 0) >= DISCOUNT_SENSITIVE.offerResponseRate;

/** Every one of at least 3 orders used a discount: another code only teaches them to wait for the next. */
export const isDiscountDependent = (s: Shopper): boolean => s.ordersCount >= DISCOUNT_DEPENDENT_MIN_ORDERS && (s.discountOrderShare ?? 0) >= 1;

/** On the mailing list already: their stage says so, or they gave e-mail consent. */
export const isSubscribed = (s: Shopper): boolean => s.stage === 'subscribed' || s.consentEmail === true;

/** No profile, or a profile that has not got past its first visit and never ordered. */
export const isNewVisitor = (s: Shopper): boolean => !s.known || (s.stage === 'new_visitor' && s.ordersCount === 0);

const globCache = new Map<string, RegExp>();
function glob(pattern: string): RegExp {
  let re = globCache.get(pattern);
  if (!re) {
    re = new RegExp(`^${pattern.split('*').map((p) => p.replace(/[.+?^${}()|[\]\\]/g, '\\$&')).join('.*')}$`, 'i');
    if (globCache.size > 1_000) globCache.clear();
    globCache.set(pattern, re);
  }
  return re;
}

function traitEquals(value: unknown, expected: string | number | boolean): boolean {
  if (Array.isArray(value)) return value.includes(expected);
  return value === expected;
}

/** Whether a store's audience rule holds for this shopper on this page. */
export function matches(c: Condition, ctx: RuleContext): boolean {
  const s = ctx.shopper;
  if ('all' in c) return c.all.every((x) => matches(x, ctx));
  if ('any' in c) return c.any.some((x) => matches(x, ctx));
  if ('not' in c) return !matches(c.not, ctx);
  if ('stage' in c) return c.stage.in.includes(s.stage);
  if ('segment' in c) return c.segment.in.some((x) => s.segments.includes(x));
  if ('trait' in c) return traitEquals(s.traits[c.trait.key], c.trait.equals);
  if ('orders' in c) return (c.orders.gte === undefined || s.ordersCount >= c.orders.gte) && (c.orders.lte === undefined || s.ordersCount <= c.orders.lte);
  if ('discountSensitive' in c) return isDiscountSensitive(s) === c.discountSensitive;
  if ('consent' in c) return (c.consent.email === undefined || (s.consentEmail === true) === c.consent.email) && (c.consent.push === undefined || (s.consentPush === true) === c.consent.push);
  if ('country' in c) return s.country !== null && c.country.in.some((x) => x.toUpperCase() === s.country?.toUpperCase());
  if ('page' in c) return ctx.page !== undefined && glob(c.page.matches).test(ctx.page);
  if ('productPurchased' in c) return productPurchased(ctx) === c.productPurchased;
  return false;
}

/**
 * Whether an offer of this kind may go to this shopper, whatever the store's rules say. Used both
 * when a decision picks a variant and when a code is issued (journeys issue codes too).
 */
export function offerAllowed(kind: OfferKind, s: Shopper): { ok: true } | { ok: false; reason: string } {
  if (kind === 'first_purchase' && s.ordersCount > 0) return { ok: false, reason: 'first-purchase offer: the shopper has ordered before' };
  if (kind === 'loyalty' && s.ordersCount === 0) return { ok: false, reason: 'loyalty reward: the shopper has not ordered yet' };
  if (kind === 'incentive' && !isDiscountSensitive(s)) return { ok: false, reason: 'incentive: the shopper is not discount-sensitive' };
  if (kind === 'incentive' && isDiscountDependent(s)) return { ok: false, reason: 'incentive: the shopper only buys with discounts' };
  return { ok: true };
}

export interface OfferState {
  kind: OfferKind;
  active: boolean;
}

/**
 * The variants of a campaign this shopper may see here, after the built-in guards (README.md):
 * no sign-up to subscribers; on a product they bought, `buy` gives way to `review` (and `review`
 * is only ever shown there); offers only to shoppers their kind is meant for.
 */
export function allowedVariants(variants: readonly Variant[], ctx: RuleContext, offers: ReadonlyMap<string, OfferState>): Variant[] {
  const bought = productPurchased(ctx);
  return variants.filter((v) => {
    if (v.kind === 'signup' && isSubscribed(ctx.shopper)) return false;
    if (v.kind === 'buy' && bought) return false;
    if (v.kind === 'review' && !bought) return false;
    if (v.offerId !== undefined) {
      const offer = offers.get(v.offerId);
      if (!offer?.active || !offerAllowed(offer.kind, ctx.shopper).ok) return false;
    }
    return true;
  });
}

/** A stable number in [0, 1) for these parts: the same shopper lands in the same bucket every time. */
export function bucket(...parts: string[]): number {
  return createHash('sha256').update(parts.join('\u0000')).digest().readUInt32BE(0) / 2 ** 32;
}

export const inHoldout = (campaignId: string, profileId: string, share: number): boolean => share > 0 && bucket('holdout', campaignId, profileId) < share;

/** One of the variants by weight, the same one for the same shopper while the set stays the same. */
export function chooseVariant<V extends Pick<Variant, 'variantId' | 'weight'>>(variants: readonly V[], campaignId: string, profileId: string): V | undefined {
  if (variants.length <= 1) return variants[0];
  const total = variants.reduce((n, v) => n + v.weight, 0);
  let point = bucket('variant', campaignId, profileId) * total;
  for (const v of variants) {
    point -= v.weight;
    if (point < 0) return v;
  }
  return variants[variants.length - 1];
}

export interface PastEvent {
  type: 'impression' | 'click' | 'dismiss';
  at: Date;
}

/** Why this campaign stays away from this shopper for now, or null: the per-shopper cap, or the cool-down after a click or dismiss. */
export function restingReason(campaign: Pick<OnsiteCampaign, 'cap' | 'cooldownHours'>, past: readonly PastEvent[], now: Date): 'capped' | 'cooling down' | null {
  const hour = 3_600_000;
  if (campaign.cooldownHours > 0) {
    const since = now.getTime() - campaign.cooldownHours * hour;
    if (past.some((e) => e.type !== 'impression' && e.at.getTime() > since)) return 'cooling down';
  }
  if (campaign.cap) {
    const since = now.getTime() - campaign.cap.windowHours * hour;
    if (past.filter((e) => e.type === 'impression' && e.at.getTime() > since).length >= campaign.cap.impressions) return 'capped';
  }
  return null;
}

/** Whether a campaign is on at `now`: active and inside its dates. */
export function running(c: Pick<OnsiteCampaign, 'status' | 'startsAt' | 'endsAt'>, now: Date): boolean {
  return c.status === 'active' && (c.startsAt === undefined || Date.parse(c.startsAt) <= now.getTime()) && (c.endsAt === undefined || Date.parse(c.endsAt) > now.getTime());
}
