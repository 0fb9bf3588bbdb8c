/** `60m`, `12h`, `7d`: a positive whole number of minutes, hours or days. */
export const DURATION_PATTERN = /^[1-9][0-9]{0,5}[mhd]$/;
/** Ten years: longer windows are surely mistakes, and keep window arithmetic exact in ms. */
export const MAX_DURATION_MS = 3650 * 86_400_000;

const UNIT_MS = { m: 60_000, h: 3_600_000, d: 86_400_000 } as const;
type Unit = keyof typeof UNIT_MS;

export const isDuration = (d: unknown): d is string => typeof d === 'string' && DURATION_PATTERN.test(d);

/** Milliseconds in a duration such as `60m`; throws on anything else. */
export function parseDuration(d: string): number {
  if (!DURATION_PATTERN.test(d)) throw new RangeError(`'${d.slice(0, 32)}' is not a duration such as 60m, 12h or 7d`);
  return Number(d.slice(0, -1)) * UNIT_MS[d.slice(-1) as Unit];
}

/** A span of time in its largest whole unit, rounded down past two of them: `1h`, `90m`, `3d`. */
export function describeDuration(ms: number): string {
  if (ms >= UNIT_MS.d && (ms % UNIT_MS.d === 0 || ms >= 2 * UNIT_MS.d)) return `${Math.floor(ms / UNIT_MS.d)}d`;
  if (ms >= UNIT_MS.h && (ms % UNIT_MS.h === 0 || ms >= 2 * UNIT_MS.h)) return `${Math.floor(ms / UNIT_MS.h)}h`;
  if (ms >= UNIT_MS.m) return `${Math.floor(ms / UNIT_MS.m)}m`;
  return `${Math.max(0, Math.floor(ms / 1000))}s`;
}
