import type { EnrichedEvent, EventType } from '@signal/contracts';
import { enrichedEvent } from '../../../test/enriched-event.factory';
import { applyContext } from '../../../test/apply-context';
import { DEFAULT_SETTINGS } from '../../settings/store-settings';
import { applyEvent, emptyProfile, mergeProfiles, toView, type ProfileState } from '../profile-state';

type Enrichment = EnrichedEvent['enrichment'];
const at = (iso: string) => Date.parse(iso);
const event = (type: EventType, occurredAt: string, enrichment: Enrichment = { device: { type: 'desktop' } }) =>
  enrichedEvent({ storeId: 's1', anonymousId: 'a1', type, occurredAt, enrichment });

const ctx = applyContext();
const fold = (events: EnrichedEvent[]): ProfileState => events.reduce((p, e) => applyEvent(p, e, ctx), emptyProfile('s1', 'p1', null));

describe('applyEvent', () => {
  it('counts events per type and keeps the first and last time seen', () => {
    const p = fold([event('page_view', '2025-01-02T00:00:00Z'), event('product_view', '2025-01-01T00:00:00Z'), event('page_view', '2025-01-03T00:00:00Z')]);
    expect(p.eventCount).toBe(3);
    expect(p.counters).toEqual({ page_view: 2, product_view: 1 });
    expect(p.firstSeenAt).toBe(at('2025-01-01T00:00:00Z'));
    expect(p.lastSeenAt).toBe(at('2025-01-03T00:00:00Z'));
  });

  it('takes the surroundings of the latest event, whatever the arrival order', () => {
    const mobile = event('page_view', '2025-01-02T00:00:00Z', { device: { type: 'mobile' }, geo: { country: 'FR', city: 'Lyon' }, timezone: 'Europe/Paris' });
    const desktop = event('page_view', '2025-01-01T00:00:00Z', { device: { type: 'desktop' }, geo: { country: 'GB' }, timezone: 'Europe/London' });
    for (const order of [[mobile, desktop], [desktop, mobile]]) {
      const p = fold(order);
      expect(p.device).toEqual({ type: 'mobile' });
      expect(p.geo).toEqual({ country: 'FR', city: 'Lyon' });
      expect(p.timezone).toBe('Europe/Paris');
    }
  });

  it('keeps what was known when the latest event tells nothing about it, and lets older events fill gaps', () => {
    const withGeo = event('page_view', '2025-01-01T00:00:00Z', { device: { type: 'desktop' }, geo: { country: 'DE' } });
    const withoutGeo = event('page_view', '2025-01-02T00:00:00Z');
    expect(fold([withGeo, withoutGeo]).geo).toEqual({ country: 'DE' });
    expect(fold([withoutGeo, withGeo]).geo).toEqual({ country: 'DE' });
  });

  it('marks the profile as a customer once a customer event lands in it', () => {
    const p = applyEvent(emptyProfile('s1', 'p1', null), enrichedEvent({ storeId: 's1', anonymousId: 'a1', customerId: 'c1' }), ctx);
    expect(p.customerId).toBe('c1');
  });
});

describe('mergeProfiles', () => {
  it('adds counts and counters, widens the seen window and keeps the surviving ids', () => {
    const customer = { ...fold([event('purchase', '2025-01-05T00:00:00Z')]), profileId: 'cust', customerId: 'c1' };
    const anonymous = fold([
      event('page_view', '2025-01-01T00:00:00Z'),
      event('product_view', '2025-01-02T00:00:00Z', { device: { type: 'mobile' } }),
      event('purchase', '2025-01-03T00:00:00Z'),
    ]);
    const merged = mergeProfiles(customer, anonymous, DEFAULT_SETTINGS);
    expect(merged).toMatchObject({ profileId: 'cust', customerId: 'c1', eventCount: 4, counters: { purchase: 2, page_view: 1, product_view: 1 } });
    expect(merged.firstSeenAt).toBe(at('2025-01-01T00:00:00Z'));
    expect(merged.lastSeenAt).toBe(at('2025-01-05T00:00:00Z'));
    expect(merged.device).toEqual({ type: 'desktop' });
  });

  it('takes the surroundings of whichever profile was seen last', () => {
    const older = { ...fold([event('page_view', '2025-01-01T00:00:00Z')]), profileId: 'cust', customerId: 'c1' };
    const newer = fold([event('page_view', '2025-01-09T00:00:00Z', { device: { type: 'tablet' } })]);
    expect(mergeProfiles(older, newer, DEFAULT_SETTINGS).device).toEqual({ type: 'tablet' });
  });
});

describe('toView', () => {
  it('serves ISO times, customer identities first, and leaves out what is unknown', () => {
    const p = { ...fold([event('page_view', '2025-01-01T00:00:00Z')]), device: null };
    const view = toView(
      p,
      [
        { kind: 'anonymous', value: 'b' },
        { kind: 'customer', value: 'c' },
        { kind: 'anonymous', value: 'a' },
      ],
      ['vip', 'browsers'],
      at('2025-01-02T00:00:00Z'),
      DEFAULT_SETTINGS,
    );
    expect(view).toEqual({
      profileId: 'p1',
      storeId: 's1',
      identities: [
        { kind: 'customer', value: 'c' },
        { kind: 'anonymous', value: 'a' },
        { kind: 'anonymous', value: 'b' },
      ],
      firstSeenAt: '2025-01-01T00:00:00.000Z',
      lastSeenAt: '2025-01-01T00:00:00.000Z',
      computedAt: '2025-01-02T00:00:00.000Z',
      eventCount: 1,
      counters: { page_view: 1 },
      stage: 'new_visitor',
      traits: {},
      affinities: { brand: [], category: [], priceBand: [], color: [], size: [] },
      orders: { count: 0, revenue: 0, withDiscount: 0 },
      rfm: { frequency: 0, monetary: 0 },
      discountSensitivity: {},
      consent: {},
      purchased: [],
      hearted: [],
      segments: ['browsers', 'vip'],
    });
  });
});
