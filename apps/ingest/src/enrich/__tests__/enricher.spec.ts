import type { RawEvent } from '@signal/contracts';
import { deviceFrom, enrich, geoFrom, isTimeZone } from '../enricher';

const IPHONE = 'Mozilla/5.0 (iPhone; CPU iPhone OS 17_0 like Mac OS X) AppleWebKit/605.1.15 (KHTML, like Gecko) Version/17.0 Mobile/15E148 Safari/604.1';
const DESKTOP = 'Mozilla/5.0 (Windows NT 10.0; Win64; x64) AppleWebKit/537.36 (KHTML, like Gecko) Chrome/126.0 Safari/537.36';
const IPAD = 'Mozilla/5.0 (iPad; CPU OS 17_0 like Mac OS X) AppleWebKit/605.1.15 (KHTML, like Gecko) Version/17.0 Mobile/15E148 Safari/604.1';

describe('enrichment', () => {
  it('tells device types from user agents', () => {
    expect(deviceFrom(IPHONE)).toMatchObject({ type: 'mobile', os: 'iOS' });
    expect(deviceFrom(DESKTOP)).toMatchObject({ type: 'desktop', os: 'Windows', browser: 'Chrome' });
    expect(deviceFrom(IPAD)).toMatchObject({ type: 'tablet' });
    expect(deviceFrom('Googlebot/2.1 (+http://www.google.com/bot.html)')).toEqual({ type: 'bot' });
    expect(deviceFrom(undefined)).toEqual({ type: 'other' });
    expect(deviceFrom('curl/7.88.1')).toEqual({ type: 'other' });
  });

  it('places an IP offline, with region and time zone', () => {
    expect(geoFrom('81.2.69.160')).toMatchObject({ country: 'GB', timezone: 'Europe/London' });
    expect(geoFrom('::ffff:81.2.69.160')).toMatchObject({ country: 'GB' });
    expect(geoFrom('127.0.0.1')).toBeUndefined();
    expect(geoFrom('not an ip')).toBeUndefined();
  });

  it('prefers the browser-declared time zone when it is a real one', () => {
    const base = { context: { ip: '81.2.69.160', userAgent: IPHONE } } as unknown as RawEvent;
    expect(enrich(base).timezone).toBe('Europe/London');
    expect(enrich({ ...base, context: { ...base.context, timezone: 'Europe/Paris' } }).timezone).toBe('Europe/Paris');
    expect(enrich({ ...base, context: { ...base.context, timezone: 'Mars/Olympus' } }).timezone).toBe('Europe/London');
    expect(isTimeZone('Nope/Nope')).toBe(false);
  });
});
