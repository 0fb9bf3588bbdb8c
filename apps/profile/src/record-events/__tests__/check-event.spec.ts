import { enrichedEvent } from '../../../test/enriched-event.factory';
import { checkEvent } from '../record-events.service';

describe('checkEvent', () => {
  const good = enrichedEvent({ storeId: 's1', anonymousId: 'dev-1' });

  it('accepts what ingest publishes', () => {
    expect(checkEvent(good)).toEqual({ ok: true, value: good });
  });

  it.each([
    ['null', null, '(root)'],
    ['a string', 'hello', '(root)'],
    ['a missing field', { ...good, eventId: undefined }, 'eventId'],
    ['an unknown type', { ...good, type: 'teleport' }, 'type'],
    ['a profile id that cannot be a key', { ...good, profileId: 'x'.repeat(129) }, 'profileId'],
    ['a profile id with spaces', { ...good, profileId: 'a b' }, 'profileId'],
  ])('rejects %s, naming the field', (_what, value, field) => {
    const checked = checkEvent(value);
    expect(checked.ok).toBe(false);
    if (!checked.ok) expect(checked.errors.map((e) => e.field)).toContain(field);
  });
});
