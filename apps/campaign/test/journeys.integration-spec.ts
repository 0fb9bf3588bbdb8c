import { TOPICS, profileIdFor, productKey, type EnrichedEvent } from '@signal/contracts';
import { cartAbandonment, lowStock } from '../src/journeys/examples';
import { inHoldout } from '../src/journeys/holdout';
import type { JourneyReport } from '../src/journeys/journeys.service';
import { profileView, publishProfiles } from './factories';
import { enrichedEvent, eventually, product, purchase, startCampaign, uniqueStore, view, type Harness } from './harness';

let h: Harness;
beforeAll(async () => {
  h = await startCampaign();
}, 90_000);
afterAll(() => h?.close());

interface RunRow {
  run_id: string;
  journey_id: string;
  profile_id: string;
  trigger_key: string;
  state: string;
  holdout: boolean;
  reason: string | null;
  context: Record<string, unknown>;
}
interface MessageRow {
  profile_id: string;
  idempotency_key: string;
  step: string;
  state: string;
  holdout: boolean;
  content: { subject?: string; html?: string };
}

const runs = (storeId: string) => h.sql<RunRow>(`SELECT * FROM "campaign"."journey_runs" WHERE "store_id" = $1 ORDER BY "profile_id"`, [storeId]);
const messages = (storeId: string) => h.sql<MessageRow>(`SELECT * FROM "campaign"."messages" WHERE "store_id" = $1 AND "kind" = 'journey' ORDER BY "profile_id"`, [storeId]);
const pid = (storeId: string, anonymousId: string) => profileIdFor(storeId, { anonymousId });

async function createJourney(storeId: string, body: unknown): Promise<string> {
  const res = await h.send<{ journeyId: string }>('POST', `/v1/stores/${storeId}/journeys`, body);
  expect(res.status).toBe(201);
  return res.body.journeyId;
}

/** Shoppers the profile service knows, with an e-mail address and consent. */
async function shoppers(storeId: string, names: string[], expected = names.length): Promise<void> {
  await publishProfiles(
    h,
    names.map((n) => profileView(storeId, { anonymousId: n }, { stage: 'browsing', email: `${n}@example.com`, consent: { email: true } })),
  );
  await eventually(async () => (await h.sql(`SELECT 1 FROM "campaign"."shoppers" WHERE "store_id" = $1`, [storeId])).length === expected);
}

const addToCart = (storeId: string, anonymousId: string, productId: string): EnrichedEvent =>
  enrichedEvent({ storeId, anonymousId, type: 'add_to_cart', properties: { productId, quantity: 1 } });

/** Events of one shopper are consumed in order: once this marker is in, everything before it was handled. */
async function settled(storeId: string, anonymousId: string): Promise<void> {
  const marker = `marker-${Math.random().toString(36).slice(2)}`;
  await h.publish([view(storeId, anonymousId, marker)]);
  await eventually(async () => (await h.sql(`SELECT 1 FROM "campaign"."interests" WHERE "store_id" = $1 AND "product_id" = $2`, [storeId, marker])).length === 1);
}

describe('journey definitions', () => {
  it('answers 400 with the reason for an invalid definition or a template that does not compile', async () => {
    const s = uniqueStore();
    const bad = await h.send<{ message: string; errors: { field: string; message: string }[] }>('POST', `/v1/stores/${s}/journeys`, { ...lowStock(), holdoutPercent: 80 });
    expect(bad.status).toBe(400);
    expect(bad.body.errors[0].field).toBe('holdoutPercent');
    const d = cartAbandonment();
    (d.steps[3] as { template: { html: string } }).template.html = '<p>{{#each cart.items}}{{title}}</p>';
    const template = await h.send<{ errors: { field: string; message: string }[] }>('POST', `/v1/stores/${s}/journeys`, d);
    expect(template.status).toBe(400);
    expect(template.body.errors[0]).toMatchObject({ field: 'steps.3.template.html', message: expect.stringContaining("step 'reminder-with-code': template does not compile") });
    expect((await h.send('POST', `/v1/stores/${s}/journeys`, 'not json')).status).toBe(400);
    expect((await h.get(`/v1/stores/${s}/journeys/nope`)).status).toBe(404);
    expect((await h.get(`/v1/stores/${s}/journeys`)).body).toEqual({ journeys: [] });
  });

  it('keeps versions: PUT makes version 2, DELETE hides the journey', async () => {
    const s = uniqueStore();
    const id = await createJourney(s, lowStock());
    const put = await h.send<{ version: number; trigger: { threshold: number } }>('PUT', `/v1/stores/${s}/journeys/${id}`, lowStock({ threshold: 3 }));
    expect(put.status).toBe(200);
    expect(put.body).toMatchObject({ version: 2, trigger: { threshold: 3 } });
    expect((await h.get<{ journeys: unknown[] }>(`/v1/stores/${s}/journeys`)).body.journeys).toHaveLength(1);
    expect((await h.send('DELETE', `/v1/stores/${s}/journeys/${id}`)).status).toBe(204);
    expect((await h.get(`/v1/stores/${s}/journeys/${id}`)).status).toBe(404);
  });
});

describe('cart abandonment', () => {
  it('sends exactly one e-mail after the delay (with a code only for non-habitual abandoners), none to a shopper who buys, nothing again on redelivery', async () => {
    const s = uniqueStore();
    const offer = { offerId: 'cart-10', name: 'Cart 10%', kind: 'first_purchase', discount: { percent: 10 }, codePrefix: 'CART', validityDays: 7, budget: 100 };
    expect((await h.send('POST', `/v1/stores/${s}/offers`, offer)).status).toBe(201);
    const id = await createJourney(s, cartAbandonment({ waitSeconds: 2, holdoutPercent: 0, offerId: 'cart-10' }));
    await h.publishProducts([product(s, 'sofa', { title: 'Loom Sofa', price: 499 })]);
    // cal is loyal but buys mostly with discounts: a habitual abandoner, reminded without a code.
    await publishProfiles(h, [
      profileView(s, { anonymousId: 'cal' }, { stage: 'loyal', email: 'cal@example.com', consent: { email: true }, orders: { count: 4, revenue: 400, withDiscount: 3 }, discountSensitivity: { orderShare: 0.75 } }),
    ]);
    await shoppers(s, ['ann', 'bob'], 3);
    const annCart = addToCart(s, 'ann', 'sofa');
    await h.publish([annCart, addToCart(s, 'bob', 'sofa'), addToCart(s, 'cal', 'sofa')]);
    await eventually(async () => (await runs(s)).filter((r) => r.state === 'waiting').length === 3);
    await h.publish([purchase(s, { anonymousId: 'bob' }, ['sofa'])]);

    const done = await eventually(async () => {
      const r = (await runs(s)).filter((x) => x.state === 'done');
      return r.length === 2 && r;
    });
    const ann = done.find((r) => r.profile_id === pid(s, 'ann')) as RunRow;
    const cal = done.find((r) => r.profile_id === pid(s, 'cal')) as RunRow;
    const sent = await messages(s);
    expect(sent).toHaveLength(2);
    const toAnn = sent.find((m) => m.profile_id === pid(s, 'ann')) as MessageRow;
    expect(toAnn).toMatchObject({ idempotency_key: `${ann.run_id}:reminder-with-code`, holdout: false });
    expect(toAnn.content.subject).toBe('You left 1 item(s) in your cart');
    expect(toAnn.content.html).toContain('Loom Sofa');
    const code = ann.context.offerCode as string;
    expect(code).toMatch(/^CART/);
    expect(toAnn.content.html).toContain(code);
    expect(sent.find((m) => m.profile_id === pid(s, 'cal'))).toMatchObject({ idempotency_key: `${cal.run_id}:reminder` });
    expect(sent.find((m) => m.profile_id === pid(s, 'cal'))?.content.html).not.toContain('CART');
    expect((await runs(s)).find((r) => r.profile_id === pid(s, 'bob'))).toMatchObject({ state: 'exited', reason: 'exit on purchase' });

    // The same add_to_cart again (a redelivery) starts no second run and queues no second e-mail.
    await h.publish([annCart]);
    await settled(s, 'ann');
    expect((await runs(s)).filter((r) => r.profile_id === pid(s, 'ann'))).toHaveLength(1);
    expect(await messages(s)).toHaveLength(2);

    // Buying with the code counts towards habitual abandonment (two such runs make one).
    await h.publish([purchase(s, { anonymousId: 'ann' }, ['sofa'], { properties: { orderId: 'o-ann', value: 449, currency: 'EUR', items: [{ productId: 'sofa', quantity: 1, price: 449 }], discountCode: code } })]);
    await eventually(async () => (await h.sql<{ converted_with_incentive: boolean }>(`SELECT "converted_with_incentive" FROM "campaign"."journey_runs" WHERE "run_id" = $1`, [ann.run_id]))[0].converted_with_incentive);

    const report = (await h.get<JourneyReport>(`/v1/stores/${s}/journeys/${id}/report`)).body;
    expect(report.runs).toEqual({ done: 2, exited: 1 });
    expect(report.treatment).toMatchObject({ entered: 3, converted: 2 });
    expect(Object.values(report.messages).reduce((a, b) => a + b, 0)).toBe(2);
  });

  it('a new add_to_cart restarts the wait', async () => {
    const s = uniqueStore();
    await createJourney(s, cartAbandonment({ waitSeconds: 3, holdoutPercent: 0 }));
    await h.publishProducts([product(s, 'lamp'), product(s, 'rug')]);
    await shoppers(s, ['cat']);
    await h.publish([addToCart(s, 'cat', 'lamp')]);
    const [first] = await eventually(async () => {
      const rows = await h.sql<{ due_at: Date }>(`SELECT "due_at" FROM "campaign"."journey_runs" WHERE "store_id" = $1`, [s]);
      return rows.length === 1 && rows;
    });
    await new Promise((r) => setTimeout(r, 1000));
    await h.publish([addToCart(s, 'cat', 'rug')]);
    await eventually(async () => {
      const [r] = await h.sql<{ due_at: Date }>(`SELECT "due_at" FROM "campaign"."journey_runs" WHERE "store_id" = $1`, [s]);
      return r.due_at.getTime() > first.due_at.getTime();
    });
    expect(await runs(s)).toHaveLength(1);
  });

  it('a run waiting across a restart of the service still fires', async () => {
    const s = uniqueStore();
    await createJourney(s, cartAbandonment({ waitSeconds: 2, holdoutPercent: 0 }));
    await h.publishProducts([product(s, 'chair', { title: 'Oak Chair' })]);
    await shoppers(s, ['dan']);
    await h.publish([addToCart(s, 'dan', 'chair')]);
    await eventually(async () => (await runs(s)).filter((r) => r.state === 'waiting').length === 1);
    await h.close();
    await new Promise((r) => setTimeout(r, 2500)); // the timer comes due while no replica runs
    h = await startCampaign();
    await eventually(async () => (await runs(s))[0]?.state === 'done', { timeoutMs: 20_000 });
    expect(await messages(s)).toHaveLength(1);
  }, 120_000);
});

describe('low stock', () => {
  it('starts runs for exactly the shoppers who viewed, carted or hearted the item, once per crossing', async () => {
    const s = uniqueStore();
    await createJourney(s, lowStock({ threshold: 5 }));
    await h.publishProducts([product(s, 'lamp', { title: 'Glow Lamp', price: 40, stockLevel: 10 }), product(s, 'other', { stockLevel: 10 })]);
    await eventually(async () => (await h.sql(`SELECT 1 FROM "campaign"."products" WHERE "store_id" = $1`, [s])).length === 2);
    await shoppers(s, ['viewer', 'carter', 'hearter', 'stranger']);
    await h.publish([
      view(s, 'viewer', 'lamp'),
      addToCart(s, 'carter', 'lamp'),
      enrichedEvent({ storeId: s, anonymousId: 'hearter', type: 'favorite', properties: { productId: 'lamp' } }),
      view(s, 'stranger', 'other'),
    ]);
    await eventually(async () => (await h.sql(`SELECT 1 FROM "campaign"."interests" WHERE "store_id" = $1`, [s])).length === 4);
    const inventory = (level: number) => ({
      key: productKey(s, 'lamp'),
      value: JSON.stringify({ storeId: s, productId: 'lamp', stockLevel: level, inStock: true, updatedAt: new Date().toISOString() }),
    });
    const three = inventory(3);
    await h.publishRaw(TOPICS.CatalogInventory, [three]);
    const started = await eventually(async () => {
      const r = await runs(s);
      return r.length === 3 && r.every((x) => x.state === 'done') && r;
    });
    expect(started.map((r) => r.profile_id).sort()).toEqual([pid(s, 'carter'), pid(s, 'hearter'), pid(s, 'viewer')].sort());
    expect(started[0].trigger_key).toMatch(/^lamp:low:/);
    const sent = await messages(s);
    expect(sent).toHaveLength(3);
    expect(sent.map((m) => m.content.subject)).toEqual(Array(3).fill('Only 3 left: Glow Lamp'));

    // The same change redelivered, then a further drop below the threshold: no crossing, no new runs.
    await h.publishRaw(TOPICS.CatalogInventory, [three, inventory(2)]);
    await eventually(async () => (await h.sql<{ stock_level: number }>(`SELECT "stock_level" FROM "campaign"."products" WHERE "store_id" = $1 AND "product_id" = 'lamp'`, [s]))[0].stock_level === 2);
    expect(await runs(s)).toHaveLength(3);
    expect(await messages(s)).toHaveLength(3);
  });

  it('alerts are per product: a shopper interested in two products that run low together hears of both', async () => {
    const s = uniqueStore();
    await createJourney(s, lowStock({ threshold: 5 }));
    await h.publishProducts([product(s, 'lamp', { title: 'Glow Lamp', stockLevel: 10 }), product(s, 'vase', { title: 'Tall Vase', stockLevel: 10 })]);
    await eventually(async () => (await h.sql(`SELECT 1 FROM "campaign"."products" WHERE "store_id" = $1`, [s])).length === 2);
    await shoppers(s, ['both']);
    await h.publish([view(s, 'both', 'lamp'), view(s, 'both', 'vase')]);
    await eventually(async () => (await h.sql(`SELECT 1 FROM "campaign"."interests" WHERE "store_id" = $1`, [s])).length === 2);
    const at = new Date().toISOString();
    await h.publishRaw(
      TOPICS.CatalogInventory,
      ['lamp', 'vase'].map((productId) => ({ key: productKey(s, productId), value: JSON.stringify({ storeId: s, productId, stockLevel: 2, inStock: true, updatedAt: at }) })),
    );
    const sent = await eventually(async () => {
      const m = await messages(s);
      return m.length === 2 && m;
    });
    expect(sent.map((m) => m.content.subject).sort()).toEqual(['Only 2 left: Glow Lamp', 'Only 2 left: Tall Vase']);
  });
});

describe('catalog and purchase triggers', () => {
  const notify = (name: string, trigger: Record<string, unknown>, step: Record<string, unknown> = {}) => ({
    name,
    trigger,
    steps: [{ id: 'tell', type: 'send', channel: 'email', template: { subject: '{{#if product}}{{product.title}}{{else}}Thanks{{/if}}', html: '<p>{{journey.name}}</p>' }, ...step }],
  });

  it('back in stock, price drop, new product and post purchase each reach their own audience', async () => {
    const s = uniqueStore();
    const back = await createJourney(s, notify('back', { type: 'back_in_stock' }));
    const drop = await createJourney(s, notify('drop', { type: 'price_drop' }));
    const fresh = await createJourney(s, notify('fresh', { type: 'new_product' }));
    const after = await createJourney(s, notify('after', { type: 'post_purchase' }, { recommendations: { placement: 'bought_together', limit: 3 } }));
    await h.publishProducts([product(s, 'boot', { title: 'Trail Boot', inStock: false, stockLevel: 0 }), product(s, 'hat', { title: 'Wool Hat', price: 50 })]);
    await eventually(async () => (await h.sql(`SELECT 1 FROM "campaign"."products" WHERE "store_id" = $1`, [s])).length === 2);
    const affinity = (category: string) => ({ brand: [], category: [{ value: category, score: 5 }], priceBand: [], color: [], size: [] });
    await publishProfiles(h, [
      profileView(s, { anonymousId: 'runner' }, { affinities: affinity('shoes > running') }),
      profileView(s, { anonymousId: 'cook' }, { affinities: affinity('kitchen') }),
    ]);
    await h.publish([
      view(s, 'looker', 'boot'),
      enrichedEvent({ storeId: s, anonymousId: 'fan', type: 'favorite', properties: { productId: 'hat' } }),
      view(s, 'glancer', 'hat'),
    ]);
    await eventually(async () => (await h.sql(`SELECT 1 FROM "campaign"."interests" WHERE "store_id" = $1`, [s])).length === 3);
    await eventually(async () => (await h.sql(`SELECT 1 FROM "campaign"."shoppers" WHERE "store_id" = $1`, [s])).length === 2);

    await h.publishRaw(TOPICS.CatalogInventory, [{ key: productKey(s, 'boot'), value: JSON.stringify({ storeId: s, productId: 'boot', stockLevel: 4, inStock: true, updatedAt: new Date().toISOString() }) }]);
    await h.publishProducts([product(s, 'hat', { title: 'Wool Hat', price: 50, salePrice: 35 }), product(s, 'sneaker', { title: 'Road Sneaker', categories: ['Shoes > Running'] })]);
    await h.publish([purchase(s, { anonymousId: 'buyer' }, ['hat'])]);

    const byJourney = await eventually(async () => {
      const r = await runs(s);
      return r.length === 4 && r.every((x) => x.state === 'done') && r;
    });
    const who = (journeyId: string) => byJourney.filter((r) => r.journey_id === journeyId).map((r) => r.profile_id);
    expect(who(back)).toEqual([pid(s, 'looker')]);
    expect(who(drop)).toEqual([pid(s, 'fan')]);
    expect(who(fresh)).toEqual([pid(s, 'runner')]);
    expect(who(after)).toEqual([pid(s, 'buyer')]);
    const subjects = Object.fromEntries((await messages(s)).map((m) => [m.profile_id, m.content.subject]));
    expect(subjects).toEqual({ [pid(s, 'looker')]: 'Trail Boot', [pid(s, 'fan')]: 'Wool Hat', [pid(s, 'runner')]: 'Road Sneaker', [pid(s, 'buyer')]: 'Wool Hat' });
  });
});

describe('holdout and failures', () => {
  /** A welcome e-mail; `template` replaces its subject. */
  const welcome = (o: { holdoutPercent?: number; subject?: string } = {}) => ({
    name: 'Welcome',
    trigger: { type: 'welcome' },
    holdoutPercent: o.holdoutPercent ?? 0,
    steps: [{ id: 'hello', type: 'send', channel: 'email', template: { subject: o.subject ?? 'Welcome to the shop', html: '<p>Hello!</p>' } }],
  });
  const subscribe = (storeId: string, anonymousId: string) => enrichedEvent({ storeId, anonymousId, type: 'subscribe', properties: { channel: 'email' } });

  it('records held-out runs and their messages as held_out, and reports lift from conversions', async () => {
    const s = uniqueStore();
    const id = await createJourney(s, welcome({ holdoutPercent: 50 }));
    const names = Array.from({ length: 40 }, (_, i) => `w${i}`);
    const held = names.find((n) => inHoldout(id, pid(s, n), 50)) as string;
    const treated = names.find((n) => !inHoldout(id, pid(s, n), 50)) as string;
    await shoppers(s, [held, treated]);
    await h.publish([subscribe(s, held), subscribe(s, treated)]);
    const finished = await eventually(async () => {
      const r = await runs(s);
      return r.length === 2 && r.every((x) => x.state !== 'waiting') && r;
    });
    expect(finished.find((r) => r.profile_id === pid(s, held))).toMatchObject({ state: 'held_out', holdout: true });
    expect(finished.find((r) => r.profile_id === pid(s, treated))).toMatchObject({ state: 'done', holdout: false });
    const sent = await messages(s);
    expect(sent.find((m) => m.profile_id === pid(s, held))).toMatchObject({ state: 'held_out', holdout: true });
    expect(sent.find((m) => m.profile_id === pid(s, treated))?.holdout).toBe(false);

    await h.publish([purchase(s, { anonymousId: held }, ['x'])]);
    const report = await eventually(async () => {
      const r = (await h.get<JourneyReport>(`/v1/stores/${s}/journeys/${id}/report`)).body;
      return r.holdout.converted === 1 && r;
    });
    expect(report).toMatchObject({ runs: { held_out: 1, done: 1 }, treatment: { entered: 1, converted: 0 }, holdout: { entered: 1, converted: 1, conversionRate: 1 }, lift: -1 });
    expect(report.messages.held_out).toBe(1);
  });

  it('a template that fails to render fails the run with the reason and sends nothing', async () => {
    const s = uniqueStore();
    await createJourney(s, welcome({ subject: 'Hi {{shopper.traits.firstName}}' }));
    await shoppers(s, ['eve']);
    await h.publish([subscribe(s, 'eve')]);
    const [run] = await eventually(async () => {
      const r = await runs(s);
      return r[0]?.state === 'failed' && r;
    });
    expect(run.reason).toMatch(/firstName/);
    expect(await messages(s)).toHaveLength(0);
  });
});
