import type { TSchema, Static } from '@sinclair/typebox';
import { TypeCompiler, type TypeCheck } from '@sinclair/typebox/compiler';
import { EVENT_PROPERTIES, EVENT_TYPES, TrackedEvent, type EventType } from './events';

export interface FieldError {
  /** Dotted path of the offending field, e.g. `properties.items.0.price`. */
  field: string;
  message: string;
}

export type Validation<T> = { ok: true; value: T } | { ok: false; errors: FieldError[] };

const MAX_ERRORS = 20;
const toField = (path: string, prefix: string) => [prefix, ...path.split('/').filter(Boolean)].filter(Boolean).join('.') || '(root)';

/** A compiled validator for one schema; errors name the field. */
export class Validator<T extends TSchema> {
  private readonly check: TypeCheck<T>;
  constructor(schema: T) {
    this.check = TypeCompiler.Compile(schema);
  }

  /** The fast path: no allocation when the value is valid. */
  is(value: unknown): value is Static<T> {
    return this.check.Check(value);
  }

  validate(value: unknown, prefix = ''): Validation<Static<T>> {
    if (this.check.Check(value)) return { ok: true, value };
    const errors: FieldError[] = [];
    for (const e of this.check.Errors(value)) {
      const field = toField(e.path, prefix);
      // Unions report one error per branch; the first per field is the useful one.
      if (!errors.some((x) => x.field === field)) errors.push({ field, message: e.message });
      if (errors.length >= MAX_ERRORS) break;
    }
    return { ok: false, errors };
  }
}

export interface EventTimeWindow {
  /** The server clock the event is judged against (the gateway's receivedAt). */
  now: Date;
  /** How far in the future occurredAt may be (device clock skew). */
  maxFutureMs: number;
  /** How old an event may be when it arrives (offline devices replaying). */
  maxAgeMs: number;
}

export const DEFAULT_EVENT_TIME_WINDOW = { maxFutureMs: 15 * 60_000, maxAgeMs: 30 * 24 * 3_600_000 } as const;

const envelope = new Validator(TrackedEvent);
const propertyValidators = new Map<EventType, Validator<TSchema>>(
  EVENT_TYPES.map((type) => [type, new Validator<TSchema>(EVENT_PROPERTIES[type])]),
);
const isEventType = (t: unknown): t is EventType => typeof t === 'string' && (EVENT_TYPES as readonly string[]).includes(t);

/**
 * Checks one tracked event: the envelope, the per-type properties, and that
 * occurredAt lies within the accepted window around `window.now`.
 */
export function validateTrackedEvent(input: unknown, window: EventTimeWindow): Validation<TrackedEvent> {
  if (typeof input !== 'object' || input === null || Array.isArray(input)) {
    return { ok: false, errors: [{ field: '(root)', message: 'Expected an event object' }] };
  }
  const type = (input as { type?: unknown }).type;
  if (type !== undefined && !isEventType(type)) {
    return {
      ok: false,
      errors: [{ field: 'type', message: `Unknown event type ${JSON.stringify(String(type).slice(0, 64))}; expected one of: ${EVENT_TYPES.join(', ')}` }],
    };
  }
  if (!envelope.is(input)) return envelope.validate(input);
  return checkEventBody(input, window);
}

/**
 * The checks beyond the envelope's shape: the per-type properties and occurredAt within the
 * window. For callers that validated the envelope already (ingest checks the raw event's shape).
 */
export function checkEventBody<E extends TrackedEvent>(event: E, window: EventTimeWindow): Validation<E> {
  const props = propertyValidators.get(event.type) as Validator<TSchema>;
  if (!props.is(event.properties)) {
    const failed = props.validate(event.properties, 'properties');
    if (!failed.ok) return failed;
  }
  const occurred = Date.parse(event.occurredAt);
  const now = window.now.getTime();
  if (occurred > now + window.maxFutureMs) {
    return { ok: false, errors: [{ field: 'occurredAt', message: `Lies more than ${window.maxFutureMs / 60_000} minutes in the future` }] };
  }
  if (occurred < now - window.maxAgeMs) {
    return { ok: false, errors: [{ field: 'occurredAt', message: `Is older than ${Math.round(window.maxAgeMs / 86_400_000)} days` }] };
  }
  return { ok: true, value: event };
}
