import { effectiveZone, inQuietHours, isValidTimeZone, localMinuteOfDay, parseTimeOfDay, quietUntil, zonedTimeToUtc } from '../quiet-hours';

const NIGHT = { start: 21 * 60, end: 9 * 60 };
const until = (iso: string, zone: string, q = NIGHT) => quietUntil(new Date(iso), zone, q)?.toISOString() ?? null;

describe('quiet hours in the shopper time zone', () => {
  it('Europe/Berlin in winter (UTC+1): late evening waits for 09:00 local the next morning', () => {
    expect(until('2026-01-15T21:30:00Z', 'Europe/Berlin')).toBe('2026-01-16T08:00:00.000Z');
  });

  it('after local midnight the end is the same local day', () => {
    expect(until('2026-01-15T23:30:00Z', 'Europe/Berlin')).toBe('2026-01-16T08:00:00.000Z');
    expect(until('2026-01-16T07:59:00Z', 'Europe/Berlin')).toBe('2026-01-16T08:00:00.000Z');
  });

  it('outside quiet hours nothing waits; start is inclusive and end exclusive', () => {
    expect(until('2026-01-15T12:00:00Z', 'Europe/Berlin')).toBeNull();
    expect(until('2026-01-16T08:00:00Z', 'Europe/Berlin')).toBeNull();
    expect(until('2026-01-15T20:00:00Z', 'Europe/Berlin')).toBe('2026-01-16T08:00:00.000Z');
    expect(until('2026-01-15T19:59:00Z', 'Europe/Berlin')).toBeNull();
  });

  it('the same instant is day for one shopper and night for another', () => {
    const at = '2026-01-15T12:00:00Z'; // 13:00 Berlin, 04:00 Los Angeles, 17:30 Kolkata
    expect(until(at, 'Europe/Berlin')).toBeNull();
    expect(until(at, 'America/Los_Angeles')).toBe('2026-01-15T17:00:00.000Z');
    expect(until(at, 'Asia/Kolkata')).toBeNull();
  });

  it('America/Los_Angeles: a UTC date ahead of the local one', () => {
    // 22:00 PST on Jan 14 is Jan 15 in UTC; quiet ends at 09:00 PST on Jan 15.
    expect(until('2026-01-15T06:00:00Z', 'America/Los_Angeles')).toBe('2026-01-15T17:00:00.000Z');
  });

  it('Asia/Kolkata: a half-hour offset (UTC+5:30)', () => {
    expect(until('2026-01-15T16:00:00Z', 'Asia/Kolkata')).toBe('2026-01-16T03:30:00.000Z');
    expect(until('2026-01-15T03:29:00Z', 'Asia/Kolkata')).toBe('2026-01-15T03:30:00.000Z');
    expect(until('2026-01-15T03:30:00Z', 'Asia/Kolkata')).toBeNull();
    expect(until('2026-01-15T15:30:00Z', 'Asia/Kolkata')).toBe('2026-01-16T03:30:00.000Z');
  });

  it('the night the clocks go forward: the end is 09:00 summer time', () => {
    // Berlin: 22:00 CET on Mar 28 2026; clocks jump 02:00 → 03:00; 09:00 CEST is 07:00 UTC.
    expect(until('2026-03-28T21:00:00Z', 'Europe/Berlin')).toBe('2026-03-29T07:00:00.000Z');
    // Los Angeles: 21:00 PST on Mar 7 2026; 09:00 PDT on Mar 8 is 16:00 UTC.
    expect(until('2026-03-08T05:00:00Z', 'America/Los_Angeles')).toBe('2026-03-08T16:00:00.000Z');
  });

  it('the night the clocks go back: the end is 09:00 winter time', () => {
    expect(until('2026-10-24T20:00:00Z', 'Europe/Berlin')).toBe('2026-10-25T08:00:00.000Z');
    expect(until('2026-11-01T05:00:00Z', 'America/Los_Angeles')).toBe('2026-11-01T17:00:00.000Z');
  });

  it('a wall time inside the spring-forward gap comes out after the gap', () => {
    expect(zonedTimeToUtc(2026, 3, 29, 2 * 60 + 30, 'Europe/Berlin').toISOString()).toBe('2026-03-29T01:30:00.000Z');
    expect(until('2026-03-28T22:00:00Z', 'Europe/Berlin', { start: 22 * 60, end: 2 * 60 + 30 })).toBe('2026-03-29T01:30:00.000Z');
  });

  it('a window that does not wrap midnight, and an empty one', () => {
    expect(inQuietHours(13 * 60 + 30, { start: 13 * 60, end: 14 * 60 })).toBe(true);
    expect(inQuietHours(14 * 60, { start: 13 * 60, end: 14 * 60 })).toBe(false);
    expect(inQuietHours(3 * 60, { start: 13 * 60, end: 14 * 60 })).toBe(false);
    expect(inQuietHours(3 * 60, { start: 600, end: 600 })).toBe(false);
    expect(until('2026-01-15T12:30:00Z', 'Europe/Berlin', { start: 13 * 60, end: 14 * 60 })).toBe('2026-01-15T13:00:00.000Z');
  });

  it('an unknown zone falls back to the store default, an unknown default to UTC', () => {
    expect(isValidTimeZone('Mars/Olympus')).toBe(false);
    expect(isValidTimeZone('Asia/Kolkata')).toBe(true);
    expect(effectiveZone('Mars/Olympus', 'Europe/Berlin')).toBe('Europe/Berlin');
    expect(effectiveZone(null, 'Europe/Berlin')).toBe('Europe/Berlin');
    expect(effectiveZone('Asia/Kolkata', 'Europe/Berlin')).toBe('Asia/Kolkata');
    expect(effectiveZone(undefined, 'nope')).toBe('UTC');
    expect(localMinuteOfDay(new Date('2026-01-15T12:00:00Z'), 'Asia/Kolkata')).toBe(17 * 60 + 30);
  });

  it('parses HH:MM', () => {
    expect(parseTimeOfDay('21:00')).toBe(1260);
    expect(parseTimeOfDay('00:00')).toBe(0);
    expect(parseTimeOfDay('24:00')).toBeNull();
    expect(parseTimeOfDay('9:00')).toBeNull();
  });
});
