import { profileIdFor, type EnrichedEvent } from '@signal/contracts';
import { enrichedEvent, type EventInput } from '../../../test/enriched-event.factory';
import { applyContext } from '../../../test/apply-context';
import { applyEvent, emptyProfile, type ProfileState } from '../../profiles/profile-state';
import { InconsistentReadError, identityKey, planBatch, profileKey, type Known } from '../stitch';

const S = 's1';
const ANON = profileIdFor(S, { anonymousId: 'dev-1' });
const CUST = profileIdFor(S, { customerId: 'cust-1', anonymousId: 'dev-1' });
const event = (o: Partial<EventInput> = {}): EnrichedEvent => enrichedEvent({ storeId: S, anonymousId: 'dev-1', ...o });
const identify = (o: Partial<EventInput> = {}) => event({ type: 'identify', customerId: 'cust-1', ...o });

const ctx = applyContext();
const planOf = (events: EnrichedEvent[], k: Known) => planBatch(events, k, () => ctx);
const nothingKnown: Known = { profiles: new Map(), owners: new Map(), mergedInto: new Map() };

/** A stored profile that already counted `events`, owning the given identities. */
function stored(profileId: string, events: EnrichedEvent[], identities: [kind: 'anonymous' | 'customer', value: string][], customerId: string | null = null) {
  const profile: ProfileState = events.reduce((p, e) => applyEvent(p, e, ctx), emptyProfile(S, profileId, customerId));
  return {
    profiles: [[profileKey(S, profileId), profile]] as [string, ProfileState][],
    owners: identities.map(([kind, value]) => [identityKey(S, kind, value), profileId] as [string, string]),
  };
}
const known = (...parts: ReturnType<typeof stored>[]): Known => ({
  profiles: new Map(parts.flatMap((p) => p.profiles)),
  owners: new Map(parts.flatMap((p) => p.owners)),
  mergedInto: new Map(),
});

describe('planBatch', () => {
  it('starts a profile for a new shopper and claims the device', () => {
    const plan = planOf([event(), event({ type: 'product_view' })], nothingKnown);
    expect(plan.created).toHaveLength(1);
    expect(plan.created[0]).toMatchObject({ profileId: ANON, eventCount: 2, counters: { page_view: 1, product_view: 1 }, customerId: null });
    expect(plan.claims).toEqual([{ storeId: S, kind: 'anonymous', value: 'dev-1', profileId: ANON, from: null }]);
    expect(plan).toMatchObject({ updated: [], deleted: [], merges: [], repointed: [] });
  });

  it('adds to a stored profile without claiming what it owns', () => {
    const plan = planOf([event({ type: 'search' })], known(stored(ANON, [event()], [['anonymous', 'dev-1']])));
    expect(plan.created).toEqual([]);
    expect(plan.updated).toEqual([expect.objectContaining({ profileId: ANON, eventCount: 2, counters: { page_view: 1, search: 1 } })]);
    expect(plan.claims).toEqual([]);
  });

  it('merges the stored anonymous profile of the device into the customer who identifies on it', () => {
    const before = [event({ occurredAt: '2025-01-01T00:00:00Z' }), event({ type: 'add_to_cart', occurredAt: '2025-01-02T00:00:00Z' })];
    const plan = planOf([identify({ occurredAt: '2025-01-03T00:00:00Z' })], known(stored(ANON, before, [['anonymous', 'dev-1']])));

    expect(plan.created).toEqual([expect.objectContaining({ profileId: CUST, customerId: 'cust-1', eventCount: 3, counters: { page_view: 1, add_to_cart: 1, identify: 1 } })]);
    expect(plan.created[0].firstSeenAt).toBe(Date.parse('2025-01-01T00:00:00Z'));
    expect(plan.deleted).toEqual([{ storeId: S, profileId: ANON }]);
    expect(plan.repointed).toEqual([{ storeId: S, fromProfileId: ANON, intoProfileId: CUST }]);
    expect(plan.merges).toEqual([{ storeId: S, mergedProfileId: ANON, intoProfileId: CUST }]);
    expect(plan.claims).toEqual([{ storeId: S, kind: 'customer', value: 'cust-1', profileId: CUST, from: null }]);
  });

  it('merges a profile started earlier in the same batch without ever writing it', () => {
    const plan = planOf([event(), event(), identify(), event({ profileId: CUST })], nothingKnown);
    expect(plan.created).toEqual([expect.objectContaining({ profileId: CUST, eventCount: 4 })]);
    expect(plan.deleted).toEqual([]);
    expect(plan.repointed).toEqual([]);
    expect(plan.merges).toEqual([{ storeId: S, mergedProfileId: ANON, intoProfileId: CUST }]);
    expect(plan.claims).toEqual(
      expect.arrayContaining([
        { storeId: S, kind: 'anonymous', value: 'dev-1', profileId: CUST, from: null },
        { storeId: S, kind: 'customer', value: 'cust-1', profileId: CUST, from: null },
      ]),
    );
    expect(plan.claims).toHaveLength(2);
  });

  it('applies a late event for a merged-away profile id to the profile it was merged into', () => {
    const customer = stored(CUST, [identify()], [['anonymous', 'dev-1'], ['customer', 'cust-1']], 'cust-1');
    const plan = planOf([event({ profileId: ANON, type: 'favorite' })], { ...known(customer), mergedInto: new Map([[profileKey(S, ANON), CUST]]) });
    expect(plan.created).toEqual([]);
    expect(plan.updated).toEqual([expect.objectContaining({ profileId: CUST, eventCount: 2, counters: { identify: 1, favorite: 1 } })]);
  });

  it("lets a device's stray anonymous event join the customer it is stitched to instead of starting a profile", () => {
    const customer = stored(CUST, [identify()], [['anonymous', 'dev-1'], ['customer', 'cust-1']], 'cust-1');
    const plan = planOf([event({ profileId: ANON })], known(customer));
    expect(plan.created).toEqual([]);
    expect(plan.updated).toEqual([expect.objectContaining({ profileId: CUST, eventCount: 2 })]);
  });

  it('never merges two customers: a shared device changes hands on an identifying event only', () => {
    const other = profileIdFor(S, { customerId: 'cust-2', anonymousId: 'dev-1' });
    const first = stored(CUST, [identify()], [['anonymous', 'dev-1'], ['customer', 'cust-1']], 'cust-1');
    const browsing = planOf([event({ customerId: 'cust-2', profileId: other })], known(first));
    expect(browsing.merges).toEqual([]);
    expect(browsing.claims).toEqual([{ storeId: S, kind: 'customer', value: 'cust-2', profileId: other, from: null }]);

    const login = planOf([identify({ customerId: 'cust-2', profileId: other })], known(first));
    expect(login.merges).toEqual([]);
    expect(login.claims).toContainEqual({ storeId: S, kind: 'anonymous', value: 'dev-1', profileId: other, from: CUST });
  });

  it('keeps stores apart', () => {
    const plan = planOf([event(), event({ storeId: 's2', profileId: ANON })], nothingKnown);
    expect(plan.created.map((p) => p.storeId).sort()).toEqual(['s1', 's2']);
  });

  it('refuses to plan on an owner it was not given', () => {
    const owners = new Map([[identityKey(S, 'anonymous', 'dev-1'), ANON]]);
    expect(() => planOf([identify()], { ...nothingKnown, owners })).toThrow(InconsistentReadError);
  });
});
