import { DEFAULT_EVENT_TIME_WINDOW, EVENT_TYPES, validateTrackedEvent } from '../index';

const now = new Date('2026-11-24T12:00:00Z');
const window = { now, ...DEFAULT_EVENT_TIME_WINDOW };
const event = (over: Record<string, unknown> = {}) => ({
  eventId: 'e-1',
  type: 'product_view',
  occurredAt: '2026-11-24T11:59:00Z',
  anonymousId: 'a-1',
  properties: { productId: 'p-1' },
  ...over,
});
const fields = (input: unknown) => {
  const r = validateTrackedEvent(input, window);
  return r.ok ? [] : r.errors.map((e) => e.field);
};

describe('validateTrackedEvent', () => {
  it('accepts a well-formed event and keeps its fields', () => {
    const r = validateTrackedEvent(event({ customerId: 'c-9', context: { locale: 'en-GB' } }), window);
    expect(r).toEqual({ ok: true, value: expect.objectContaining({ eventId: 'e-1', customerId: 'c-9' }) });
  });

  it('names an unknown event type and lists the known ones', () => {
    const r = validateTrackedEvent(event({ type: 'teleport' }), window);
    expect(r.ok).toBe(false);
    if (!r.ok) {
      expect(r.errors[0].field).toBe('type');
      expect(r.errors[0].message).toContain('teleport');
      expect(r.errors[0].message).toContain('purchase');
    }
  });

  it.each([
    ['a missing eventId', event({ eventId: undefined }), 'eventId'],
    ['a numeric anonymousId', event({ anonymousId: 42 }), 'anonymousId'],
    ['a non-ISO timestamp', event({ occurredAt: 'yesterday' }), 'occurredAt'],
    ['an unknown top-level field', event({ sneaky: true }), 'sneaky'],
    ['an oversized id', event({ anonymousId: 'x'.repeat(500) }), 'anonymousId'],
    ['whitespace in an id', event({ eventId: 'a b' }), 'eventId'],
    ['a missing per-type field', event({ properties: {} }), 'properties.productId'],
    ['a purchase item with a negative price', event({ type: 'purchase', properties: { orderId: 'o1', value: 1, currency: 'EUR', items: [{ productId: 'p', quantity: 1, price: -3 }] } }), 'properties.items.0.price'],
    ['a lower-case currency', event({ type: 'purchase', properties: { orderId: 'o1', value: 1, currency: 'eur', items: [{ productId: 'p', quantity: 1, price: 1 }] } }), 'properties.currency'],
    ['a rating of 9', event({ type: 'review', properties: { productId: 'p', rating: 9 } }), 'properties.rating'],
  ])('rejects %s, naming the field', (_, input, field) => {
    expect(fields(input)).toContain(field);
  });

  it('rejects timestamps far in the future and ancient ones', () => {
    expect(fields(event({ occurredAt: '2026-11-24T13:00:00Z' }))).toEqual(['occurredAt']);
    expect(fields(event({ occurredAt: '2001-01-01T00:00:00Z' }))).toEqual(['occurredAt']);
    expect(fields(event({ occurredAt: '2026-11-24T12:10:00Z' }))).toEqual([]);
  });

  it.each([null, 'text', 7, [], [event()]])('rejects a non-object %p', (input) => {
    expect(fields(input)).toEqual(['(root)']);
  });

  it('has a property schema for every event type', () => {
    for (const type of EVENT_TYPES) {
      const r = validateTrackedEvent(event({ type, properties: {} }), window);
      // Either valid with no properties, or it names a properties.* field: never crashes.
      if (!r.ok) expect(r.errors.every((e) => e.field.startsWith('properties'))).toBe(true);
    }
  });
});
