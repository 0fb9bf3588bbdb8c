import { profileIdFor, type ProfileView } from '@signal/contracts';
import { MAX_AFFINITIES, erasedProfileIds, shopperDocument, splitShopperKey } from '../shopper-document';

const view = (o: Partial<ProfileView> = {}): ProfileView => ({
  profileId: 'p1',
  storeId: 'shop',
  identities: [
    { kind: 'anonymous', value: 'dev-1' },
    { kind: 'customer', value: 'c-1' },
  ],
  firstSeenAt: '2026-01-01T00:00:00Z',
  lastSeenAt: '2026-01-02T00:00:00Z',
  computedAt: '2026-01-02T00:00:00+01:00',
  eventCount: 3,
  counters: {},
  stage: 'browsing',
  traits: {},
  affinities: {
    brand: Array.from({ length: 15 }, (_, i) => ({ value: `b${i}`, score: i + 1 })),
    category: [
      { value: 'home > rugs', score: 2 },
      { value: 'bad', score: Number.NaN },
      { value: 'zero', score: 0 },
    ],
    priceBand: [],
    color: [],
    size: [],
  },
  orders: { count: 0, revenue: 0, withDiscount: 0 },
  rfm: { frequency: 0, monetary: 0 },
  discountSensitivity: {},
  consent: {},
  purchased: [],
  hearted: [],
  segments: [],
  ...o,
});

describe('shopperDocument', () => {
  it('keeps identities and the strongest brands and categories', () => {
    const doc = shopperDocument(view({ customerId: 'c-2' }));
    expect(doc.identities).toEqual(['anonymous:dev-1', 'customer:c-1', 'customer:c-2']);
    expect(doc.brands).toHaveLength(MAX_AFFINITIES);
    expect(doc.brands[0]).toEqual({ value: 'b14', score: 15 });
    expect(doc.categories).toEqual([{ value: 'home > rugs', score: 2 }]);
    expect(doc.computedAt).toBe('2026-01-01T23:00:00.000Z');
  });

  it('names every profile an erased person may have events under', () => {
    const ids = erasedProfileIds({ erasureId: 'e', storeId: 'shop', profileId: 'p1', identities: [{ kind: 'anonymous', value: 'dev-1' }, { kind: 'customer', value: 'c-1' }], requestedAt: '2026-01-01T00:00:00Z' });
    expect(ids).toEqual(['p1', profileIdFor('shop', { anonymousId: 'dev-1' }), profileIdFor('shop', { customerId: 'c-1', anonymousId: '' })]);
  });

  it('splits message keys', () => {
    expect(splitShopperKey('shop:abc')).toEqual({ storeId: 'shop', profileId: 'abc' });
    expect(splitShopperKey(null)).toBeNull();
    expect(splitShopperKey(':abc')).toBeNull();
    expect(splitShopperKey('shop:')).toBeNull();
  });
});
