import type { EnrichedEvent, ProfileView } from '@signal/contracts';

export interface Device {
  type: string;
  os?: string;
  browser?: string;
}

export interface Geo {
  country: string;
  region?: string;
  city?: string;
}

/** Device, geo and time zone: what the shopper's most recent activity tells. */
interface Surroundings {
  device: Device | null;
  geo: Geo | null;
  timezone: string | null;
}

/** A shopper profile as the service computes it. Times are epoch milliseconds. */
export interface ProfileState extends Surroundings {
  storeId: string;
  profileId: string;
  /** Set once a customer's event lands here; a profile without one may be merged into a customer's. */
  customerId: string | null;
  firstSeenAt: number;
  lastSeenAt: number;
  eventCount: number;
  /** Events seen, per event type. */
  counters: Record<string, number>;
}

export type IdentityKind = 'anonymous' | 'customer';

export interface Identity {
  kind: IdentityKind;
  value: string;
}

/** A profile before its first event; the first applied event sets its times. */
export function emptyProfile(storeId: string, profileId: string, customerId: string | null): ProfileState {
  return { storeId, profileId, customerId, firstSeenAt: Infinity, lastSeenAt: -Infinity, eventCount: 0, counters: {}, device: null, geo: null, timezone: null };
}

function surroundingsOf(event: EnrichedEvent): Surroundings {
  const { device, geo, timezone } = event.enrichment;
  return {
    device: { type: device.type, ...(device.os ? { os: device.os } : {}), ...(device.browser ? { browser: device.browser } : {}) },
    geo: geo ? { country: geo.country, ...(geo.region ? { region: geo.region } : {}), ...(geo.city ? { city: geo.city } : {}) } : null,
    timezone: timezone ?? null,
  };
}

// The newer activity wins field by field; where it tells nothing (no geo for its IP), what was known stays.
const newerFirst = (newer: Surroundings, older: Surroundings): Surroundings => ({
  device: newer.device ?? older.device,
  geo: newer.geo ?? older.geo,
  timezone: newer.timezone ?? older.timezone,
});

const addCounters = (a: Record<string, number>, b: Record<string, number>): Record<string, number> => {
  const sum = { ...a };
  for (const [type, n] of Object.entries(b)) sum[type] = (sum[type] ?? 0) + n;
  return sum;
};

/** Counts one event into a profile. Order-independent except for surroundings, which follow occurredAt. */
export function applyEvent(profile: ProfileState, event: EnrichedEvent): ProfileState {
  const at = Date.parse(event.occurredAt);
  const seen = surroundingsOf(event);
  return {
    ...profile,
    ...(at >= profile.lastSeenAt ? newerFirst(seen, profile) : newerFirst(profile, seen)),
    customerId: profile.customerId ?? event.customerId ?? null,
    firstSeenAt: Math.min(profile.firstSeenAt, at),
    lastSeenAt: Math.max(profile.lastSeenAt, at),
    eventCount: profile.eventCount + 1,
    counters: addCounters(profile.counters, { [event.type]: 1 }),
  };
}

/** `from` folded into `into`: the result keeps `into`'s ids and holds every event of both. */
export function mergeProfiles(into: ProfileState, from: ProfileState): ProfileState {
  return {
    ...into,
    ...(from.lastSeenAt > into.lastSeenAt ? newerFirst(from, into) : newerFirst(into, from)),
    customerId: into.customerId ?? from.customerId,
    firstSeenAt: Math.min(into.firstSeenAt, from.firstSeenAt),
    lastSeenAt: Math.max(into.lastSeenAt, from.lastSeenAt),
    eventCount: into.eventCount + from.eventCount,
    counters: addCounters(into.counters, from.counters),
  };
}

const IDENTITY_ORDER: Record<IdentityKind, number> = { customer: 0, anonymous: 1 };

export function toView(profile: ProfileState, identities: Identity[]): ProfileView {
  return {
    profileId: profile.profileId,
    storeId: profile.storeId,
    identities: [...identities].sort((a, b) => IDENTITY_ORDER[a.kind] - IDENTITY_ORDER[b.kind] || a.value.localeCompare(b.value)),
    firstSeenAt: new Date(profile.firstSeenAt).toISOString(),
    lastSeenAt: new Date(profile.lastSeenAt).toISOString(),
    eventCount: profile.eventCount,
    counters: profile.counters,
    ...(profile.device ? { device: profile.device } : {}),
    ...(profile.geo ? { geo: profile.geo } : {}),
    ...(profile.timezone ? { timezone: profile.timezone } : {}),
  };
}
