/** Bounds what a hostile definition can echo back into messages. */
export const clip = (s: string, max: number): string => (s.length > max ? `${s.slice(0, max - 1)}…` : s);

export const quote = (s: string): string => `'${clip(s, 64)}'`;

const num = (n: number): string => (Number.isInteger(n) ? String(n) : String(Number(n.toFixed(2))));

/** A value as a reason shows it; `absent` for a field or trait without one. */
export function show(v: unknown): string {
  if (v === undefined) return 'absent';
  if (typeof v === 'string') return quote(v);
  if (typeof v === 'number') return num(v);
  if (Array.isArray(v)) return `[${v.slice(0, 5).map(show).join(', ')}${v.length > 5 ? ', …' : ''}]`;
  return String(v);
}

/** What a wrong value was, for "expected …, got …" messages. */
export function kindOf(v: unknown): string {
  if (v === null || v === undefined) return String(v);
  if (Array.isArray(v)) return 'a list';
  if (typeof v === 'string') return `text ${quote(v)}`;
  if (typeof v === 'object') return 'an object';
  return `${typeof v} ${String(v)}`;
}
