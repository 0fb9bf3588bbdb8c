import { prng } from '../common';
import type { EventType, TrackedEvent } from '@signal/contracts';

/**
 * Synthetic but realistic storefront traffic, generated deterministically (seeded PRNG) so
 * every run sends the same bytes: a browsing-heavy mix of event types, 20k devices, a pool of
 * real-looking browser user agents and public IPv4 addresses (so geo and device enrichment do
 * real work), and a few identifying events (so identity stitching writes links).
 */

const USER_AGENTS = [
  'Mozilla/5.0 (Windows NT 10.0; Win64; x64) AppleWebKit/537.36 (KHTML, like Gecko) Chrome/131.0.0.0 Safari/537.36',
  'Mozilla/5.0 (Macintosh; Intel Mac OS X 10_15_7) AppleWebKit/605.1.15 (KHTML, like Gecko) Version/17.6 Safari/605.1.15',
  'Mozilla/5.0 (iPhone; CPU iPhone OS 17_6 like Mac OS X) AppleWebKit/605.1.15 (KHTML, like Gecko) Version/17.6 Mobile/15E148 Safari/604.1',
  'Mozilla/5.0 (Linux; Android 14; SM-S918B) AppleWebKit/537.36 (KHTML, like Gecko) Chrome/131.0.0.0 Mobile Safari/537.36',
  'Mozilla/5.0 (Windows NT 10.0; Win64; x64; rv:133.0) Gecko/20100101 Firefox/133.0',
  'Mozilla/5.0 (iPad; CPU OS 17_6 like Mac OS X) AppleWebKit/605.1.15 (KHTML, like Gecko) Version/17.6 Mobile/15E148 Safari/604.1',
  'Mozilla/5.0 (X11; Linux x86_64) AppleWebKit/537.36 (KHTML, like Gecko) Chrome/131.0.0.0 Safari/537.36',
  'Mozilla/5.0 (compatible; Googlebot/2.1; +http://www.google.com/bot.html)',
];
const LOCALES = ['en-GB', 'de-DE', 'fr-FR', 'en-US', 'nl-NL', 'es-ES'];
const TIMEZONES = ['Europe/London', 'Europe/Berlin', 'Europe/Paris', 'America/New_York', 'Europe/Amsterdam', 'Europe/Madrid'];
const QUERIES = ['running shoes', 'rain jacket', 'wool socks', 'yoga mat', 'trail backpack', 'water bottle', 'linen shirt', 'sneakers white'];
const CATEGORIES = ['Shoes > Running', 'Clothing > Jackets', 'Accessories > Socks', 'Sports > Yoga', 'Outdoor > Backpacks'];

/** Cumulative weights: mostly browsing, some cart activity, few identifications and orders. */
const MIX: Array<[EventType, number]> = [
  ['page_view', 0.34],
  ['product_view', 0.64],
  ['search', 0.73],
  ['product_click', 0.82],
  ['search_result_click', 0.87],
  ['add_to_cart', 0.95],
  ['remove_from_cart', 0.965],
  ['identify', 0.985],
  ['purchase', 1],
];


export interface GenerateOptions {
  count: number;
  /** Prefix of every eventId; distinct per benchmark invocation. */
  idPrefix: string;
  /** occurredAt of every event (must lie within the gateway's accepted window when sent). */
  occurredAt: string;
  seed?: number;
  devices?: number;
}

export function generateEvents(o: GenerateOptions): TrackedEvent[] {
  const rnd = prng(o.seed ?? 42);
  const pick = <T>(xs: readonly T[]): T => xs[Math.floor(rnd() * xs.length)];
  const devices = o.devices ?? 20_000;
  // One stable IP, user agent, locale per device, like a real browser.
  const deviceFacts = Array.from({ length: devices }, () => ({
    ip: `${pick([31, 46, 62, 77, 78, 81, 82, 84, 85, 86, 88, 89, 90, 91, 92, 93, 94, 95, 151, 176, 178, 185, 188, 193, 194, 212, 213, 217])}.${Math.floor(rnd() * 256)}.${Math.floor(rnd() * 256)}.${1 + Math.floor(rnd() * 254)}`,
    userAgent: pick(USER_AGENTS),
    locale: pick(LOCALES),
    timezone: pick(TIMEZONES),
  }));
  const events: TrackedEvent[] = new Array(o.count);
  for (let i = 0; i < o.count; i++) {
    const device = Math.floor(rnd() * devices);
    const facts = deviceFacts[device];
    const anonymousId = `anon-${device.toString(36)}-${(device * 7919).toString(36)}`;
    const productId = `sku-${1000 + Math.floor(rnd() * 5000)}`;
    const r = rnd();
    const type = (MIX.find(([, w]) => r < w) ?? MIX[0])[0];
    const price = Math.round(rnd() * 20000) / 100;
    let properties: Record<string, unknown>;
    let customerId: string | undefined;
    switch (type) {
      case 'page_view':
        properties = { pageType: pick(['home', 'category', 'product', 'cart', 'content']) };
        break;
      case 'product_view':
        properties = { productId, price, currency: 'EUR', category: pick(CATEGORIES), brand: pick(['Northway', 'Alpin', 'Kestrel']) };
        break;
      case 'search':
        properties = { query: pick(QUERIES), searchId: `s-${i.toString(36)}`, resultsCount: Math.floor(rnd() * 300) };
        break;
      case 'product_click':
        properties = { productId, listId: pick(['home-hero', 'category-grid', 'related']), position: Math.floor(rnd() * 24) };
        break;
      case 'search_result_click':
        properties = { productId, position: Math.floor(rnd() * 24), query: pick(QUERIES) };
        break;
      case 'add_to_cart':
      case 'remove_from_cart':
        properties = { productId, price, currency: 'EUR', quantity: 1 + Math.floor(rnd() * 3), cartId: `cart-${device.toString(36)}` };
        break;
      case 'identify':
        customerId = `cust-${device}`;
        properties = { email: `shopper${device}@example.com` };
        break;
      default: // purchase
        customerId = `cust-${device}`;
        properties = { orderId: `ord-${i.toString(36)}`, value: price, currency: 'EUR', items: [{ productId, quantity: 1, price }] };
    }
    events[i] = {
      eventId: `${o.idPrefix}-${i.toString(36)}`,
      type,
      occurredAt: o.occurredAt,
      anonymousId,
      ...(customerId ? { customerId } : {}),
      sessionId: `sess-${device.toString(36)}-${Math.floor(i / 50_000)}`,
      properties,
      context: {
        page: { url: `https://shop.example.com/p/${productId}`, path: `/p/${productId}` },
        userAgent: facts.userAgent,
        ip: facts.ip,
        locale: facts.locale,
        timezone: facts.timezone,
      },
    } as TrackedEvent;
  }
  return events;
}
