/**
 * The segments benchmark's data, generated deterministically (seeded PRNG) so every run sends
 * the same definitions and the same events:
 *
 *  - 1,000 segment definitions over 200 categories (in 20 departments) and 100 brands, in the mix
 *    a store would have: windowed category views, brand and category affinities, orders and
 *    revenue thresholds, lifecycle stage, country, cart abandonment (`notFollowedBy`), price
 *    bands, counters and device, and `all` / `any` / `not` combinations of them;
 *  - a population of shoppers (anonymous ids, no customer ids, so no merges), each with a home
 *    category and brand, a device and a public IP (so ingest's geo enrichment gives a country);
 *  - load events: every shopper views a product of its home category; half of them also view
 *    another category, add to cart or buy;
 *  - measured events: a second view of the shopper's home category within 7 days, which enters
 *    the segment "viewed <home> at least 2 times in 7d" (and often others): every measured event
 *    changes at least one membership, so each has a `segments.membership.v1` message to time.
 */
import { prng } from '../common';
import type { TrackedEvent } from '@signal/contracts';

export const CATEGORIES = 200;
export const DEPARTMENTS = 20;
export const BRANDS = 100;

const COUNTRIES = ['DE', 'FR', 'GB', 'US', 'NL', 'ES', 'IT', 'SE', 'PL', 'BE', 'AT', 'CH', 'DK', 'IE', 'PT', 'CZ'];
const STAGES = ['new_visitor', 'browsing', 'engaged', 'subscribed', 'first_time_buyer', 'repeat_buyer', 'loyal', 'lapsed'];
const PRICE_BANDS = ['budget', 'mid', 'premium', 'luxury'];
const USER_AGENTS = [
  'Mozilla/5.0 (Windows NT 10.0; Win64; x64) AppleWebKit/537.36 (KHTML, like Gecko) Chrome/131.0.0.0 Safari/537.36',
  'Mozilla/5.0 (Macintosh; Intel Mac OS X 10_15_7) AppleWebKit/605.1.15 (KHTML, like Gecko) Version/17.6 Safari/605.1.15',
  'Mozilla/5.0 (iPhone; CPU iPhone OS 17_6 like Mac OS X) AppleWebKit/605.1.15 (KHTML, like Gecko) Version/17.6 Mobile/15E148 Safari/604.1',
  'Mozilla/5.0 (Linux; Android 14; SM-S918B) AppleWebKit/537.36 (KHTML, like Gecko) Chrome/131.0.0.0 Mobile Safari/537.36',
  'Mozilla/5.0 (iPad; CPU OS 17_6 like Mac OS X) AppleWebKit/605.1.15 (KHTML, like Gecko) Version/17.6 Mobile/15E148 Safari/604.1',
];
const FIRST_OCTETS = [31, 46, 62, 77, 78, 81, 82, 84, 85, 86, 88, 89, 90, 91, 92, 93, 94, 95, 151, 176, 178, 185, 188, 193, 194, 212, 213, 217];


const pad = (n: number, width: number) => String(n).padStart(width, '0');
export const category = (k: number) => `cat-${pad(k, 3)}`;
export const department = (k: number) => `dept-${pad(k % DEPARTMENTS, 2)}`;
/** Lower-case on purpose: the profile keeps brands lower-cased (see the report on brand affinities). */
export const brand = (j: number) => `brand-${pad(j, 2)}`;
const categoryPath = (k: number) => `${department(k)} > ${category(k)}`;

// ---------------------------------------------------------------------------------------------
// Segments

/** A rule of docs/segments.md, as JSON. */
export type Rule = { [key: string]: unknown };

export interface SegmentInput {
  segmentId: string;
  name: string;
  definition: Rule;
}

/** The measured events enter these: "viewed category k at least twice within 7 days". */
export const homeSegmentId = (k: number) => `views-${category(k)}-2x7d`;

/** `count` definitions, a realistic mix; the first 200 are the ones the measured events enter. */
export function generateSegments(count = 1_000, seed = 1): SegmentInput[] {
  const rnd = prng(seed);
  const int = (n: number) => Math.floor(rnd() * n);
  const pick = <T>(xs: readonly T[]): T => xs[int(xs.length)];
  const out: SegmentInput[] = [];
  const add = (segmentId: string, definition: Rule) => {
    if (out.length < count) out.push({ segmentId, name: segmentId, definition });
  };
  const views = (c: string, atLeast: number, within: string): Rule => ({ event: { type: 'product_view', category: c }, count: { atLeast }, within });

  // Windowed category views: 200 at 2 views in 7 days (measured), 150 at 3, 20 department-level per day.
  for (let k = 0; k < CATEGORIES; k++) add(homeSegmentId(k), views(category(k), 2, '7d'));
  for (let k = 0; k < 150; k++) add(`views-${category(k)}-3x7d`, views(category(k), 3, '7d'));
  for (let d = 0; d < DEPARTMENTS; d++) add(`views-${department(d)}-5x1d`, views(department(d), 5, '1d'));
  // Brand affinities (decaying score), 100.
  for (let j = 0; j < BRANDS; j++) add(`affinity-${brand(j)}`, { affinity: { dimension: 'brand', value: brand(j) }, atLeast: 2 });
  // Category in the shopper's top 3 and a recent view of a brand, 100.
  for (let i = 0; i < 100; i++) {
    add(`top-cat-brand-${i}`, {
      all: [
        { affinity: { dimension: 'category', value: category(int(CATEGORIES)) }, top: 3 },
        { event: { type: 'product_view', brand: brand(int(BRANDS)) }, within: '30d' },
      ],
    });
  }
  // Cart abandonment per department, after 1 h, 2 h or 1 day, 60.
  for (let d = 0; d < DEPARTMENTS; d++) {
    for (const after of ['60m', '2h', '1d']) {
      add(`cart-abandon-${department(d)}-${after}`, { event: { type: 'add_to_cart', category: department(d) }, notFollowedBy: { type: 'purchase' }, after, within: '7d' });
    }
  }
  // Orders and revenue thresholds, 40.
  for (let n = 1; n <= 10; n++) add(`orders-gte-${n}`, { field: 'orders.count', op: 'gte', value: n });
  for (let i = 1; i <= 15; i++) add(`revenue-gte-${i * 50}`, { field: 'orders.revenue', op: 'gte', value: i * 50 });
  for (let i = 1; i <= 15; i++) add(`aov-gt-${i * 20}`, { all: [{ field: 'orders.aov', op: 'gt', value: i * 20 }, { field: 'orders.daysSinceLast', op: 'lte', value: 30 }] });
  // Stage, and stage by country, 40.
  for (const s of STAGES) add(`stage-${s}`, { field: 'stage', op: 'eq', value: s });
  for (let i = 0; i < 32; i++) {
    add(`stage-country-${i}`, {
      all: [
        { field: 'stage', op: 'in', value: [...new Set([pick(STAGES), pick(STAGES)])] },
        { field: 'country', op: 'eq', value: pick(COUNTRIES) },
      ],
    });
  }
  // Country, 40.
  for (const c of COUNTRIES) add(`country-${c}`, { field: 'country', op: 'eq', value: c });
  for (let i = 0; i < 24; i++) {
    add(`cart-outside-${i}`, {
      all: [
        { field: 'country', op: 'notIn', value: [...new Set([pick(COUNTRIES), pick(COUNTRIES), pick(COUNTRIES)])] },
        { event: { type: 'add_to_cart', category: department(int(DEPARTMENTS)) }, within: '7d' },
      ],
    });
  }
  // Price bands by department, 60.
  for (let i = 0; i < 60; i++) {
    add(`band-${i}`, { event: { type: ['product_view', 'add_to_cart'], category: department(int(DEPARTMENTS)), priceBand: pick(PRICE_BANDS) }, count: { atLeast: 1 + int(2) }, within: '30d' });
  }
  // Counters, event counts, device, 40.
  for (let n = 1; n <= 10; n++) add(`event-count-gte-${n}`, { field: 'eventCount', op: 'gte', value: n });
  for (let n = 1; n <= 10; n++) add(`views-gte-${n}`, { field: 'counters.product_view', op: 'gte', value: n });
  for (let i = 0; i < 20; i++) {
    add(`device-${i}`, { all: [{ field: 'deviceType', op: 'eq', value: pick(['mobile', 'desktop', 'tablet']) }, views(department(int(DEPARTMENTS)), 1, '7d')] });
  }
  // any / all / not combinations, to the total.
  for (let i = 0; out.length < count; i++) {
    const c = int(CATEGORIES);
    add(`combo-${i}`, {
      any: [
        { event: { type: 'add_to_cart', brand: brand(int(BRANDS)) }, within: '7d' },
        {
          all: [
            views(category(c), 1 + int(3), pick(['1d', '7d', '14d', '30d'])),
            { not: { field: 'country', op: 'eq', value: pick(COUNTRIES) } },
            { any: [{ field: 'stage', op: 'in', value: ['browsing', 'engaged'] }, { affinity: { dimension: 'category', value: department(c) }, atLeast: 1 }] },
          ],
        },
      ],
    });
  }
  return out;
}

// ---------------------------------------------------------------------------------------------
// Shoppers and events

export interface Shopper {
  anonymousId: string;
  home: number;
  brand: number;
  ip: string;
  userAgent: string;
}

export function generateShoppers(count: number, seed = 2): Shopper[] {
  const rnd = prng(seed);
  const int = (n: number) => Math.floor(rnd() * n);
  const ips = Array.from({ length: 5_000 }, () => `${FIRST_OCTETS[int(FIRST_OCTETS.length)]}.${int(256)}.${int(256)}.${1 + int(254)}`);
  return Array.from({ length: count }, (_, i) => ({
    anonymousId: `shopper-${i.toString(36)}`,
    home: int(CATEGORIES),
    brand: int(BRANDS),
    ip: ips[int(ips.length)],
    userAgent: USER_AGENTS[int(USER_AGENTS.length)],
  }));
}

const productOf = (k: number, n: number) => `sku-${pad(k, 3)}-${pad(n, 3)}`;

function base(s: Shopper, eventId: string, occurredAt: string): Pick<TrackedEvent, 'eventId' | 'occurredAt' | 'anonymousId' | 'context'> {
  return { eventId, occurredAt, anonymousId: s.anonymousId, context: { ip: s.ip, userAgent: s.userAgent, locale: 'en-GB' } };
}

function view(s: Shopper, eventId: string, occurredAt: string, k: number, b: number, price: number): TrackedEvent {
  return { ...base(s, eventId, occurredAt), type: 'product_view', properties: { productId: productOf(k, Math.floor(price) % 1000), price, currency: 'EUR', category: categoryPath(k), brand: brand(b) } } as TrackedEvent;
}

/** 1-2 events per shopper (about 1.5 on average) that create the profiles. */
export function loadEvents(shoppers: readonly Shopper[], idPrefix: string, occurredAt: string, seed = 3): TrackedEvent[] {
  const rnd = prng(seed);
  const price = () => Math.round(5 + rnd() * 60000) / 100;
  const out: TrackedEvent[] = [];
  shoppers.forEach((s, i) => {
    out.push(view(s, `${idPrefix}-${i.toString(36)}-a`, occurredAt, s.home, s.brand, price()));
    const r = rnd();
    const id = `${idPrefix}-${i.toString(36)}-b`;
    if (r < 0.25) {
      let k = Math.floor(rnd() * CATEGORIES);
      if (k === s.home) k = (k + 1) % CATEGORIES; // a second home view would put the shopper in its home segment already
      out.push(view(s, id, occurredAt, k, Math.floor(rnd() * BRANDS), price()));
    } else if (r < 0.4) {
      const p = price();
      out.push({
        ...base(s, id, occurredAt),
        type: 'add_to_cart',
        properties: { productId: productOf(s.home, Math.floor(p) % 1000), price: p, currency: 'EUR', quantity: 1 + Math.floor(rnd() * 2), category: categoryPath(s.home), brand: brand(s.brand) },
      } as TrackedEvent);
    } else if (r < 0.5) {
      const p = price();
      out.push({
        ...base(s, id, occurredAt),
        type: 'purchase',
        properties: { orderId: `ord-${i.toString(36)}`, value: p, currency: 'EUR', items: [{ productId: productOf(s.home, Math.floor(p) % 1000), quantity: 1, price: p }] },
      } as TrackedEvent);
    }
  });
  return out;
}

/** Shopper indexes in a fixed random order: measured events go to distinct shoppers. */
export function shopperOrder(count: number, seed = 4): number[] {
  const rnd = prng(seed);
  const order = Array.from({ length: count }, (_, i) => i);
  for (let i = count - 1; i > 0; i--) {
    const j = Math.floor(rnd() * (i + 1));
    [order[i], order[j]] = [order[j], order[i]];
  }
  return order;
}

/** Another view of the shopper's home category: enters `homeSegmentId(home)` on the first one. */
export function homeView(s: Shopper, eventId: string, occurredAt: string, n: number): TrackedEvent {
  return view(s, eventId, occurredAt, s.home, s.brand, 10 + (n % 490));
}
