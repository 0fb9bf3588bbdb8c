import { checkDeliverySettings, defaultDeliverySettings } from '../delivery-settings';
import { afterFailure, decide, retryDelayMs, type RuleInput } from '../rules';

const DAY = new Date('2026-01-15T12:00:00Z'); // 13:00 in Berlin
const NIGHT = new Date('2026-01-15T22:00:00Z'); // 23:00 in Berlin

const input = (o: Partial<RuleInput> = {}): RuleInput => ({
  channel: 'email',
  suppression: null,
  shopper: { email: 'ann@example.com', consentEmail: true, consentPush: true, timezone: 'Europe/Berlin' },
  pushSubscriptions: [],
  webhookUrl: null,
  settings: defaultDeliverySettings(),
  sentLast24h: 0,
  now: DAY,
  ...o,
});

describe('delivery rules', () => {
  it('sends to the shopper address when every rule passes', () => {
    expect(decide(input())).toEqual({ action: 'send', to: ['ann@example.com'] });
  });

  it('a suppression comes first, with its own reason', () => {
    expect(decide(input({ suppression: 'unsubscribed', shopper: null, now: NIGHT, sentLast24h: 9 }))).toEqual({ action: 'suppress', reason: 'unsubscribed' });
    expect(decide(input({ suppression: 'bounce' }))).toEqual({ action: 'suppress', reason: 'bounce' });
  });

  it('then consent: e-mail and push need an explicit yes; unknown or absent is no', () => {
    const night = { now: NIGHT, sentLast24h: 9 };
    expect(decide(input({ ...night, shopper: { email: 'a@b.c', consentEmail: false, consentPush: true, timezone: null } }))).toEqual({ action: 'suppress', reason: 'no consent' });
    expect(decide(input({ shopper: { email: 'a@b.c', consentEmail: null, consentPush: null, timezone: null } }))).toEqual({ action: 'suppress', reason: 'no consent' });
    expect(decide(input({ shopper: null }))).toEqual({ action: 'suppress', reason: 'no consent' });
    expect(decide(input({ channel: 'push', shopper: { email: null, consentEmail: true, consentPush: false, timezone: null }, pushSubscriptions: ['{}'] }))).toEqual({
      action: 'suppress',
      reason: 'no consent',
    });
  });

  it('then an address: an e-mail, each push subscription, the webhook URL', () => {
    expect(decide(input({ now: NIGHT, shopper: { email: null, consentEmail: true, consentPush: true, timezone: null } }))).toEqual({ action: 'suppress', reason: 'no address' });
    expect(decide(input({ channel: 'push' }))).toEqual({ action: 'suppress', reason: 'no address' });
    expect(decide(input({ channel: 'push', pushSubscriptions: ['a', 'b'] }))).toEqual({ action: 'send', to: ['a', 'b'] });
    // A webhook goes to the store's own system: no shopper consent or profile needed.
    expect(decide(input({ channel: 'webhook', shopper: null, webhookUrl: 'https://shop.example/hook' }))).toEqual({ action: 'send', to: ['https://shop.example/hook'] });
    expect(decide(input({ channel: 'webhook', shopper: null }))).toEqual({ action: 'suppress', reason: 'no address' });
  });

  it('then quiet hours: deferred to their end, even when the cap is reached (the cap is judged in the morning)', () => {
    expect(decide(input({ now: NIGHT, sentLast24h: 9 }))).toEqual({ action: 'defer', until: new Date('2026-01-16T08:00:00Z'), reason: 'quiet hours in Europe/Berlin' });
  });

  it('quiet hours use the store default zone when the shopper has none or an unknown one', () => {
    const settings = { ...defaultDeliverySettings(), timezone: 'Asia/Kolkata' };
    const at = new Date('2026-01-15T18:00:00Z'); // 19:00 Berlin, 23:30 Kolkata
    expect(decide(input({ now: at }))).toEqual({ action: 'send', to: ['ann@example.com'] });
    const noZone = { email: 'ann@example.com', consentEmail: true, consentPush: null, timezone: 'Nowhere/Land' };
    expect(decide(input({ now: at, settings, shopper: noZone }))).toMatchObject({ action: 'defer', reason: 'quiet hours in Asia/Kolkata' });
    expect(decide(input({ now: at, settings: { ...settings, quietHours: null }, shopper: noZone }))).toMatchObject({ action: 'send' });
  });

  it('then the frequency cap across channels', () => {
    expect(decide(input({ sentLast24h: 2 }))).toMatchObject({ action: 'send' });
    expect(decide(input({ sentLast24h: 3 }))).toEqual({ action: 'suppress', reason: 'frequency cap' });
    expect(decide(input({ sentLast24h: 3, settings: { ...defaultDeliverySettings(), frequencyCap: 4 } }))).toMatchObject({ action: 'send' });
  });
});

describe('retries', () => {
  it('back off exponentially from the base', () => {
    const mid = () => 0.5;
    expect([1, 2, 3, 4, 5].map((a) => retryDelayMs(a, 30_000, mid))).toEqual([30_000, 60_000, 120_000, 240_000, 480_000]);
  });

  it('jitter stays within ±20 %, and delays stop growing at a day', () => {
    expect(retryDelayMs(3, 1_000, () => 0)).toBe(3_200);
    expect(retryDelayMs(3, 1_000, () => 0.999_999)).toBe(4_800);
    expect(retryDelayMs(40, 30_000, () => 0.5)).toBe(24 * 3_600_000);
  });

  it('give up after the last attempt, or at once when retrying cannot help', () => {
    expect(afterFailure(1, 3, false)).toBe('retry');
    expect(afterFailure(2, 3, false)).toBe('retry');
    expect(afterFailure(3, 3, false)).toBe('final');
    expect(afterFailure(1, 3, true)).toBe('final');
  });
});

describe('delivery settings', () => {
  it('fills defaults: 3 a day, quiet 21:00 to 09:00, UTC', () => {
    expect(checkDeliverySettings({})).toEqual({ ok: true, value: { frequencyCap: 3, quietHours: { start: '21:00', end: '09:00' }, timezone: 'UTC' } });
    expect(checkDeliverySettings({ quietHours: null, timezone: 'America/Los_Angeles', frequencyCap: 10 })).toMatchObject({ ok: true });
  });

  it('refuses nonsense, naming the field', () => {
    const fields = (body: unknown) => {
      const r = checkDeliverySettings(body);
      return r.ok ? [] : r.errors.map((e) => e.field);
    };
    expect(fields({ timezone: 'Mars/Olympus' })).toEqual(['timezone']);
    expect(fields({ frequencyCap: 0 })).toEqual(['frequencyCap']);
    expect(fields({ frequencyCap: 2.5 })).toEqual(['frequencyCap']);
    expect(fields({ quietHours: { start: '25:00', end: '09:00' } })).toEqual(['quietHours']);
    expect(fields({ quietHours: { start: '09:00', end: '09:00' } })).toEqual(['quietHours']);
    expect(fields({ extra: 1 })).toHaveLength(1);
    expect(fields([])).toEqual(['(body)']);
    expect(fields('x')).toEqual(['(body)']);
  });
});
