import type { FieldError } from './validation';

export interface UrlQueryShape {
  /** Every parameter the endpoint takes; any other is refused. */
  fields: ReadonlySet<string>;
  /** Parameters that take a list: comma-separated (`a=x,y`) or repeated (`a=x&a=y`). */
  lists?: readonly string[];
  /** Parameters that take a list of values that may hold commas (facet values): repeated only. */
  repeated?: readonly string[];
  /** Parameters that take a number. */
  numbers?: readonly string[];
  /** Parameters that take true/false. */
  booleans?: readonly string[];
}

/**
 * A URL query as Express parses it (strings, repeated keys as arrays) → plain values for a schema
 * to check: unknown and repeated single parameters are refused here, numbers and booleans converted
 * only when they look like one (a schema then names anything else).
 */
export function readUrlQuery(raw: Record<string, unknown>, shape: UrlQueryShape): { ok: true; value: Record<string, unknown> } | { ok: false; errors: FieldError[] } {
  const unknown = Object.keys(raw).filter((k) => !shape.fields.has(k));
  if (unknown.length) return { ok: false, errors: unknown.slice(0, 5).map((field): FieldError => ({ field, message: 'Unknown parameter' })) };
  const value: Record<string, unknown> = {};
  for (const [key, v] of Object.entries(raw)) {
    if (v === undefined) continue;
    if (shape.lists?.includes(key)) {
      const parts = (Array.isArray(v) ? v : [v]).flatMap((x) => (typeof x === 'string' ? x.split(',') : [x]));
      value[key] = parts.filter((x) => x !== '');
    } else if (shape.repeated?.includes(key)) {
      value[key] = (Array.isArray(v) ? v : [v]).filter((x) => x !== '');
    } else if (Array.isArray(v)) {
      return { ok: false, errors: [{ field: key, message: 'Given more than once' }] };
    } else if (shape.numbers?.includes(key)) {
      value[key] = typeof v === 'string' && /^-?\d{1,9}(\.\d{1,6})?$/.test(v) ? Number(v) : v;
    } else if (shape.booleans?.includes(key)) {
      value[key] = v === 'true' || v === '1' ? true : v === 'false' || v === '0' ? false : v;
    } else {
      value[key] = v;
    }
  }
  return { ok: true, value };
}
