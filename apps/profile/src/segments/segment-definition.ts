import type { FieldError } from '@signal/contracts';
import type { StoreSettings } from '../settings/store-settings';
import { checkRule, type SegmentRule } from './rules';

/** `POST /segments` and `PUT /segments/:id` bodies; `definition` is a rule (docs/segments.md). */
export interface SegmentInputValue {
  segmentId?: string;
  name: string;
  description?: string;
  active: boolean;
  definition: SegmentRule;
}

const NAME = /^[A-Za-z0-9_.:-]{1,128}$/;

/** The body of a segment request, every mistake named by its field (rule mistakes by their path under `definition`). */
export function checkSegmentInput(body: unknown, settings: StoreSettings): { ok: true; value: SegmentInputValue } | { ok: false; errors: FieldError[] } {
  if (typeof body !== 'object' || body === null || Array.isArray(body)) return { ok: false, errors: [{ field: '(body)', message: 'must be a JSON object' }] };
  const b = body as Record<string, unknown>;
  const errors: FieldError[] = [];
  for (const key of Object.keys(b)) if (!['segmentId', 'name', 'description', 'active', 'definition'].includes(key)) errors.push({ field: key, message: 'unknown field' });
  if (b['segmentId'] !== undefined && (typeof b['segmentId'] !== 'string' || !NAME.test(b['segmentId']))) errors.push({ field: 'segmentId', message: 'must be 1-128 characters of A-Z a-z 0-9 _ . : -' });
  if (typeof b['name'] !== 'string' || b['name'].length < 1 || b['name'].length > 256) errors.push({ field: 'name', message: 'must be a string of 1-256 characters' });
  if (b['description'] !== undefined && (typeof b['description'] !== 'string' || b['description'].length > 2000)) errors.push({ field: 'description', message: 'must be a string of at most 2000 characters' });
  if (b['active'] !== undefined && typeof b['active'] !== 'boolean') errors.push({ field: 'active', message: 'must be a boolean' });
  if (b['definition'] === undefined) errors.push({ field: 'definition', message: 'is required' });
  else {
    const checked = checkRule(b['definition'], { sensitiveCategories: settings.sensitiveCategories });
    if (!checked.ok) errors.push(...checked.errors.map((e) => ({ field: e.path, message: e.message })));
  }
  if (errors.length) return { ok: false, errors };
  return {
    ok: true,
    value: {
      ...(typeof b['segmentId'] === 'string' ? { segmentId: b['segmentId'] } : {}),
      name: b['name'] as string,
      ...(typeof b['description'] === 'string' ? { description: b['description'] } : {}),
      active: b['active'] !== false,
      definition: b['definition'] as SegmentRule,
    },
  };
}
