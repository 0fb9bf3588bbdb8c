/**
 * The recommendation serving benchmark's data, generated deterministically (seeded PRNG): the same
 * seed gives the same catalog, shoppers, events and requests (timestamps are relative to `now`).
 *
 *  - Catalog: `products` products in 20 top categories × 10 sub-categories (200 leaves), with
 *    brands (mostly specific to a top category), prices by category, colours and materials,
 *    variant groups (2-4 colours of one item), a few percent out of stock, a few on sale, and
 *    createdAt spread over a year (~8% in the last 30 days).
 *  - Popularity: Zipf-like (weight 1 / (rank + 1)^0.9 over a random permutation of the products);
 *    a leaf's products are drawn with the same weights, so a leaf has its own best sellers.
 *  - Complements: every leaf has 3 complement leaves (2 in its top category, 1 elsewhere); orders
 *    mix the leaf of the session with its complements, so "bought together" carries signal.
 *  - Shoppers: anonymous ids, ~35% with a customerId (logged in from their first session or from
 *    their first purchase; 15% of those also use a second device), 2 preferred leaves each, an
 *    activity weight (log-normal), an IP and a user agent.
 *  - Sessions, in time order over the last `days` days: 1 + geometric(mean 4.5) product views,
 *    clustered in one leaf (75% one of the shopper's preferred leaves), occasionally wandering to
 *    a complement leaf; add_to_cart (7% of views), favorite (3%); a cart ends in a purchase 45% of
 *    the time, often with 1-2 complement products added first. Every shopper gets at least one
 *    session; the rest go by activity weight. The stream stops at exactly `events` events.
 */
import { prng } from '../common';
import type { ProductInput, TrackedEvent } from '@signal/contracts';

export const TOP_CATEGORIES = [
  'Women', 'Men', 'Kids', 'Shoes', 'Bags', 'Jewellery', 'Beauty', 'Home', 'Kitchen', 'Garden',
  'Sports', 'Outdoor', 'Electronics', 'Computers', 'Toys', 'Books', 'Pets', 'Food', 'Health', 'Office',
] as const;
export const SUB_CATEGORIES = 10;
export const LEAVES = TOP_CATEGORIES.length * SUB_CATEGORIES;
export const BRANDS_PER_TOP = 20;
export const CROSS_BRANDS = 40;
const COLOURS = ['black', 'white', 'grey', 'navy', 'blue', 'red', 'green', 'beige', 'brown', 'pink', 'yellow', 'purple'];
const MATERIALS = ['cotton', 'wool', 'leather', 'steel', 'wood', 'glass', 'plastic', 'linen', 'ceramic', 'bamboo'];
const TOP_BASE_PRICE = [45, 55, 30, 80, 70, 120, 25, 60, 40, 35, 65, 90, 250, 400, 30, 15, 20, 8, 18, 22];
const USER_AGENTS = [
  'Mozilla/5.0 (Windows NT 10.0; Win64; x64) AppleWebKit/537.36 (KHTML, like Gecko) Chrome/131.0.0.0 Safari/537.36',
  'Mozilla/5.0 (Macintosh; Intel Mac OS X 10_15_7) AppleWebKit/605.1.15 (KHTML, like Gecko) Version/17.6 Safari/605.1.15',
  'Mozilla/5.0 (iPhone; CPU iPhone OS 17_6 like Mac OS X) AppleWebKit/605.1.15 (KHTML, like Gecko) Version/17.6 Mobile/15E148 Safari/604.1',
  'Mozilla/5.0 (Linux; Android 14; SM-S918B) AppleWebKit/537.36 (KHTML, like Gecko) Chrome/131.0.0.0 Mobile Safari/537.36',
];
const FIRST_OCTETS = [31, 46, 62, 77, 78, 81, 82, 84, 85, 86, 88, 89, 90, 91, 92, 93, 94, 95, 151, 176, 178, 185, 188, 193, 194, 212, 213, 217];
const DAY_MS = 86_400_000;
/** Zipf exponent of product and leaf popularity. */
export const ZIPF_S = 0.9;

const pad = (n: number, width: number) => String(n).padStart(width, '0');
export const productId = (i: number) => `sku-${pad(i, 6)}`;
export const leafPath = (leaf: number) => {
  const top = TOP_CATEGORIES[Math.floor(leaf / SUB_CATEGORIES)];
  return `${top} > ${top} ${pad(leaf % SUB_CATEGORIES, 2)}`;
};
const topOf = (leaf: number) => Math.floor(leaf / SUB_CATEGORIES);

// ---------------------------------------------------------------------------------------------
// Weighted draws

/** Prefix sums of `weights` (length n; the last is the total). */
export function cumulative(weights: ArrayLike<number>): Float64Array {
  const out = new Float64Array(weights.length);
  let sum = 0;
  for (let i = 0; i < weights.length; i++) out[i] = sum += weights[i];
  return out;
}

/** Index i with probability weight[i] / total, for u uniform in [0, 1). */
export function drawIndex(cum: Float64Array, u: number): number {
  const x = u * cum[cum.length - 1];
  let lo = 0;
  let hi = cum.length - 1;
  while (lo < hi) {
    const mid = (lo + hi) >>> 1;
    if (cum[mid] > x) hi = mid;
    else lo = mid + 1;
  }
  return lo;
}

function shuffle<T>(xs: T[], rnd: () => number): T[] {
  for (let i = xs.length - 1; i > 0; i--) {
    const j = Math.floor(rnd() * (i + 1));
    [xs[i], xs[j]] = [xs[j], xs[i]];
  }
  return xs;
}

// ---------------------------------------------------------------------------------------------
// Catalog

export interface Catalog {
  products: ProductInput[];
  /** Product index → leaf category. */
  leafOf: Uint16Array;
  /** Product index → popularity weight. */
  weight: Float64Array;
  /** Over all products (index order). */
  cum: Float64Array;
  /** Leaf → its product indexes, and their cumulative weights. */
  byLeaf: { items: Uint32Array; cum: Float64Array }[];
  /** Leaf popularity (Zipf over a permutation of the leaves). */
  leafCum: Float64Array;
  /** Leaf → complement leaves (bought with it). */
  complements: number[][];
}

export function generateCatalog(count: number, now: number, seed = 11): Catalog {
  if (count < LEAVES) throw new Error(`at least ${LEAVES} products (one per leaf category)`);
  const rnd = prng(seed);
  const int = (n: number) => Math.floor(rnd() * n);
  const pick = <T>(xs: readonly T[]): T => xs[int(xs.length)];
  // Leaves are not equally large: size weight 0.5 .. 1.5.
  const leafSizeCum = cumulative(Array.from({ length: LEAVES }, () => 0.5 + rnd()));
  const brandName = (top: number, j: number) => `${TOP_CATEGORIES[top]} Brand ${pad(j, 2)}`;
  const crossBrand = (j: number) => `Maison ${pad(j, 2)}`;

  const products: ProductInput[] = [];
  const leafOf = new Uint16Array(count);
  let group: { left: number; id: string; leaf: number; brand: string; price: number; material: string; colours: string[] } | undefined;
  for (let i = 0; i < count; i++) {
    const id = productId(i);
    // Every leaf gets at least one product; then sized by the leaf weights.
    let leaf = i < LEAVES ? i : drawIndex(leafSizeCum, rnd());
    let brand = rnd() < 0.1 ? crossBrand(int(CROSS_BRANDS)) : brandName(topOf(leaf), Math.floor(rnd() ** 2 * BRANDS_PER_TOP));
    let price = Math.max(1, Math.round(TOP_BASE_PRICE[topOf(leaf)] * Math.exp((rnd() + rnd() + rnd() - 1.5) * 1.2) * 100) / 100);
    let material = pick(MATERIALS);
    let colour = pick(COLOURS);
    let variantGroupId: string | undefined;
    if (group && group.left > 0) {
      group.left--;
      ({ leaf, brand, price, material } = group);
      variantGroupId = group.id;
      colour = COLOURS.find((c) => !group?.colours.includes(c)) ?? colour;
      group.colours.push(colour);
    } else if (i >= LEAVES && rnd() < 0.06 && i + 1 < count) {
      // This product and the next 1-3 are colours of one item.
      group = { left: 1 + int(3), id: `vg-${pad(i, 6)}`, leaf, brand, price, material, colours: [colour] };
      variantGroupId = group.id;
    }
    leafOf[i] = leaf;
    const inStock = rnd() >= 0.03;
    const recent = rnd() < 0.08;
    const ageDays = recent ? rnd() * 30 : 30 + rnd() * 335;
    const sub = leafPath(leaf).split(' > ')[1];
    const title = `${brand} ${sub} ${material} ${colour}`;
    const p: ProductInput = {
      productId: id,
      title,
      description: `${title}. Synthetic product ${i} of the recs-serve benchmark.`,
      brand,
      categories: [leafPath(leaf)],
      price,
      currency: 'EUR',
      attributes: { color: colour, material },
      imageUrl: `https://cdn.example.com/p/${id}.jpg`,
      inStock,
      stockLevel: inStock ? 1 + int(200) : 0,
      createdAt: new Date(now - Math.round(ageDays * DAY_MS)).toISOString(),
    };
    if (rnd() < 0.08) p.salePrice = Math.max(0.5, Math.round(price * 80) / 100);
    if (variantGroupId) p.variantGroupId = variantGroupId;
    products.push(p);
  }

  // Popularity: Zipf over a random permutation of the products.
  const order = shuffle(Array.from({ length: count }, (_, i) => i), rnd);
  const weight = new Float64Array(count);
  order.forEach((p, rank) => (weight[p] = 1 / (rank + 1) ** ZIPF_S));
  const members: number[][] = Array.from({ length: LEAVES }, () => []);
  for (let i = 0; i < count; i++) members[leafOf[i]].push(i);
  const byLeaf = members.map((xs) => ({ items: Uint32Array.from(xs), cum: cumulative(xs.map((p) => weight[p])) }));
  const leafOrder = shuffle(Array.from({ length: LEAVES }, (_, i) => i), rnd);
  const leafWeight = new Float64Array(LEAVES);
  leafOrder.forEach((l, rank) => (leafWeight[l] = 1 / (rank + 1) ** 0.7));
  const complements = Array.from({ length: LEAVES }, (_, leaf) => {
    const top = topOf(leaf);
    const out = new Set<number>();
    while (out.size < 2) {
      const c = top * SUB_CATEGORIES + int(SUB_CATEGORIES);
      if (c !== leaf) out.add(c);
    }
    for (;;) {
      const c = int(LEAVES);
      if (topOf(c) !== top) {
        out.add(c);
        break;
      }
    }
    return [...out];
  });
  return { products, leafOf, weight, cum: cumulative(weight), byLeaf, leafCum: cumulative(leafWeight), complements };
}

/** A product of the whole catalog, by popularity. */
export const drawProduct = (c: Catalog, u: number) => drawIndex(c.cum, u);
/** A product of one leaf, by popularity. */
export function drawInLeaf(c: Catalog, leaf: number, u: number): number {
  const l = c.byLeaf[leaf];
  return l.items[drawIndex(l.cum, u)];
}

// ---------------------------------------------------------------------------------------------
// Shoppers

export interface Shopper {
  anonymousId: string;
  /** Their store account, for ~35%. */
  customerId?: string;
  /** A second device (phone app), for some customers. */
  secondAnonymousId?: string;
  /** Customers: logged in from their first session (else from their first purchase). */
  logsInAtOnce: boolean;
  prefs: [number, number];
  ip: string;
  userAgent: string;
}

export function generateShoppers(count: number, catalog: Catalog, seed = 12): { shoppers: Shopper[]; activityCum: Float64Array } {
  const rnd = prng(seed);
  const int = (n: number) => Math.floor(rnd() * n);
  const ips = Array.from({ length: 5_000 }, () => `${FIRST_OCTETS[int(FIRST_OCTETS.length)]}.${int(256)}.${int(256)}.${1 + int(254)}`);
  const activity = new Float64Array(count);
  const shoppers = Array.from({ length: count }, (_, i): Shopper => {
    const first = drawIndex(catalog.leafCum, rnd());
    const second = rnd() < 0.5 ? topOf(first) * SUB_CATEGORIES + int(SUB_CATEGORIES) : drawIndex(catalog.leafCum, rnd());
    const customer = rnd() < 0.35;
    const s: Shopper = {
      anonymousId: `anon-${i.toString(36)}`,
      logsInAtOnce: customer && rnd() < 0.5,
      prefs: [first, second],
      ip: ips[int(ips.length)],
      userAgent: USER_AGENTS[int(USER_AGENTS.length)],
    };
    if (customer) {
      s.customerId = `cust-${i.toString(36)}`;
      if (rnd() < 0.15) s.secondAnonymousId = `anon-${i.toString(36)}-app`;
    }
    // Log-normal activity (sigma 1): a few shoppers come back often.
    activity[i] = Math.exp((rnd() + rnd() + rnd() + rnd() - 2) * 1.7);
    return s;
  });
  return { shoppers, activityCum: cumulative(activity) };
}

// ---------------------------------------------------------------------------------------------
// Events

export interface LoadStats {
  events: number;
  byType: Record<string, number>;
  sessions: number;
  orders: number;
  /** Shoppers with at least one event. */
  activeShoppers: number;
  /** Shoppers whose events carried their customerId at least once. */
  identifiedShoppers: number;
}

/** Mean events per session, to plan the number of sessions (measured on the generator). */
const EVENTS_PER_SESSION = 6.3;

/**
 * The load events, in time order, `events` of them, spread over the `days` days before `now`
 * (the last 5 minutes excluded). Pull them with `next(n)`; `stats` counts what was produced.
 */
export class EventStream {
  readonly stats: LoadStats = { events: 0, byType: {}, sessions: 0, orders: 0, activeShoppers: 0, identifiedShoppers: 0 };
  /** Per shopper: 1 had events, 2 had events with their customerId. */
  readonly seen: Uint8Array;
  private readonly rnd: () => number;
  private readonly pending: TrackedEvent[] = [];
  private pendingAt = 0;
  private readonly firstSessions: number[];
  private readonly loggedIn: Uint8Array;
  private readonly start: number;
  private readonly span: number;
  private readonly newcomerShare: number;
  private produced = 0;
  private eventSeq = 0;

  constructor(
    private readonly catalog: Catalog,
    private readonly shoppers: readonly Shopper[],
    private readonly activityCum: Float64Array,
    readonly total: number,
    now: number,
    days = 25,
    private readonly idPrefix = 'e',
    seed = 13,
  ) {
    this.rnd = prng(seed);
    this.seen = new Uint8Array(shoppers.length);
    this.loggedIn = new Uint8Array(shoppers.length);
    this.start = now - days * DAY_MS;
    this.span = days * DAY_MS - 5 * 60_000;
    // Everybody once (in a random order, interleaved with the repeat visits), if the events allow.
    const sessions = Math.max(1, Math.round(total / EVENTS_PER_SESSION));
    this.firstSessions = shuffle(
      Array.from({ length: Math.min(shoppers.length, sessions) }, (_, i) => i),
      this.rnd,
    );
    this.newcomerShare = Math.min(1, this.firstSessions.length / sessions);
  }

  get done(): boolean {
    return this.produced >= this.total;
  }

  /** Up to `n` more events (fewer only at the end). */
  next(n: number): TrackedEvent[] {
    const out: TrackedEvent[] = [];
    while (out.length < n && this.produced < this.total) {
      if (this.pendingAt >= this.pending.length) {
        this.pending.length = 0;
        this.pendingAt = 0;
        this.session();
        continue;
      }
      const e = this.pending[this.pendingAt++];
      out.push(e);
      this.produced++;
      this.stats.events++;
      this.stats.byType[e.type] = (this.stats.byType[e.type] ?? 0) + 1;
      if (e.type === 'purchase') this.stats.orders++;
    }
    return out;
  }

  private pickShopper(): number {
    if (this.firstSessions.length > 0 && this.rnd() < this.newcomerShare * 1.05) return this.firstSessions.pop() as number;
    return drawIndex(this.activityCum, this.rnd());
  }

  /** One session's events into `pending`. */
  private session(): void {
    const r = this.rnd;
    const c = this.catalog;
    const who = this.pickShopper();
    const s = this.shoppers[who];
    const sessionNo = this.stats.sessions++;
    let t = this.start + (this.produced / this.total) * this.span;
    if (this.seen[who] === 0) {
      this.seen[who] = 1;
      this.stats.activeShoppers++;
    }
    if (s.customerId && s.logsInAtOnce) this.loggedIn[who] = 1;
    const onSecondDevice = !!s.secondAnonymousId && this.loggedIn[who] === 1 && r() < 0.3;
    const anonymousId = onSecondDevice ? (s.secondAnonymousId as string) : s.anonymousId;
    const sessionId = `s-${sessionNo.toString(36)}`;
    const context = { ip: s.ip, userAgent: s.userAgent, locale: 'en-GB' };
    const identity = () => {
      if (!s.customerId || this.loggedIn[who] === 0) return {};
      if (this.seen[who] === 1) {
        this.seen[who] = 2;
        this.stats.identifiedShoppers++;
      }
      return { customerId: s.customerId };
    };
    const push = (type: TrackedEvent['type'], properties: Record<string, unknown>) => {
      t += 5_000 + r() * 85_000;
      this.pending.push({
        eventId: `${this.idPrefix}-${(this.eventSeq++).toString(36)}`,
        type,
        occurredAt: new Date(Math.min(t, this.start + this.span)).toISOString(),
        anonymousId,
        ...identity(),
        sessionId,
        context,
        properties,
      });
    };
    const ref = (p: number) => {
      const prod = c.products[p];
      return { productId: prod.productId, price: prod.salePrice ?? prod.price, currency: 'EUR', category: prod.categories[0], brand: prod.brand };
    };
    const cart: number[] = [];
    const addToCart = (p: number) => {
      if (cart.includes(p)) return;
      cart.push(p);
      push('add_to_cart', { ...ref(p), quantity: r() < 0.85 ? 1 : 2, cartId: `cart-${sessionNo.toString(36)}` });
    };

    const u = r();
    const home = u < 0.5 ? s.prefs[0] : u < 0.75 ? s.prefs[1] : drawIndex(c.leafCum, r());
    let leaf = home;
    const views = 1 + Math.min(29, Math.floor(Math.log(1 - r()) / Math.log(1 - 1 / 5.5)));
    for (let v = 0; v < views; v++) {
      const w = r();
      if (v > 0 && w < 0.1) leaf = c.complements[home][Math.floor(r() * c.complements[home].length)];
      else if (v > 0 && w < 0.15) leaf = home;
      const p = drawInLeaf(c, leaf, r());
      push('product_view', ref(p));
      const a = r();
      if (a < 0.07) addToCart(p);
      else if (a < 0.1) push('favorite', { productId: c.products[p].productId });
    }
    if (cart.length > 0 && r() < 0.45) {
      // The order mixes the session's category with its complements.
      if (r() < 0.6) {
        const extra = 1 + Math.floor(r() * 2);
        for (let k = 0; k < extra; k++) {
          const comp = c.complements[home][Math.floor(r() * c.complements[home].length)];
          addToCart(drawInLeaf(c, comp, r()));
        }
      }
      if (s.customerId) this.loggedIn[who] = 1; // checkout logs customers in
      const items = cart.map((p) => ({ productId: c.products[p].productId, quantity: 1, price: c.products[p].salePrice ?? c.products[p].price }));
      const value = Math.round(items.reduce((sum, it) => sum + it.price, 0) * 100) / 100;
      push('purchase', { orderId: `ord-${sessionNo.toString(36)}`, value, currency: 'EUR', items });
    }
  }
}

// ---------------------------------------------------------------------------------------------
// Recommendation requests of the measure phases

export const MEASURED_PLACEMENTS = ['home', 'also_viewed', 'bought_together'] as const;
export type MeasuredPlacement = (typeof MEASURED_PLACEMENTS)[number];

export interface RecRequest {
  placement: MeasuredPlacement;
  /** For the report: home "known" / "new" shopper; product placements "product" / "cart". */
  variant: 'known' | 'new' | 'product' | 'cart';
  /** The query string (without `?`). */
  query: string;
}

/**
 * `count` requests, equal thirds of the three placements in a shuffled order:
 *  - home: a shopper with events (`seen`; with their customerId when their events carried it), or,
 *    `newVisitorShare` of the time, a visitor nobody has seen;
 *  - also_viewed: a product drawn by popularity;
 *  - bought_together: a cart of 1-3 products: one by popularity, the others from its leaf or its complements.
 */
export function generateRequests(count: number, catalog: Catalog, shoppers: readonly Shopper[], seen: Uint8Array, opts: { seed?: number; newVisitorShare?: number; limit?: number; tag?: string } = {}): RecRequest[] {
  const rnd = prng(opts.seed ?? 14);
  const newShare = opts.newVisitorShare ?? 0.2;
  const limit = opts.limit ?? 10;
  const tag = opts.tag ?? 'r';
  const known: number[] = [];
  for (let i = 0; i < seen.length; i++) if (seen[i] > 0) known.push(i);
  const placements = shuffle(
    Array.from({ length: count }, (_, i) => MEASURED_PLACEMENTS[i % 3]),
    rnd,
  );
  const id = (p: number) => catalog.products[p].productId;
  return placements.map((placement, i): RecRequest => {
    const q = new URLSearchParams({ placement });
    let variant: RecRequest['variant'];
    if (placement === 'home') {
      if (known.length === 0 || rnd() < newShare) {
        variant = 'new';
        q.set('anonymousId', `new-${tag}-${i.toString(36)}`);
      } else {
        variant = 'known';
        const who = known[Math.floor(rnd() * known.length)];
        q.set('anonymousId', shoppers[who].anonymousId);
        const customerId = shoppers[who].customerId;
        if (customerId && seen[who] === 2) q.set('customerId', customerId);
      }
    } else if (placement === 'also_viewed') {
      variant = 'product';
      q.set('productId', id(drawProduct(catalog, rnd())));
    } else {
      variant = 'cart';
      const first = drawProduct(catalog, rnd());
      const cart = [first];
      const size = 1 + Math.floor(rnd() * 3);
      const leaf = catalog.leafOf[first];
      for (let attempt = 0; cart.length < size && attempt < 20; attempt++) {
        const from = rnd() < 0.5 ? leaf : catalog.complements[leaf][Math.floor(rnd() * catalog.complements[leaf].length)];
        const p = drawInLeaf(catalog, from, rnd());
        if (!cart.includes(p)) cart.push(p);
      }
      q.set('cart', cart.map(id).join(','));
    }
    q.set('limit', String(limit));
    return { placement, variant, query: q.toString() };
  });
}
