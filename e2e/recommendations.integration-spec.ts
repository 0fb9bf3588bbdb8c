import { TOPICS, type RecommendationAnswer, type RecommendationServed } from '@signal/contracts';
import { KafkaTap, eventually } from '@signal/testing';
import { Platform, Store } from './support';

const PHONES = 'Electronics > Phones';
const ACCESSORIES = 'Electronics > Phone Accessories';
const daysAgo = (d: number) => new Date(Date.now() - d * 86_400_000).toISOString();

/** The issue's acceptance path: a scripted shopper through the gateway, with the recommender and its model job as processes. */
describe('recommendations through the gateway', () => {
  let platform: Platform;
  let store: Store;
  let tap: KafkaTap<RecommendationServed>;

  beforeAll(async () => {
    platform = await Platform.start({ recommender: true });
    store = await platform.issueKeys(Store.newId());
    tap = await KafkaTap.open<RecommendationServed>(process.env.KAFKA_BROKERS as string, TOPICS.RecommendationsServed);
    const product = (productId: string, title: string, brand: string, category: string) => ({ productId, title, brand, categories: [category], price: 100, currency: 'EUR', inStock: true });
    const catalog = await store.api('POST', '/v1/catalog/products', {
      products: [
        product('phone-x', 'Nova Phone X', 'Nova', PHONES),
        product('phone-y', 'Zed Phone Y', 'Zed', PHONES),
        product('case-x', 'Nova Phone X Case', 'Nova', ACCESSORIES),
        product('charger', 'Fast Charger 30W', 'Volt', ACCESSORIES),
        product('earbuds', 'Wireless Earbuds', 'Sonic', 'Electronics > Audio'),
        product('kettle', 'Steel Kettle', 'Brew', 'Home > Kitchen'),
      ],
    });
    expect(catalog.status).toBe(202);
    // Other shoppers' history: phones sell with a case and a charger; kettles are popular on their own.
    const order = (who: string, items: string[], at: string) =>
      store.event({ anonymousId: who, type: 'purchase', occurredAt: at, properties: { orderId: `o-${who}-${items[0]}`, value: 100, currency: 'EUR', items: items.map((productId) => ({ productId, quantity: 1, price: 100 })) } });
    const history = [];
    for (let i = 0; i < 6; i++) history.push(order(`buyer-${i}`, ['phone-x', 'case-x', 'charger'], daysAgo(10 + i)));
    for (let i = 0; i < 3; i++) history.push(order(`buyer-y-${i}`, ['phone-y', 'charger'], daysAgo(5 + i)));
    for (let i = 0; i < 8; i++) history.push(order(`tea-${i}`, ['kettle'], daysAgo(2)));
    await store.send(history);
    await eventually(
      async () => {
        const status = await fetch(`${platform.recommender?.url}/v1/stores/${store.storeId}/recommendations/status`).then((r) => r.json() as Promise<{ interactions: number; products: number }>);
        return status.products === 6 && status.interactions === 6 * 3 + 3 * 2 + 8;
      },
      { timeoutMs: 30_000 },
    );
    await platform.buildModels(store.storeId);
  }, 180_000);
  afterAll(async () => {
    await tap?.close();
    await platform?.stop();
  });

  const recs = async (query: string) => {
    const r = await store.api<RecommendationAnswer>('GET', `/v1/recommendations?${query}`, undefined, 'write');
    expect(r.status).toBe(200);
    return r.body;
  };
  const ids = (a: RecommendationAnswer) => a.items.map((i) => i.productId);

  it('a scripted shopper: views, hearts and a purchase reshape home within a second, and bought_together for the phone is its accessories', async () => {
    const shopper = { anonymousId: 'scripted-shopper' };
    const first = await recs('placement=home&anonymousId=scripted-shopper');
    expect(first.personalized).toBe(false);
    await store.send([
      store.event({ ...shopper, type: 'product_view', properties: { productId: 'phone-x' } }),
      store.event({ ...shopper, type: 'product_view', properties: { productId: 'phone-y' } }),
      store.event({ ...shopper, type: 'favorite', properties: { productId: 'earbuds' } }),
    ]);
    const browsing = await eventually(async () => {
      const r = await recs('placement=home&anonymousId=scripted-shopper');
      return r.personalized ? r : null;
    });
    expect(ids(browsing)).toContain('phone-x');
    const mix = await recs('placement=my_mix&anonymousId=scripted-shopper');
    expect(mix.items[0]).toMatchObject({ productId: 'earbuds', reason: 'You hearted this' });

    const together = await recs('placement=bought_together&productId=phone-x');
    expect(ids(together).slice(0, 2).sort()).toEqual(['case-x', 'charger']);
    expect(together.items[0].reason).toMatch(/^Often bought with Nova Phone X$/);

    await store.send([store.event({ ...shopper, type: 'purchase', properties: { orderId: 'scripted-1', value: 100, currency: 'EUR', items: [{ productId: 'phone-x', quantity: 1, price: 100 }] } })]);
    const accepted = Date.now();
    const after = await eventually(
      async () => {
        const r = await recs('placement=home&anonymousId=scripted-shopper');
        return ids(r).includes('phone-x') ? null : r;
      },
      { intervalMs: 20 },
    );
    const ms = Date.now() - accepted;
    console.info(`home changed ${ms} ms after the purchase was accepted`);
    // The p95 < 1 s target is measured by bench/recs-serve; here only that it changes.
    expect(ids(after)).not.toContain('phone-x');
    expect(after.items.slice(0, 2).map((i) => i.productId).sort()).toEqual(['case-x', 'charger']);
    // Just after the purchase, bought_together needs no context: it is the order's cross-sell.
    const crossSell = await recs('placement=bought_together&anonymousId=scripted-shopper');
    expect(crossSell.personalized).toBe(true);
    expect(ids(crossSell).slice(0, 2).sort()).toEqual(['case-x', 'charger']);
    for (const placement of ['home', 'next_purchase', 'my_mix', 'new_for_you', 'trending', 'bought_together']) {
      expect({ placement, ids: ids(await recs(`placement=${placement}&anonymousId=scripted-shopper&limit=20`)) }).toEqual({ placement, ids: expect.not.arrayContaining(['phone-x']) });
    }

    // What was shown is recorded, and a click on it links back by recommendationId.
    const [served] = await tap.waitFor((m) => m.value.recommendationId === crossSell.recommendationId);
    expect(served.value).toMatchObject({ storeId: store.storeId, placement: 'bought_together', anonymousId: 'scripted-shopper', personalized: true });
    await store.send([store.event({ ...shopper, type: 'recommendation_click', properties: { recommendationId: crossSell.recommendationId, productId: 'case-x', placement: 'bought_together', position: 0 } })]);
  });

  it('answers bad requests with a 400 naming the field; a stranger or an unknown product still gets a shelf', async () => {
    for (const [query, field] of [
      ['placement=bogus', 'placement'],
      ['placement=home&limit=500', 'limit'],
      ['placement=similar', 'productId'],
      ['placement=home&anonymousId=%00bad', 'anonymousId'],
    ]) {
      const r = await store.api<{ errors: { field: string }[] }>('GET', `/v1/recommendations?${query}`, undefined, 'write');
      expect({ query, status: r.status, fields: r.body.errors?.map((e) => e.field) }).toEqual({ query, status: 400, fields: expect.arrayContaining([field]) });
    }
    const stranger = await recs('placement=home&anonymousId=someone-new');
    expect(stranger.personalized).toBe(false);
    expect(ids(stranger)[0]).toBe('kettle');
    const unknown = await recs('placement=also_viewed&productId=not-in-catalog');
    expect(unknown.fallback).toBe('unknown product: trending');
    expect(unknown.items.length).toBeGreaterThan(0);
  });
});
