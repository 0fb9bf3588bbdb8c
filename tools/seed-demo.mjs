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
