import { ProductInput, TrackedEvent, Validator, checkEventBody } from '@signal/contracts';
import { EventStream, LEAVES, cumulative, drawIndex, generateCatalog, generateRequests, generateShoppers, leafPath } from '../workload';

const NOW = Date.parse('2025-06-01T12:00:00.000Z');
const DAY = 86_400_000;

function world(products = 2_000, shoppers = 500, events = 5_000, seed = 0) {
  const catalog = generateCatalog(products, NOW, 11 + seed);
  const { shoppers: people, activityCum } = generateShoppers(shoppers, catalog, 12 + seed);
  const stream = new EventStream(catalog, people, activityCum, events, NOW, 25, 'e', 13 + seed);
  const all: TrackedEvent[] = [];
  for (let b = stream.next(500); b.length; b = stream.next(500)) all.push(...b);
  return { catalog, people, stream, all };
}

describe('recs-serve workload', () => {
  it('is deterministic: same seeds, same catalog, events and requests', () => {
    const a = world();
    const b = world();
    expect(JSON.stringify(a.catalog.products)).toBe(JSON.stringify(b.catalog.products));
    expect(JSON.stringify(a.all)).toBe(JSON.stringify(b.all));
    const ra = generateRequests(300, a.catalog, a.people, a.stream.seen, { seed: 5 });
    const rb = generateRequests(300, b.catalog, b.people, b.stream.seen, { seed: 5 });
    expect(ra).toEqual(rb);
    const c = world(2_000, 500, 5_000, 1);
    expect(JSON.stringify(c.all)).not.toBe(JSON.stringify(a.all));
  });

  it('builds a catalog the gateway accepts, with the promised shape', () => {
    const catalog = generateCatalog(3_000, NOW);
    const products = new Validator(ProductInput);
    for (const p of catalog.products) expect(products.validate(p)).toMatchObject({ ok: true });
    const ids = new Set(catalog.products.map((p) => p.productId));
    expect(ids.size).toBe(3_000);
    // Every leaf of the 20 × 10 tree has products.
    expect(new Set(catalog.products.map((p) => p.categories[0])).size).toBe(LEAVES);
    expect(catalog.byLeaf.every((l) => l.items.length > 0)).toBe(true);
    expect(leafPath(0)).toBe('Women > Women 00');
    const share = (f: (p: ProductInput) => boolean) => catalog.products.filter(f).length / catalog.products.length;
    expect(share((p) => !p.inStock)).toBeGreaterThan(0.01);
    expect(share((p) => !p.inStock)).toBeLessThan(0.06);
    expect(share((p) => !!p.variantGroupId)).toBeGreaterThan(0.08);
    const recent = share((p) => Date.parse(p.createdAt as string) > NOW - 30 * DAY);
    expect(recent).toBeGreaterThan(0.04);
    expect(recent).toBeLessThan(0.15);
    expect(Math.min(...catalog.products.map((p) => Date.parse(p.createdAt as string)))).toBeGreaterThanOrEqual(NOW - 366 * DAY);
    // A variant group: one item in several colours, same leaf and brand.
    const groups = new Map<string, ProductInput[]>();
    for (const p of catalog.products) if (p.variantGroupId) groups.set(p.variantGroupId, [...(groups.get(p.variantGroupId) ?? []), p]);
    for (const members of groups.values()) {
      expect(members.length).toBeGreaterThanOrEqual(2);
      expect(new Set(members.map((p) => `${p.brand}|${p.categories[0]}`)).size).toBe(1);
      expect(new Set(members.map((p) => p.attributes?.color)).size).toBe(members.length);
    }
    // Complements: 3 other leaves, one of them in another top category.
    for (const [leaf, comps] of catalog.complements.entries()) {
      expect(comps).toHaveLength(3);
      expect(comps).not.toContain(leaf);
    }
  });

  it('draws by weight', () => {
    const cum = cumulative([1, 0, 3]);
    expect(Array.from(cum)).toEqual([1, 1, 4]);
    expect(drawIndex(cum, 0)).toBe(0);
    expect(drawIndex(cum, 0.24)).toBe(0);
    expect(drawIndex(cum, 0.26)).toBe(2);
    expect(drawIndex(cum, 0.999)).toBe(2);
  });

  it('produces exactly the requested events, valid, in time order within the window, with the promised mix', () => {
    const { all, stream, people } = world(2_000, 500, 20_000);
    expect(all).toHaveLength(20_000);
    expect(stream.done).toBe(true);
    expect(stream.next(10)).toEqual([]);
    const tracked = new Validator(TrackedEvent);
    const window = { now: new Date(NOW), maxAgeMs: 30 * DAY, maxFutureMs: 15 * 60_000 };
    for (const e of all) {
      // What the gateway and ingest check: the envelope, the type's properties, the time window.
      const shape = tracked.validate(e);
      expect(shape).toMatchObject({ ok: true });
      expect(checkEventBody(e, window)).toMatchObject({ ok: true });
    }
    expect(new Set(all.map((e) => e.eventId)).size).toBe(all.length);
    const times = all.map((e) => Date.parse(e.occurredAt));
    expect(Math.min(...times)).toBeGreaterThanOrEqual(NOW - 25 * DAY);
    expect(Math.max(...times)).toBeLessThanOrEqual(NOW);
    // Sessions start in time order (events of one session follow its start).
    const firstOf = new Map<string, number>();
    for (const e of all) if (!firstOf.has(e.sessionId as string)) firstOf.set(e.sessionId as string, Date.parse(e.occurredAt));
    const starts = [...firstOf.values()];
    expect(starts.every((t, i) => i === 0 || t >= starts[i - 1] - 120_000)).toBe(true);
    const by = stream.stats.byType;
    expect(by.product_view / all.length).toBeGreaterThan(0.75);
    expect(by.add_to_cart).toBeGreaterThan(0);
    expect(by.favorite).toBeGreaterThan(0);
    expect(by.purchase).toBeGreaterThan(0);
    expect(stream.stats.orders).toBe(by.purchase);
    // Everybody shows up (20,000 events are enough sessions for 500 shoppers); some are identified.
    expect(stream.stats.activeShoppers).toBe(people.length);
    expect(stream.stats.identifiedShoppers).toBeGreaterThan(people.length * 0.2);
    expect(all.some((e) => e.customerId)).toBe(true);
    // Orders with several items mix a leaf with its complements.
    const multi = all.filter((e) => e.type === 'purchase' && (e.properties.items as unknown[]).length > 1);
    expect(multi.length).toBeGreaterThan(by.purchase * 0.3);
  });

  it('clusters views of a session in a category (co-views carry signal)', () => {
    const { all, catalog } = world(2_000, 500, 20_000);
    const leafOf = new Map(catalog.products.map((p) => [p.productId, p.categories[0]]));
    let same = 0;
    let pairs = 0;
    let prev: TrackedEvent | undefined;
    for (const e of all) {
      if (e.type !== 'product_view') continue;
      if (prev && prev.sessionId === e.sessionId) {
        pairs++;
        if (leafOf.get(prev.properties.productId as string) === leafOf.get(e.properties.productId as string)) same++;
      }
      prev = e;
    }
    expect(same / pairs).toBeGreaterThan(0.7);
  });

  it('has Zipf-like popularity: the top 1% of products get a large share of views', () => {
    const { all, catalog } = world(5_000, 1_000, 30_000);
    const counts = new Map<string, number>();
    for (const e of all) if (e.type === 'product_view') counts.set(e.properties.productId as string, (counts.get(e.properties.productId as string) ?? 0) + 1);
    const sorted = [...counts.values()].sort((a, b) => b - a);
    const views = sorted.reduce((a, b) => a + b, 0);
    const top = sorted.slice(0, catalog.products.length / 100).reduce((a, b) => a + b, 0);
    expect(top / views).toBeGreaterThan(0.1);
  });

  it('mixes requests in equal thirds with known shoppers, new visitors, products and carts', () => {
    const { catalog, people, stream } = world(2_000, 500, 20_000);
    const requests = generateRequests(3_000, catalog, people, stream.seen, { seed: 7, newVisitorShare: 0.2, limit: 10 });
    const count = (f: (r: (typeof requests)[number]) => boolean) => requests.filter(f).length;
    expect(count((r) => r.placement === 'home')).toBe(1_000);
    expect(count((r) => r.placement === 'also_viewed')).toBe(1_000);
    expect(count((r) => r.placement === 'bought_together')).toBe(1_000);
    const newVisitors = count((r) => r.variant === 'new');
    expect(newVisitors).toBeGreaterThan(150);
    expect(newVisitors).toBeLessThan(250);
    const ids = new Set(catalog.products.map((p) => p.productId));
    const known = new Set(people.map((p) => p.anonymousId));
    for (const r of requests) {
      const q = new URLSearchParams(r.query);
      expect(q.get('placement')).toBe(r.placement);
      expect(q.get('limit')).toBe('10');
      if (r.variant === 'known') expect(known.has(q.get('anonymousId') as string)).toBe(true);
      if (r.variant === 'new') expect(known.has(q.get('anonymousId') as string)).toBe(false);
      if (r.placement === 'also_viewed') expect(ids.has(q.get('productId') as string)).toBe(true);
      if (r.placement === 'bought_together') {
        const cart = (q.get('cart') as string).split(',');
        expect(cart.length).toBeGreaterThanOrEqual(1);
        expect(cart.length).toBeLessThanOrEqual(3);
        expect(new Set(cart).size).toBe(cart.length);
        for (const id of cart) expect(ids.has(id)).toBe(true);
      }
    }
    // Customers whose events carried their customerId are named by it too.
    expect(requests.some((r) => new URLSearchParams(r.query).has('customerId'))).toBe(true);
  });
});
