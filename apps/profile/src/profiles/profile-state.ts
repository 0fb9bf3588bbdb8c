import type { EnrichedEvent, EventType, ProfileView, TraitValue } from '@signal/contracts';
import { AFFINITY_DIMENSIONS, type AffinityDimension, type LifecycleStage, type StoreSettings } from '../settings/store-settings';
import { addSignals, emptyAffinities, mergeAffinities, topAffinities } from './affinities';
import { personalizationWithdrawn, stageAt } from './stage';

export interface Device {
  type: string;
  os?: string;
  browser?: string;
}

export interface Geo {
  country: string;
  region?: string;
  city?: string;
}

/** Device, geo and time zone: what the shopper's most recent activity tells. */
interface Surroundings {
  device: Device | null;
  geo: Geo | null;
  timezone: string | null;
}

export type { TraitValue };

/** Last writer wins by `at` (epoch ms), so replays and out-of-order events settle the same way. */
export interface Stamped<T> {
  value: T;
  at: number;
}

/**
 * Time-decayed affinity scores, all expressed as of `at`: the score at time t is
 * score * 2^(-(t - at) / halfLife). Adding a signal first decays everything to the later time,
 * so folding events in any order gives the same result.
 */
export interface Affinities {
  at: number;
  scores: Record<AffinityDimension, Record<string, number>>;
}

/** One remembered event, compact, for segment conditions with time windows. Purchases give one entry per item. */
export interface HistoryEntry {
  type: EventType;
  at: number;
  productId?: string;
  /** Lower-cased category names: every level of every category path of the product. */
  categories?: string[];
  brand?: string;
  color?: string;
  size?: string;
  priceBand?: string;
  /** Money involved: item price × quantity, or the order value. */
  value?: number;
}

export interface Orders {
  count: number;
  revenue: number;
  withDiscount: number;
  firstAt: number | null;
  lastAt: number | null;
}

export type ConsentChannel = 'email' | 'push' | 'sms' | 'personalization';

/** A shopper profile as the service computes it. Times are epoch milliseconds. */
export interface ProfileState extends Surroundings {
  storeId: string;
  profileId: string;
  /** Set once a customer's event lands here; a profile without one may be merged into a customer's. */
  customerId: string | null;
  email: Stamped<string> | null;
  firstSeenAt: number;
  lastSeenAt: number;
  eventCount: number;
  /** Events seen, per event type. */
  counters: Record<string, number>;
  /** Explicit traits: quiz answers (`quiz.<quizId>.<questionId>`), declared preferences, store-set values. */
  traits: Record<string, Stamped<TraitValue>>;
  affinities: Affinities;
  orders: Orders;
  /** Per channel: granted or withdrawn, latest statement wins. Absent: never stated. */
  consent: Partial<Record<ConsentChannel, Stamped<boolean>>>;
  /** Product id → when it was last bought. */
  purchased: Record<string, number>;
  /** Product id → when it was hearted; unfavourite removes it (if later). */
  hearted: Record<string, Stamped<boolean>>;
  /** Segments a quiz answer put the shopper in, by segment id → when. */
  assignedSegments: Record<string, number>;
  /** Newest first, bounded in length and age. */
  history: HistoryEntry[];
  /** Lifecycle stage as of the last evaluation. */
  stage: LifecycleStage;
  /** When time alone may next change a segment membership or the stage (as last evaluated); null: only an event can. */
  nextEvaluationAt: number | null;
}


export type IdentityKind = 'anonymous' | 'customer';

export interface Identity {
  kind: IdentityKind;
  value: string;
}

/** What the catalog says about a product, as far as profiles care. */
export interface ProductFacts {
  brand?: string;
  /** Lower-cased names of every level of every category path. */
  categories: string[];
  price?: number;
  color?: string;
  size?: string;
}

/** What choosing one quiz option does to a profile. */
export interface QuizOptionEffect {
  traits: Record<string, TraitValue>;
  affinities: { dimension: AffinityDimension; value: string; weight?: number }[];
  segments: string[];
}

/** What one store's events are applied with; loaded once per batch. */
export interface ApplyContext {
  settings: StoreSettings;
  product(productId: string): ProductFacts | undefined;
  /** The effect of an option of a quiz question, or undefined when unknown. */
  quizOption(quizId: string, questionId: string, optionId: string): QuizOptionEffect | undefined;
}

/** History keeps at most this many entries, none older than HISTORY_MAX_DAYS. */
export const HISTORY_MAX_ENTRIES = 200;
export const HISTORY_MAX_DAYS = 90;
const MAX_PRODUCT_LIST = 500;
const DAY = 86_400_000;

/** A profile before its first event; the first applied event sets its times. */
export function emptyProfile(storeId: string, profileId: string, customerId: string | null): ProfileState {
  return {
    storeId,
    profileId,
    customerId,
    email: null,
    firstSeenAt: Infinity,
    lastSeenAt: -Infinity,
    eventCount: 0,
    counters: {},
    device: null,
    geo: null,
    timezone: null,
    traits: {},
    affinities: emptyAffinities(),
    orders: { count: 0, revenue: 0, withDiscount: 0, firstAt: null, lastAt: null },
    consent: {},
    purchased: {},
    hearted: {},
    assignedSegments: {},
    history: [],
    stage: 'new_visitor',
    nextEvaluationAt: null,
  };
}

function surroundingsOf(event: EnrichedEvent): Surroundings {
  const { device, geo, timezone } = event.enrichment;
  return {
    device: { type: device.type, ...(device.os ? { os: device.os } : {}), ...(device.browser ? { browser: device.browser } : {}) },
    geo: geo ? { country: geo.country, ...(geo.region ? { region: geo.region } : {}), ...(geo.city ? { city: geo.city } : {}) } : null,
    timezone: timezone ?? null,
  };
}

// The newer activity wins field by field; where it tells nothing (no geo for its IP), what was known stays.
const newerFirst = (newer: Surroundings, older: Surroundings): Surroundings => ({
  device: newer.device ?? older.device,
  geo: newer.geo ?? older.geo,
  timezone: newer.timezone ?? older.timezone,
});

const addCounters = (a: Record<string, number>, b: Record<string, number>): Record<string, number> => {
  const sum = { ...a };
  for (const [type, n] of Object.entries(b)) sum[type] = (sum[type] ?? 0) + n;
  return sum;
};

const later = <T>(a: Stamped<T> | null | undefined, b: Stamped<T> | null | undefined): Stamped<T> | null => (!a ? (b ?? null) : !b ? a : b.at > a.at ? b : a);

function laterEach<T>(a: Record<string, Stamped<T>>, b: Record<string, Stamped<T>>): Record<string, Stamped<T>> {
  const out = { ...a };
  for (const [k, v] of Object.entries(b)) out[k] = later(out[k], v) ?? v;
  return out;
}

/** Keeps the newest `max` entries of an id → time map. */
function newest<T>(map: Record<string, T>, time: (v: T) => number, max = MAX_PRODUCT_LIST): Record<string, T> {
  const entries = Object.entries(map);
  if (entries.length <= max) return map;
  return Object.fromEntries(entries.sort((x, y) => time(y[1]) - time(x[1])).slice(0, max));
}

/** Newest first, bounded; entries too old for any window are dropped. */
function trimHistory(entries: HistoryEntry[], now: number): HistoryEntry[] {
  const oldest = now - HISTORY_MAX_DAYS * DAY;
  return entries.filter((e) => e.at >= oldest).slice(0, HISTORY_MAX_ENTRIES);
}

function insertNewestFirst(history: HistoryEntry[], added: HistoryEntry[]): HistoryEntry[] {
  if (added.length === 0) return history;
  return [...history, ...added].sort((x, y) => y.at - x.at);
}

export const categoryLevels = (path: string): string[] =>
  path
    .split(/\s*[>/|]\s*/)
    .map((c) => c.trim().toLowerCase())
    .filter(Boolean);

export function priceBandOf(price: number | undefined, bands: StoreSettings['priceBands']): string | undefined {
  if (price === undefined) return undefined;
  return (bands.find((b) => b.below === null || price < b.below) ?? bands[bands.length - 1])?.name;
}

const str = (v: unknown): string | undefined => (typeof v === 'string' && v.length > 0 ? v : undefined);
const num = (v: unknown): number | undefined => (typeof v === 'number' && Number.isFinite(v) ? v : undefined);

/** A product as this event and the catalog describe it; the catalog fills what the event leaves out. */
function describeProduct(event: EnrichedEvent, productId: string, price: number | undefined, ctx: ApplyContext): HistoryEntry & { sensitive: boolean } {
  const known = ctx.product(productId);
  const own = str(event.properties['category']);
  const categories = [...new Set([...(own ? categoryLevels(own) : []), ...(known?.categories ?? [])])];
  const sensitiveList = ctx.settings.sensitiveCategories.map((c) => c.toLowerCase());
  const sensitive = categories.some((c) => sensitiveList.includes(c));
  const brand = str(event.properties['brand']) ?? known?.brand;
  const paid = price ?? known?.price;
  const entry: HistoryEntry & { sensitive: boolean } = { type: event.type, at: Date.parse(event.occurredAt), productId, sensitive };
  if (sensitive) return entry; // never used for inference or targeting: only the product id stays, to avoid re-recommending it
  if (categories.length) entry.categories = categories;
  if (brand) entry.brand = brand.toLowerCase();
  if (known?.color) entry.color = known.color.toLowerCase();
  if (known?.size) entry.size = known.size.toLowerCase();
  const band = priceBandOf(paid, ctx.settings.priceBands);
  if (band) entry.priceBand = band.toLowerCase();
  return entry;
}

const AFFINITY_EVENT_TYPES = ['product_view', 'product_click', 'add_to_cart', 'favorite', 'purchase'] as const;
type AffinityEventType = (typeof AFFINITY_EVENT_TYPES)[number];
const isAffinityEvent = (t: EventType): t is AffinityEventType => (AFFINITY_EVENT_TYPES as readonly string[]).includes(t);

function signalsOf(entry: HistoryEntry, weight: number): { dimension: AffinityDimension; value: string; weight: number }[] {
  const out: { dimension: AffinityDimension; value: string; weight: number }[] = [];
  if (weight <= 0) return out;
  if (entry.brand) out.push({ dimension: 'brand', value: entry.brand, weight });
  for (const c of entry.categories ?? []) out.push({ dimension: 'category', value: c, weight });
  if (entry.priceBand) out.push({ dimension: 'priceBand', value: entry.priceBand, weight });
  if (entry.color) out.push({ dimension: 'color', value: entry.color, weight });
  if (entry.size) out.push({ dimension: 'size', value: entry.size, weight });
  return out;
}

/** The products an event is about, with the money each involved. */
export function productsOf(event: EnrichedEvent): { productId: string; price?: number; value?: number }[] {
  const p = event.properties;
  if (event.type === 'purchase' || event.type === 'checkout_started') {
    const items = Array.isArray(p['items']) ? (p['items'] as { productId: string; quantity: number; price: number }[]) : [];
    return items.map((i) => ({ productId: i.productId, price: i.price, value: i.price * i.quantity }));
  }
  const productId = str(p['productId']);
  return productId ? [{ productId, price: num(p['price']) }] : [];
}


type Signal = { dimension: AffinityDimension; value: string; weight: number };

/** What an event adds to history (one entry per product, or one for the event) and to affinities. */
function describeEvent(event: EnrichedEvent, products: ReturnType<typeof productsOf>, ctx: ApplyContext): { entries: HistoryEntry[]; signals: Signal[] } {
  const entries: HistoryEntry[] = [];
  const signals: Signal[] = [];
  if (products.length) {
    const weight = isAffinityEvent(event.type) ? ctx.settings.affinityWeights[event.type] : 0;
    for (const item of products) {
      const { sensitive, ...entry } = describeProduct(event, item.productId, item.price, ctx);
      if (item.value !== undefined) entry.value = item.value;
      entries.push(entry);
      if (!sensitive) signals.push(...signalsOf(entry, weight));
    }
  } else {
    const entry: HistoryEntry = { type: event.type, at: Date.parse(event.occurredAt) };
    const value = num(event.properties['value']);
    if (value !== undefined) entry.value = value;
    entries.push(entry);
  }
  return { entries, signals };
}

/**
 * Applies one event to a profile. Counts, orders and affinities add up commutatively and stamped
 * fields are last-writer-wins by occurredAt, so arrival order does not change the result.
 */
export function applyEvent(profile: ProfileState, event: EnrichedEvent, ctx: ApplyContext): ProfileState {
  return applyEventDescribed(profile, event, ctx).profile;
}

/** applyEvent, also answering the history entries the event added: what decides which segments it can change. */
export function applyEventDescribed(profile: ProfileState, event: EnrichedEvent, ctx: ApplyContext): { profile: ProfileState; entries: HistoryEntry[] } {
  const at = Date.parse(event.occurredAt);
  const seen = surroundingsOf(event);
  const p: ProfileState = {
    ...profile,
    ...(at >= profile.lastSeenAt ? newerFirst(seen, profile) : newerFirst(profile, seen)),
    customerId: profile.customerId ?? event.customerId ?? null,
    firstSeenAt: Math.min(profile.firstSeenAt, at),
    lastSeenAt: Math.max(profile.lastSeenAt, at),
    eventCount: profile.eventCount + 1,
    counters: addCounters(profile.counters, { [event.type]: 1 }),
  };
  const props = event.properties;

  const email = str(props['email']);
  if (email && (event.type === 'identify' || event.type === 'signup' || event.type === 'subscribe')) p.email = later(p.email, { value: email, at });
  const declared = props['traits'];
  if ((event.type === 'identify' || event.type === 'signup') && declared && typeof declared === 'object') {
    p.traits = laterEach(p.traits, Object.fromEntries(Object.entries(declared as Record<string, TraitValue>).map(([k, v]) => [k, { value: v, at }])));
  }

  const consent: ProfileState['consent'] = {};
  if (event.type === 'subscribe' || event.type === 'unsubscribe') {
    const channel = str(props['channel']);
    if (channel === 'email' || channel === 'push' || channel === 'sms') consent[channel] = { value: event.type === 'subscribe', at };
  } else if (event.type === 'push_subscribed') {
    consent.push = { value: true, at };
  } else if (event.type === 'consent') {
    for (const channel of ['email', 'push', 'sms', 'personalization'] as const) {
      const v = props[channel];
      if (typeof v === 'boolean') consent[channel] = { value: v, at };
    }
  }
  if (Object.keys(consent).length) p.consent = laterEach(p.consent, consent);

  if (event.type === 'purchase') {
    const value = num(props['value']) ?? 0;
    const discounted = !!str(props['discountCode']) || (num(props['discountValue']) ?? 0) > 0;
    p.orders = {
      count: p.orders.count + 1,
      revenue: p.orders.revenue + value,
      withDiscount: p.orders.withDiscount + (discounted ? 1 : 0),
      firstAt: p.orders.firstAt === null ? at : Math.min(p.orders.firstAt, at),
      lastAt: p.orders.lastAt === null ? at : Math.max(p.orders.lastAt, at),
    };
  }

  const products = productsOf(event);
  if (event.type === 'purchase') {
    const purchased = { ...p.purchased };
    for (const { productId } of products) purchased[productId] = Math.max(purchased[productId] ?? 0, at);
    p.purchased = newest(purchased, (t) => t);
  }
  if (event.type === 'favorite' || event.type === 'unfavorite') {
    const productId = products[0]?.productId;
    if (productId) p.hearted = newest(laterEach(p.hearted, { [productId]: { value: event.type === 'favorite', at } }), (h) => h.at);
  }

  if (personalizationWithdrawn(p)) {
    // Withdrawn consent: nothing is inferred and nothing remembered for targeting.
    p.affinities = emptyAffinities();
    p.history = [];
    return { profile: p, entries: [] };
  }

  const { entries, signals } = describeEvent(event, products, ctx);
  if (event.type === 'quiz_answer') applyQuizAnswer(p, event, at, ctx, signals);

  p.affinities = addSignals(p.affinities, signals, at, ctx.settings.affinityHalfLifeDays);
  p.history = trimHistory(insertNewestFirst(p.history, entries), Math.max(p.lastSeenAt, at));
  return { profile: p, entries };
}

function applyQuizAnswer(p: ProfileState, event: EnrichedEvent, at: number, ctx: ApplyContext, signals: Signal[]): void {
  const quizId = str(event.properties['quizId']);
  const questionId = str(event.properties['questionId']);
  const answerIds = Array.isArray(event.properties['answerIds']) ? (event.properties['answerIds'] as string[]) : [];
  if (!quizId || !questionId) return;
  const traits: Record<string, Stamped<TraitValue>> = { [`quiz.${quizId}.${questionId}`]: { value: answerIds, at } };
  const assigned = { ...p.assignedSegments };
  const sensitive = ctx.settings.sensitiveCategories.map((c) => c.toLowerCase());
  for (const optionId of answerIds) {
    const effect = ctx.quizOption(quizId, questionId, optionId);
    if (!effect) continue;
    for (const [k, v] of Object.entries(effect.traits)) traits[k] = { value: v, at };
    for (const a of effect.affinities) {
      const value = a.value.toLowerCase();
      if (a.dimension === 'category' && sensitive.includes(value)) continue;
      signals.push({ dimension: a.dimension, value, weight: a.weight ?? ctx.settings.affinityWeights.quiz_answer });
    }
    for (const s of effect.segments) assigned[s] = Math.max(assigned[s] ?? 0, at);
  }
  p.traits = laterEach(p.traits, traits);
  p.assignedSegments = assigned;
}

/** `from` folded into `into`: the result keeps `into`'s ids and holds every event of both. */
export function mergeProfiles(into: ProfileState, from: ProfileState, settings: StoreSettings): ProfileState {
  const merged: ProfileState = {
    ...into,
    ...(from.lastSeenAt > into.lastSeenAt ? newerFirst(from, into) : newerFirst(into, from)),
    customerId: into.customerId ?? from.customerId,
    email: later(into.email, from.email),
    firstSeenAt: Math.min(into.firstSeenAt, from.firstSeenAt),
    lastSeenAt: Math.max(into.lastSeenAt, from.lastSeenAt),
    eventCount: into.eventCount + from.eventCount,
    counters: addCounters(into.counters, from.counters),
    traits: laterEach(into.traits, from.traits),
    affinities: mergeAffinities(into.affinities, from.affinities, settings.affinityHalfLifeDays),
    orders: {
      count: into.orders.count + from.orders.count,
      revenue: into.orders.revenue + from.orders.revenue,
      withDiscount: into.orders.withDiscount + from.orders.withDiscount,
      firstAt: minOrNull(into.orders.firstAt, from.orders.firstAt),
      lastAt: maxOrNull(into.orders.lastAt, from.orders.lastAt),
    },
    consent: laterEach(into.consent, from.consent),
    purchased: newest(maxEach(into.purchased, from.purchased), (t) => t),
    hearted: newest(laterEach(into.hearted, from.hearted), (h) => h.at),
    assignedSegments: maxEach(into.assignedSegments, from.assignedSegments),
    nextEvaluationAt: minOrNull(into.nextEvaluationAt, from.nextEvaluationAt),
    history: trimHistory(insertNewestFirst(into.history, from.history), Math.max(into.lastSeenAt, from.lastSeenAt)),
  };
  if (personalizationWithdrawn(merged)) {
    merged.affinities = emptyAffinities();
    merged.history = [];
  }
  return merged;
}

const minOrNull = (a: number | null, b: number | null): number | null => (a === null ? b : b === null ? a : Math.min(a, b));
const maxOrNull = (a: number | null, b: number | null): number | null => (a === null ? b : b === null ? a : Math.max(a, b));
function maxEach(a: Record<string, number>, b: Record<string, number>): Record<string, number> {
  const out = { ...a };
  for (const [k, v] of Object.entries(b)) out[k] = Math.max(out[k] ?? 0, v);
  return out;
}

/** The stage at `now`, stored with the profile so it can be queried. */
export const withStage = (p: ProfileState, now: number, settings: StoreSettings): ProfileState => ({ ...p, stage: stageAt(p, now, settings.stages).stage });

const IDENTITY_ORDER: Record<IdentityKind, number> = { customer: 0, anonymous: 1 };
const iso = (t: number): string => new Date(t).toISOString();
const round = (n: number): number => Math.round(n * 1000) / 1000;
/** Top values per affinity dimension in the view. */
const VIEW_AFFINITIES = 10;

export function toView(profile: ProfileState, identities: Identity[], segments: string[], now: number, settings: StoreSettings): ProfileView {
  const { orders, counters } = profile;
  const affinities = {} as ProfileView['affinities'];
  for (const d of AFFINITY_DIMENSIONS) {
    affinities[d] = topAffinities(profile.affinities, d, now, settings.affinityHalfLifeDays, VIEW_AFFINITIES).map((a) => ({ value: a.value, score: round(a.score) }));
  }
  const opens = counters['campaign_open'] ?? 0;
  const consent: ProfileView['consent'] = {};
  for (const [channel, v] of Object.entries(profile.consent)) consent[channel as keyof ProfileView['consent']] = v.value;
  return {
    profileId: profile.profileId,
    storeId: profile.storeId,
    ...(profile.customerId ? { customerId: profile.customerId } : {}),
    ...(profile.email ? { email: profile.email.value } : {}),
    identities: [...identities].sort((a, b) => IDENTITY_ORDER[a.kind] - IDENTITY_ORDER[b.kind] || a.value.localeCompare(b.value)),
    firstSeenAt: iso(profile.firstSeenAt),
    lastSeenAt: iso(profile.lastSeenAt),
    computedAt: iso(now),
    eventCount: profile.eventCount,
    counters,
    stage: stageAt(profile, now, settings.stages).stage,
    traits: Object.fromEntries(Object.entries(profile.traits).map(([k, v]) => [k, v.value])),
    affinities,
    orders: {
      count: orders.count,
      revenue: round(orders.revenue),
      ...(orders.count ? { averageOrderValue: round(orders.revenue / orders.count) } : {}),
      withDiscount: orders.withDiscount,
      ...(orders.firstAt !== null ? { firstAt: iso(orders.firstAt) } : {}),
      ...(orders.lastAt !== null ? { lastAt: iso(orders.lastAt) } : {}),
    },
    rfm: { ...(orders.lastAt !== null ? { recencyDays: round((now - orders.lastAt) / DAY) } : {}), frequency: orders.count, monetary: round(orders.revenue) },
    discountSensitivity: {
      ...(orders.count ? { orderShare: round(orders.withDiscount / orders.count) } : {}),
      ...(opens ? { offerResponseRate: round((counters['campaign_click'] ?? 0) / opens) } : {}),
    },
    consent,
    purchased: Object.entries(profile.purchased)
      .sort((a, b) => b[1] - a[1])
      .map(([productId, at]) => ({ productId, at: iso(at) })),
    hearted: Object.entries(profile.hearted)
      .filter(([, h]) => h.value)
      .sort((a, b) => b[1].at - a[1].at)
      .map(([productId, h]) => ({ productId, at: iso(h.at) })),
    segments: [...segments].sort(),
    ...(profile.device ? { device: profile.device } : {}),
    ...(profile.geo ? { geo: profile.geo } : {}),
    ...(profile.timezone ? { timezone: profile.timezone } : {}),
  };
}
