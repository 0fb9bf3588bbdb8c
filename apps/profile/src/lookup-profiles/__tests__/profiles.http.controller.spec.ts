import { BadRequestException, NotFoundException } from '@nestjs/common';
import type { ProfileView } from '@signal/contracts';
import type { SegmentsService } from '../../segments/segments.service';
import type { LookupProfilesService } from '../lookup-profiles.service';
import { ProfilesHttpController } from '../profiles.http.controller';

const view: ProfileView = {
  profileId: 'p1',
  storeId: 's1',
  identities: [{ kind: 'anonymous', value: 'dev-1' }],
  firstSeenAt: '2025-01-01T00:00:00.000Z',
  lastSeenAt: '2025-01-01T00:00:00.000Z',
  computedAt: '2025-01-01T00:00:00.000Z',
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
  segments: [],
};

function controller(found: ProfileView | null = view) {
  const service = { byProfileId: jest.fn().mockResolvedValue(found), byIdentity: jest.fn().mockResolvedValue(found) };
  return { http: new ProfilesHttpController(service as unknown as LookupProfilesService, {} as SegmentsService), service };
}

describe('ProfilesHttpController', () => {
  it('looks a profile up by id, or by exactly one identity', async () => {
    const { http, service } = controller();
    await expect(http.byId('s1', 'p1')).resolves.toBe(view);
    await expect(http.byIdentity('s1', 'dev-1', undefined)).resolves.toBe(view);
    await expect(http.byIdentity('s1', undefined, 'cust-1')).resolves.toBe(view);
    expect(service.byIdentity.mock.calls).toEqual([
      ['s1', { kind: 'anonymous', value: 'dev-1' }],
      ['s1', { kind: 'customer', value: 'cust-1' }],
    ]);
  });

  it('answers 404 for an unknown profile', async () => {
    const { http } = controller(null);
    await expect(http.byId('s1', 'p1')).rejects.toBeInstanceOf(NotFoundException);
    await expect(http.byIdentity('s1', 'dev-1', undefined)).rejects.toBeInstanceOf(NotFoundException);
  });

  it.each([
    ['neither identity', 's1', undefined, undefined],
    ['both identities', 's1', 'a', 'c'],
    ['a repeated parameter', 's1', ['a', 'b'], undefined],
    ['an id with spaces', 's1', 'a b', undefined],
    ['an empty id', 's1', '', undefined],
    ['an overlong id', 's1', 'x'.repeat(129), undefined],
    ['a malformed store', 'Not A Store', 'a', undefined],
  ])('answers 400 for %s without asking the database', async (_what, storeId, anonymousId, customerId) => {
    const { http, service } = controller();
    await expect(http.byIdentity(storeId, anonymousId, customerId)).rejects.toBeInstanceOf(BadRequestException);
    expect(service.byIdentity).not.toHaveBeenCalled();
  });

  it('answers 400 for a malformed profile id', async () => {
    const { http } = controller();
    await expect(http.byId('s1', 'p/1')).rejects.toBeInstanceOf(BadRequestException);
    await expect(http.byId('s1', 'x'.repeat(200))).rejects.toBeInstanceOf(BadRequestException);
  });
});
