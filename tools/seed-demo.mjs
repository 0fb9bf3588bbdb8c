// Seeds the demo store through the public gateway API, then prints what to try next.
import { randomUUID } from 'node:crypto';
import { writeFileSync } from 'node:fs';

const gateway = process.env.GATEWAY_URL ?? 'http://127.0.0.1:3000';
const storeId = process.env.DEMO_STORE ?? 'demo';

async function call(path, { method = 'GET', key, admin, body } = {}) {
  const res = await fetch(`${gateway}${path}`, {
    method,
    headers: { 'content-type': 'application/json', ...(key ? { 'x-api-key': key } : {}), ...(admin ? { 'x-admin-token': admin } : {}) },
    body: body ? JSON.stringify(body) : undefined,
  });
  const text = await res.text();
  if (!res.ok && res.status !== 404) throw new Error(`${method} ${path}: ${res.status} ${text}`);
  return { status: res.status, body: text ? JSON.parse(text) : null };
}

const products = [
  ['phone-x1', 'X1 Smartphone 128 GB', 'Nova', 'Electronics > Phones', 499],
  ['case-x1', 'X1 Silicone Case', 'Nova', 'Electronics > Phone Accessories', 19],
  ['charger-30w', '30 W USB-C Charger', 'Volt', 'Electronics > Phone Accessories', 29],
  ['fridge-a', 'Fridge-freezer 300 L', 'Frost', 'Home > Appliances', 699],
  ['washer-b', 'Washing Machine 8 kg', 'Frost', 'Home > Appliances', 549],
  ['carpet-c', 'Wool Carpet 160x230', 'Weave', 'Home > Furnishings', 189],
  ['phone-z2', 'Z2 Smartphone 256 GB', 'Zed', 'Electronics > Phones', 649],
  ['earbuds-e', 'Wireless Earbuds', 'Sonic', 'Electronics > Audio', 79],
  ['kettle-k', 'Steel Kettle 1.7 L', 'Brew', 'Home > Kitchen', 39],
].map(([productId, title, brand, category, price]) => ({ productId, title, brand, categories: [category], price, currency: 'GBP', inStock: true, stockLevel: 25 }));
if (process.argv[2] === 'recommendations') {
  await showRecommendations();
  process.exit(0);
}
if (process.argv[2] === 'search') {
  await showSearch();
  process.exit(0);
}
if (process.argv[2] === 'campaigns') {
  await showCampaigns();
  process.exit(0);
}

const { body: keys } = await call(`/admin/v1/stores/${storeId}/keys`, { method: 'POST', admin: process.env.ADMIN_TOKEN });
writeFileSync('.cache/run/demo-keys.json', JSON.stringify(keys, null, 2));

await call('/v1/catalog/products', { method: 'POST', key: keys.secretKey, body: { products } });

// Segments first, so the demo events move the customer through them as they happen.
const segments = [
  { segmentId: 'phone-owners', name: 'Bought a phone in the last 30 days', definition: { event: { type: 'purchase', category: 'phones' }, within: '30d' } },
  { segmentId: 'new-home', name: 'Moving house: bought a fridge and a washing machine within 30 days', definition: { all: ['fridge-a', 'washer-b'].map((productId) => ({ event: { type: 'purchase', productId }, within: '30d' })) } },
  { segmentId: 'cart-abandoners', name: 'Added to cart, no purchase within an hour', definition: { event: { type: 'add_to_cart' }, notFollowedBy: { type: 'purchase' }, after: '60m', within: '7d' } },
  { segmentId: 'engaged-no-order', name: 'Engaged but never bought', definition: { all: [{ field: 'stage', op: 'eq', value: 'engaged' }, { field: 'orders.count', op: 'eq', value: 0 }] } },
];
for (const { segmentId, ...segment } of segments) {
  const created = await fetch(`${gateway}/v1/segments`, { method: 'POST', headers: { 'content-type': 'application/json', 'x-api-key': keys.secretKey }, body: JSON.stringify({ segmentId, ...segment }) });
  if (created.status === 409) await call(`/v1/segments/${segmentId}`, { method: 'PUT', key: keys.secretKey, body: segment });
  else if (created.status !== 201) throw new Error(`POST /v1/segments: ${created.status} ${await created.text()}`);
}

const now = Date.now();
const at = (minutesAgo) => new Date(now - minutesAgo * 60_000).toISOString();
const DAY = 24 * 60;

// Other shoppers' history, for the recommender to learn from: phones sell with a case and a
// charger; movers buy a fridge, then a washing machine, then a carpet.
const order = (who, items, minutesAgo) => ({
  eventId: `demo-history-${who}-${items.join('-')}`,
  type: 'purchase',
  occurredAt: at(minutesAgo),
  anonymousId: who,
  properties: { orderId: `h-${who}-${minutesAgo}`, value: 100, currency: 'GBP', items: items.map((productId) => ({ productId, quantity: 1, price: 100 })) },
});
const history = [];
for (let i = 0; i < 5; i++) history.push(order(`shopper-${i}`, ['phone-x1', 'case-x1', 'charger-30w'], (10 + i) * DAY));
for (let i = 0; i < 3; i++) history.push(order(`mover-${i}`, ['fridge-a'], 20 * DAY), order(`mover-${i}`, ['washer-b'], 15 * DAY), order(`mover-${i}`, ['carpet-c'], 5 * DAY));
for (let i = 0; i < 6; i++) history.push(order(`tea-${i}`, ['kettle-k'], 2 * DAY + i));
await call('/v1/events', { method: 'POST', key: keys.writeKey, body: { events: history } });

const ctx = { ip: '81.2.69.160', userAgent: 'Mozilla/5.0 (iPhone; CPU iPhone OS 17_0 like Mac OS X) Mobile/15E148 Safari/604.1', locale: 'en-GB' };
const ev = (type, minutesAgo, properties, extra = {}) => ({ eventId: randomUUID(), type, occurredAt: at(minutesAgo), anonymousId: 'demo-visitor', context: ctx, properties, ...extra });
const events = [
  ev('page_view', 12, { pageType: 'home' }),
  ev('search', 11, { query: 'phone' }),
  ev('product_view', 10, { productId: 'phone-x1', price: 499, currency: 'GBP' }),
  ev('favorite', 9, { productId: 'phone-x1' }),
  ev('add_to_cart', 8, { productId: 'phone-x1', quantity: 1, price: 499, currency: 'GBP' }),
  ev('signup', 7, { method: 'email' }, { customerId: 'alice' }),
  ev('purchase', 5, { orderId: 'order-1001', value: 499, currency: 'GBP', items: [{ productId: 'phone-x1', quantity: 1, price: 499 }] }, { customerId: 'alice' }),
  ev('product_view', 2, { productId: 'case-x1' }),
];
await call('/v1/events', { method: 'POST', key: keys.writeKey, body: { events } });

let profile = null;
for (let i = 0; i < 50 && !(profile && profile.eventCount >= events.length); i++) {
  await new Promise((r) => setTimeout(r, 200));
  profile = (await call('/v1/profiles?customerId=alice', { key: keys.secretKey })).body;
}
console.log(`\nDemo store "${storeId}" seeded: ${products.length} products, ${segments.length} segments, ${events.length + history.length} events.`);
console.log(`Profile of customer alice: ${JSON.stringify(profile, null, 2)}\n`);
console.log('Keys (also in .cache/run/demo-keys.json):');
console.log(`  export WRITE_KEY=${keys.writeKey}`);
console.log(`  export SECRET_KEY=${keys.secretKey}\n`);
console.log('Send an event:');
console.log(`  curl -s -X POST ${gateway}/v1/events -H "X-Api-Key: $WRITE_KEY" -H 'Content-Type: application/json' \\`);
console.log(`    -d '{"events":[{"eventId":"'$(cat /proc/sys/kernel/random/uuid)'","type":"product_view","occurredAt":"'$(date -u +%FT%TZ)'","anonymousId":"curl-visitor","properties":{"productId":"carpet-c"}}]}'`);
console.log('Read the profile:');
console.log(`  curl -s "${gateway}/v1/profiles?anonymousId=curl-visitor" -H "X-Api-Key: $SECRET_KEY"`);

/** After the model job has run (tools/demo.sh): the demo customer's shelves, and how to ask for them. */
async function showRecommendations() {
  const keys = JSON.parse((await import('node:fs')).readFileSync('.cache/run/demo-keys.json', 'utf8'));
  const shelf = async (query) => (await call(`/v1/recommendations?${query}`, { key: keys.writeKey })).body;
  const home = await shelf('placement=home&customerId=alice&limit=5');
  const together = await shelf('placement=bought_together&productId=phone-x1&limit=3');
  console.log('Recommendations for customer alice, who just bought the X1 phone:');
  for (const [name, answer] of [['home', home], ['bought_together for phone-x1', together]]) {
    console.log(`  ${name}:`);
    for (const item of answer.items) console.log(`    ${item.productId.padEnd(12)} ${item.reason}`);
  }
  console.log('\nAsk for a shelf:');
  console.log(`  curl -s "${gateway}/v1/recommendations?placement=home&customerId=alice" -H "X-Api-Key: $WRITE_KEY"`);
}

/** Typos, prefixes, and a product rising for a query once shoppers buy it after searching. */
async function showSearch() {
  const keys = JSON.parse((await import('node:fs')).readFileSync('.cache/run/demo-keys.json', 'utf8'));
  const get = async (path) => (await call(path, { key: keys.writeKey })).body;
  const find = (q) => get(`/v1/search?q=${encodeURIComponent(q)}&pageSize=3`);
  for (let i = 0; i < 60 && (await get('/v1/search?pageSize=1')).total < products.length; i++) await new Promise((r) => setTimeout(r, 500));
  console.log('\nSearch, with typos:');
  for (const q of ['smartfone', 'wirelss earbds', 'washing machne 8kg', 'stell kettel']) {
    const a = await find(q);
    console.log(`  "${q}" → ${a.hits.map((h) => h.title).join(' | ')}${a.fallback ? ` (fallback: ${a.fallback})` : ''}`);
  }
  console.log('Autocomplete, as typed:');
  for (const q of ['s', 'sma', 'fri', 'wahs']) {
    const a = await get(`/v1/autocomplete?q=${encodeURIComponent(q)}&limit=4`);
    console.log(`  "${q}" → ${a.suggestions.map((s) => s.query).join(' | ')}  [products: ${a.products.map((p) => p.productId).join(', ')}]`);
  }
  // Buy after search: three shoppers search "smartphone", click the Z2 and buy it.
  const rank = async () => (await get('/v1/search?q=smartphone')).hits.findIndex((h) => h.productId === 'phone-z2') + 1;
  const before = await rank();
  const events = [];
  for (let i = 0; i < 3; i++) {
    const answer = await get(`/v1/search?q=smartphone&anonymousId=z2-fan-${i}`);
    const position = answer.hits.findIndex((h) => h.productId === 'phone-z2');
    const who = { anonymousId: `z2-fan-${i}`, context: { locale: 'en-GB' } };
    const t = (s) => new Date(Date.now() - (30 - s) * 1000).toISOString();
    events.push(
      { eventId: randomUUID(), type: 'search', occurredAt: t(i * 3), ...who, properties: { query: 'smartphone', searchId: answer.searchId, resultsCount: answer.total } },
      { eventId: randomUUID(), type: 'search_result_click', occurredAt: t(i * 3 + 1), ...who, properties: { productId: 'phone-z2', position, searchId: answer.searchId, query: 'smartphone' } },
      { eventId: randomUUID(), type: 'purchase', occurredAt: t(i * 3 + 2), ...who, properties: { orderId: `z2-${randomUUID()}`, value: 649, currency: 'GBP', items: [{ productId: 'phone-z2', quantity: 1, price: 649 }] } },
    );
  }
  await call('/v1/events', { method: 'POST', key: keys.writeKey, body: { events } });
  let after = before;
  for (let i = 0; i < 40 && after >= before; i++) {
    await new Promise((r) => setTimeout(r, 250));
    after = await rank();
  }
  console.log(`Buy after search: "Z2 Smartphone" was #${before} for "smartphone"; after three shoppers searched, clicked and bought it, it is #${after}.`);
  console.log('\nSearch and autocomplete yourself:');
  console.log(`  curl -s "${gateway}/v1/search?q=smartfone&explain=true" -H "X-Api-Key: $WRITE_KEY"`);
  console.log(`  curl -s "${gateway}/v1/autocomplete?q=wir" -H "X-Api-Key: $WRITE_KEY"`);
}

/**
 * On-site decisions by customer stage, and a low-stock e-mail to the shopper who looked at the
 * product: campaign definitions through the admin API, decisions through the storefront API, the
 * e-mail as the local mail sink (tools/mail-sink.mjs) received it.
 */
async function showCampaigns() {
  const keys = JSON.parse((await import('node:fs')).readFileSync('.cache/run/demo-keys.json', 'utf8'));
  const admin = process.env.ADMIN_TOKEN;
  const adm = (path, method = 'GET', body) => call(`/admin/v1/stores/${storeId}${path}`, { method, admin, body });
  /** Creates, or replaces what an earlier demo run created. */
  const define = async (area, idField, def) => {
    const res = await fetch(`${gateway}/admin/v1/stores/${storeId}/${area}`, { method: 'POST', headers: { 'content-type': 'application/json', 'x-admin-token': admin }, body: JSON.stringify(def) });
    if (res.status === 409) {
      const { [idField]: id, ...rest } = def;
      await adm(`/${area}/${id}`, 'PUT', rest);
    } else if (res.status !== 201) throw new Error(`POST ${area}: ${res.status} ${await res.text()}`);
  };
  // No quiet hours in the demo store, so its e-mail goes out whatever the time of day.
  await adm('/delivery-settings', 'PUT', { frequencyCap: 10, quietHours: null, timezone: 'Europe/London' });
  await define('offers', 'offerId', { offerId: 'welcome10', name: 'Welcome', kind: 'first_purchase', discount: { percent: 10 }, codePrefix: 'WELCOME', validityDays: 14, budget: 1000 });
  await define('offers', 'offerId', { offerId: 'loyal15', name: 'Thank you', kind: 'loyalty', discount: { percent: 15 }, codePrefix: 'THANKS', validityDays: 30, budget: 500 });
  await define('onsite-campaigns', 'campaignId', {
    campaignId: 'newsletter',
    name: 'Newsletter sign-up',
    placement: 'popup',
    priority: 10,
    variants: [{ variantId: 'a', kind: 'signup', content: { title: 'Get our news first', cta: { label: 'Sign up', url: '/signup' } } }],
  });
  await define('onsite-campaigns', 'campaignId', {
    campaignId: 'offers',
    name: 'An offer for everyone: welcome or thank you',
    placement: 'banner',
    priority: 10,
    variants: [
      { variantId: 'welcome', kind: 'offer', offerId: 'welcome10', content: { title: '10% off your first order' } },
      { variantId: 'thanks', kind: 'offer', offerId: 'loyal15', content: { title: '15% off, thank you for coming back' } },
    ],
  });
  // Journeys get their id from the service: an earlier demo run's is found by name and replaced.
  const almostGone = {
    name: 'Almost gone',
    trigger: { type: 'low_stock', threshold: 5 },
    steps: [
      {
        id: 'alert',
        type: 'send',
        channel: 'email',
        template: { subject: 'Only {{product.left}} left: {{product.title}}', html: '<p>{{product.title}}, which you looked at, is almost gone: {{product.left}} left.</p>' },
        // Products from the recommender, laid out under the text by the default e-mail layout.
        recommendations: { placement: 'bought_together', limit: 3 },
      },
    ],
  };
  const existing = (await adm('/journeys')).body.journeys.find((j) => j.name === almostGone.name);
  if (existing) await adm(`/journeys/${existing.journeyId}`, 'PUT', almostGone);
  else await adm('/journeys', 'POST', almostGone);

  // alice subscribes to e-mail (the storefront's newsletter form sends this event).
  await call('/v1/events', {
    method: 'POST',
    key: keys.writeKey,
    body: { events: [{ eventId: randomUUID(), type: 'subscribe', occurredAt: new Date().toISOString(), anonymousId: 'demo-visitor', customerId: 'alice', properties: { channel: 'email', email: 'alice@example.com' } }] },
  });
  const decide = async (placement, who) => (await call(`/v1/decisions?placement=${placement}&${who}`, { key: keys.writeKey })).body;
  let alicePopup;
  for (let i = 0; i < 60; i++) {
    alicePopup = await decide('popup', 'customerId=alice');
    if (alicePopup.content?.kind !== 'signup') break; // her subscription has reached the campaign service
    await new Promise((r) => setTimeout(r, 250));
  }
  const show = (d) => (d.content ? `${d.content.kind}: "${d.content.title}"${d.content.offer ? `, code ${d.content.offer.code}` : ''}` : `nothing (${d.reason})`);
  console.log('\nOn-site decisions (GET /v1/decisions):');
  console.log(`  a new visitor,  popup  → ${show(await decide('popup', 'anonymousId=demo-newcomer'))}`);
  console.log(`  a new visitor,  banner → ${show(await decide('banner', 'anonymousId=demo-newcomer'))}`);
  console.log(`  alice (subscribed, has bought), popup  → ${show(alicePopup)}`);
  console.log(`  alice (subscribed, has bought), banner → ${show(await decide('banner', 'customerId=alice'))}`);

  // The X1 case alice looked at drops to 3 in stock: the journey e-mails her (and only her).
  const mailbox = async () => (await fetch('http://127.0.0.1:2526/messages').then((r) => r.json()).catch(() => [])).filter((m) => m.to.includes('alice@example.com'));
  const before = (await mailbox()).length;
  await call('/v1/catalog/inventory', { method: 'POST', key: keys.secretKey, body: { changes: [{ productId: 'case-x1', stockLevel: 25, inStock: true }] } });
  await new Promise((r) => setTimeout(r, 500));
  const sent = Date.now();
  await call('/v1/catalog/inventory', { method: 'POST', key: keys.secretKey, body: { changes: [{ productId: 'case-x1', stockLevel: 3, inStock: true }] } });
  let mail = [];
  for (let i = 0; i < 80 && mail.length <= before; i++) {
    await new Promise((r) => setTimeout(r, 250));
    mail = await mailbox();
  }
  const last = mail.at(-1);
  console.log(`\nLow stock: case-x1 fell to 3 in stock; ${mail.length > before ? `${((Date.now() - sent) / 1000).toFixed(1)} s later the mail sink had "${last.subject}" for ${last.to} (${last.file} in .cache/run/mail/)` : 'no e-mail arrived within 20 s (see .cache/run/logs/campaign.log)'}.`);
  if (mail.length > before) {
    const eml = (await import('node:fs')).readFileSync(`.cache/run/mail/${last.file}`, 'utf8');
    const shown = products.filter((p) => p.productId !== 'case-x1' && eml.includes(p.title)).map((p) => p.title);
    console.log(`  with recommendations (bought together with her last order): ${shown.join(', ') || 'none (the recommender did not answer in time)'}`);
  }
  console.log('\nAsk for a decision, or look at what was sent:');
  console.log(`  curl -s "${gateway}/v1/decisions?placement=banner&anonymousId=someone-new" -H "X-Api-Key: $WRITE_KEY"`);
  console.log(`  curl -s "${gateway}/admin/v1/stores/${storeId}/messages?limit=5" -H "X-Admin-Token: $(cat .cache/run/admin-token)"`);
}
