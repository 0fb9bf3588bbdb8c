import type { Enrichment, RawEvent } from '@signal/contracts';
import geoip from 'geoip-lite';
import { UAParser } from 'ua-parser-js';

type Device = Enrichment['device'];

const BOT = /bot|crawl|spider|slurp|facebookexternalhit|headless|lighthouse/i;

/** A small bounded cache: a store sees a few hundred distinct user agents and time zones, and parsing them is the costliest part of enrichment. */
function memoize<T>(compute: (key: string) => T, max = 5_000): (key: string) => T {
  const cache = new Map<string, T>();
  return (key) => {
    const hit = cache.get(key);
    if (hit !== undefined || cache.has(key)) return hit as T;
    if (cache.size >= max) cache.clear();
    const value = compute(key);
    cache.set(key, value);
    return value;
  };
}

const parseDevice = memoize((userAgent: string): Device => {
  if (BOT.test(userAgent)) return { type: 'bot' };
  const ua = new UAParser(userAgent).getResult();
  // Scripts and tools (curl, SDKs) name no browser and no OS: not a shopper's device.
  if (!ua.browser.name && !ua.os.name) return { type: 'other' };
  const kind = ua.device.type;
  const type: Device['type'] = kind === 'mobile' || kind === 'wearable' ? 'mobile' : kind === 'tablet' ? 'tablet' : kind ? 'other' : 'desktop';
  return { type, os: ua.os.name, browser: ua.browser.name };
});

export function deviceFrom(userAgent: string | undefined): Device {
  // A copy: callers put it into events they own.
  return userAgent ? { ...parseDevice(userAgent) } : { type: 'other' };
}

export function geoFrom(ip: string | undefined): Enrichment['geo'] {
  if (!ip) return undefined;
  // The offline GeoLite data shipped inside the geoip-lite package: no network call.
  const hit = geoip.lookup(ip.replace(/^::ffff:/, ''));
  if (!hit || !hit.country) return undefined;
  return { country: hit.country, region: hit.region || undefined, city: hit.city || undefined, timezone: hit.timezone || undefined };
}

const knownTimeZone = memoize((tz: string): boolean => {
  try {
    new Intl.DateTimeFormat('en', { timeZone: tz });
    return true;
  } catch {
    return false;
  }
});

export function isTimeZone(tz: string | undefined): tz is string {
  return !!tz && knownTimeZone(tz);
}

/** Device from the user agent, place from the IP, and the best known time zone. */
export function enrich(event: RawEvent): Enrichment {
  const geo = geoFrom(event.context?.ip);
  const declared = event.context?.timezone;
  const timezone = isTimeZone(declared) ? declared : geo?.timezone;
  return { device: deviceFrom(event.context?.userAgent), ...(geo ? { geo } : {}), ...(timezone ? { timezone } : {}) };
}
