/**
 * The campaign benchmark's synthetic store, seeded and deterministic: shoppers (profiles as the
 * profile service publishes them), products, and behaviour events, plus what the benchmark expects
 * the campaign service to do with them (who is interested in which product).
 */
import { profileIdFor, type EnrichedEvent, type Product, type ProfileView } from '@signal/contracts';
import { prng } from '../common';

/** Time zones spread round the clock, so that at any hour some shoppers are in their quiet hours. */
export const ZONES = [
  'Europe/London',
  'Europe/Berlin',
  'Europe/Athens',
  'Asia/Dubai',
  'Asia/Kolkata',
  'Asia/Shanghai',
  'Asia/Tokyo',
  'Australia/Sydney',
  'Pacific/Auckland',
  'Pacific/Honolulu',
  'America/Anchorage',
  'America/Los_Angeles',
  'America/Denver',
  'America/Chicago',
  'America/New_York',
  'America/Sao_Paulo',
] as const;

export interface BenchShopper {
  index: number;
  anonymousId: string;
  profileId: string;
  email: string;
  consentEmail: boolean;
  timezone: string;
}

export function shoppers(storeId: string, count: number, seed: number): BenchShopper[] {
  const rnd = prng(seed);
  return Array.from({ length: count }, (_, index) => {
    const anonymousId = `anon-${index.toString(36)}`;
    return {
      index,
      anonymousId,
      profileId: profileIdFor(storeId, { anonymousId }),
      email: `shopper-${index.toString(36)}@bench.example`,
      // Most have said yes to e-mail; the rest must get nothing.
      consentEmail: rnd() < 0.9,
      timezone: ZONES[Math.floor(rnd() * ZONES.length)],
    };
  });
}

export function profileOf(storeId: string, s: BenchShopper, at: string): ProfileView {
  return {
    profileId: s.profileId,
    storeId,
    email: s.email,
    identities: [{ kind: 'anonymous', value: s.anonymousId }],
    firstSeenAt: at,
    lastSeenAt: at,
    computedAt: at,
    eventCount: 1,
    counters: {},
    stage: 'subscribed',
    traits: {},
    affinities: { brand: [], category: [], priceBand: [], color: [], size: [] },
    orders: { count: 0, revenue: 0, withDiscount: 0 },
    rfm: { frequency: 0, monetary: 0 },
    discountSensitivity: {},
    consent: { email: s.consentEmail },
    purchased: [],
    hearted: [],
    segments: [],
    timezone: s.timezone,
  };
}

export function products(storeId: string, count: number, at: string): Product[] {
  return Array.from({ length: count }, (_, i) => ({
    storeId,
    productId: `sku-${String(i).padStart(5, '0')}`,
    title: `Product ${i}`,
    categories: [`Category ${i % 20}`],
    price: 10 + (i % 90),
    currency: 'EUR',
    inStock: true,
    stockLevel: 100,
    createdAt: '2026-01-01T00:00:00.000Z',
    updatedAt: at,
  }));
}

const KINDS: { type: EnrichedEvent['type']; share: number }[] = [
  { type: 'product_view', share: 0.8 },
  { type: 'add_to_cart', share: 0.15 },
  { type: 'favorite', share: 0.05 },
];

/**
 * Behaviour events of random shoppers on products with a skewed popularity (a few products draw
 * most interest), newest last. `interested` gets, per product index, the shoppers who showed
 * interest (any of the three kinds).
 */
export function* events(storeId: string, people: readonly BenchShopper[], productCount: number, count: number, seed: number, interested: Map<number, Set<number>>): Generator<EnrichedEvent> {
  const rnd = prng(seed);
  const start = Date.now() - 3 * 86_400_000;
  for (let i = 0; i < count; i++) {
    const s = people[Math.floor(rnd() * people.length)];
    const p = Math.min(productCount - 1, Math.floor(productCount * rnd() ** 3));
    let r = rnd();
    const kind = KINDS.find((k) => (r -= k.share) < 0)?.type ?? 'product_view';
    const productId = `sku-${String(p).padStart(5, '0')}`;
    let set = interested.get(p);
    if (!set) interested.set(p, (set = new Set()));
    set.add(s.index);
    const at = new Date(start + Math.floor((i / count) * 3 * 86_400_000)).toISOString();
    yield {
      eventId: `bench-${seed}-${i}`,
      storeId,
      type: kind,
      occurredAt: at,
      receivedAt: at,
      enrichedAt: at,
      anonymousId: s.anonymousId,
      profileId: s.profileId,
      properties: kind === 'add_to_cart' ? { productId, quantity: 1 } : { productId },
      enrichment: { device: { type: 'desktop' } },
    };
  }
}

/** Whether it is between `quietStart` and `quietEnd` (local hours) in `zone` at `at`. */
export function inQuietHours(zone: string, at: Date, quietStart: number, quietEnd: number): boolean {
  const hour = Number(new Intl.DateTimeFormat('en-GB', { timeZone: zone, hour: '2-digit', hourCycle: 'h23' }).format(at));
  return quietStart > quietEnd ? hour >= quietStart || hour < quietEnd : hour >= quietStart && hour < quietEnd;
}
