import { TOPICS, profileIdFor, shopperKey, type ProfileView } from '@signal/contracts';
import type { Harness } from './harness';

/** A profile as the profile service publishes it; `anonymousId` (or `customerId`) names the shopper. */
export function profileView(storeId: string, who: { anonymousId: string; customerId?: string }, o: Partial<ProfileView> = {}): ProfileView {
  const now = new Date().toISOString();
  return {
    profileId: profileIdFor(storeId, who),
    storeId,
    customerId: who.customerId,
    identities: [{ kind: 'anonymous', value: who.anonymousId }, ...(who.customerId ? [{ kind: 'customer' as const, value: who.customerId }] : [])],
    firstSeenAt: now,
    lastSeenAt: now,
    computedAt: now,
    eventCount: 1,
    counters: {},
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
    ...o,
  };
}

/** Publishes profiles on profiles.changed.v1 as the profile service would. */
export const publishProfiles = (h: Pick<Harness, 'publishRaw'>, profiles: ProfileView[]): Promise<void> =>
  h.publishRaw(
    TOPICS.ProfilesChanged,
    profiles.map((p) => ({ key: shopperKey(p.storeId, p.profileId), value: JSON.stringify(p) })),
  );
