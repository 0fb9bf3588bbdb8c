/**
 * Quiet hours in the shopper's own time zone. Times of day are minutes after local midnight; a
 * window may wrap midnight (21:00-09:00). All math goes through Intl with the IANA zone, so daylight
 * saving time is the zone's own rules, not a fixed offset.
 */

export interface QuietHours {
  /** Minutes after local midnight when quiet starts (inclusive). */
  start: number;
  /** Minutes after local midnight when it ends (exclusive). */
  end: number;
}

const formatters = new Map<string, Intl.DateTimeFormat>();

function formatter(zone: string): Intl.DateTimeFormat {
  let f = formatters.get(zone);
  if (!f) {
    f = new Intl.DateTimeFormat('en-US', { timeZone: zone, hourCycle: 'h23', year: 'numeric', month: 'numeric', day: 'numeric', hour: 'numeric', minute: 'numeric', second: 'numeric' });
    formatters.set(zone, f);
  }
  return f;
}

/** True for a zone Intl knows (IANA names such as Europe/Berlin, and UTC). */
export function isValidTimeZone(zone: string): boolean {
  if (!zone || zone.length > 64) return false;
  try {
    formatter(zone);
    return true;
  } catch {
    return false;
  }
}

/** The shopper's zone when Intl knows it, else the store's default (then UTC). */
export function effectiveZone(shopperZone: string | null | undefined, storeDefault: string): string {
  if (shopperZone && isValidTimeZone(shopperZone)) return shopperZone;
  return isValidTimeZone(storeDefault) ? storeDefault : 'UTC';
}

interface Wall {
  year: number;
  month: number;
  day: number;
  hour: number;
  minute: number;
  second: number;
}

function wallTime(at: Date, zone: string): Wall {
  const parts: Record<string, number> = {};
  for (const p of formatter(zone).formatToParts(at)) if (p.type !== 'literal') parts[p.type] = Number(p.value);
  return { year: parts.year, month: parts.month, day: parts.day, hour: parts.hour, minute: parts.minute, second: parts.second };
}

/** How far the zone's wall clock is ahead of UTC at `ms`. */
function offsetMs(ms: number, zone: string): number {
  const w = wallTime(new Date(ms), zone);
  return Date.UTC(w.year, w.month - 1, w.day, w.hour, w.minute, w.second) - Math.floor(ms / 1000) * 1000;
}

/**
 * The instant a wall-clock time happens in a zone: two passes, so an offset that changes between
 * the guess and the answer (a DST switch that day) is taken into account. A time inside a
 * spring-forward gap (02:30 that never happens) comes out an hour later, after the gap.
 */
export function zonedTimeToUtc(year: number, month: number, day: number, minuteOfDay: number, zone: string): Date {
  const asUtc = Date.UTC(year, month - 1, day, Math.floor(minuteOfDay / 60), minuteOfDay % 60);
  const first = asUtc - offsetMs(asUtc, zone);
  return new Date(asUtc - offsetMs(first, zone));
}

/** Minutes after local midnight at `at` in `zone`. */
export function localMinuteOfDay(at: Date, zone: string): number {
  const w = wallTime(at, zone);
  return w.hour * 60 + w.minute;
}

export function inQuietHours(minute: number, q: QuietHours): boolean {
  if (q.start === q.end) return false;
  return q.start < q.end ? minute >= q.start && minute < q.end : minute >= q.start || minute < q.end;
}

/**
 * When quiet hours end for a shopper in `zone`, or null when `at` is outside them: the next local
 * `end` after `at` (today's if it is still ahead, else tomorrow's).
 */
export function quietUntil(at: Date, zone: string, q: QuietHours): Date | null {
  const w = wallTime(at, zone);
  const minute = w.hour * 60 + w.minute;
  if (!inQuietHours(minute, q)) return null;
  const dayOffset = minute < q.end ? 0 : 1;
  // Date.UTC normalizes day 32 into the next month; only the calendar date is taken from it.
  const date = new Date(Date.UTC(w.year, w.month - 1, w.day + dayOffset));
  const until = zonedTimeToUtc(date.getUTCFullYear(), date.getUTCMonth() + 1, date.getUTCDate(), q.end, zone);
  return until.getTime() > at.getTime() ? until : new Date(at.getTime() + 60_000);
}

/** "21:30" → 1290; null when it is not a 24-hour HH:MM time. */
export function parseTimeOfDay(s: string): number | null {
  const m = /^([01]\d|2[0-3]):([0-5]\d)$/.exec(s);
  return m ? Number(m[1]) * 60 + Number(m[2]) : null;
}
