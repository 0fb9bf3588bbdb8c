import { IDENTIFYING_EVENT_TYPES, type EnrichedEvent, type EventType } from '@signal/contracts';
import { applyEventDescribed, emptyProfile, mergeProfiles, type ApplyContext, type HistoryEntry, type IdentityKind, type ProfileState } from '../profiles/profile-state';

export const profileKey = (storeId: string, profileId: string): string => `${storeId}\u0000${profileId}`;
export const identityKey = (storeId: string, kind: IdentityKind, value: string): string => `${storeId}\u0000${kind}\u0000${value}`;

/** What the database holds about a batch's shoppers, read while their profile rows are locked. */
export interface Known {
  /** Existing profiles, by profileKey. */
  profiles: ReadonlyMap<string, ProfileState>;
  /** The profile id owning each identity of the batch, by identityKey. */
  owners: ReadonlyMap<string, string>;
  /** Where a merged-away profile id of the batch lives on now, by profileKey. */
  mergedInto: ReadonlyMap<string, string>;
}

export interface IdentityClaim {
  storeId: string;
  kind: IdentityKind;
  value: string;
  profileId: string;
  /** The customer profile it is taken from (a device changing hands), or null when it was unowned. */
  from: string | null;
}

export interface Merge {
  storeId: string;
  mergedProfileId: string;
  intoProfileId: string;
}

export interface ProfileRef {
  storeId: string;
  profileId: string;
}

/** The writes one batch needs, in the order they can be applied. */
export interface BatchPlan {
  created: ProfileState[];
  updated: ProfileState[];
  /** Every identity of a merged-away profile moves to the surviving one. */
  repointed: { storeId: string; fromProfileId: string; intoProfileId: string }[];
  claims: IdentityClaim[];
  /** Merged-away profiles that exist in the database. */
  deleted: ProfileRef[];
  merges: Merge[];
  /** The last event applied to each surviving profile, by profileKey: what caused its changes. */
  lastEvent: Map<string, EnrichedEvent>;
  /** What the batch added to each surviving profile, by profileKey; `all` when it is new or took a merge. */
  changedBy: Map<string, ChangedBy | 'all'>;
}

/** The event types applied to a profile and the history entries they added: which segments they can change. */
export interface ChangedBy {
  types: Set<EventType>;
  entries: HistoryEntry[];
}

/** Thrown when the database changed under a plan in a way the locks could not prevent; the batch is retried. */
export class InconsistentReadError extends Error {
  constructor(message: string) {
    super(message);
    this.name = 'InconsistentReadError';
  }
}

/**
 * Stitches and counts a batch of new events, in order, against what is known:
 * - an event counts on its profile, or on the profile that profile was merged into;
 * - a customer's event whose device belongs to an anonymous profile merges that profile in;
 * - on an identifying event a device owned by another customer changes hands (shared devices);
 * - an anonymous event for a device already stitched to someone joins that profile instead of starting one.
 */
export function planBatch(events: readonly EnrichedEvent[], known: Known, contextFor: (storeId: string) => ApplyContext): BatchPlan {
  const profiles = new Map(known.profiles);
  const owners = new Map(known.owners);
  const mergedInto = new Map(known.mergedInto);
  const created = new Set<string>();
  const touched = new Set<string>();
  const claims = new Map<string, IdentityClaim>();
  const deleted: ProfileRef[] = [];
  const repointed: BatchPlan['repointed'] = [];
  const merges: Merge[] = [];
  const lastEvent = new Map<string, EnrichedEvent>();
  const changedBy = new Map<string, ChangedBy | 'all'>();
  const changed = (key: string, by: { type: EventType; entries: HistoryEntry[] } | 'all') => {
    const now = changedBy.get(key);
    if (by === 'all' || now === 'all') changedBy.set(key, 'all');
    else if (now === undefined) changedBy.set(key, { types: new Set([by.type]), entries: by.entries });
    else {
      now.types.add(by.type);
      now.entries.push(...by.entries);
    }
  };

  const profile = (key: string): ProfileState => {
    const p = profiles.get(key);
    if (!p) throw new InconsistentReadError(`profile ${key.replace('\u0000', ':')} was expected but not loaded`);
    return p;
  };
  const resolve = (storeId: string, profileId: string): string => {
    let id = profileId;
    for (let hops = 0; hops < 32; hops++) {
      const next = mergedInto.get(profileKey(storeId, id));
      if (next === undefined || next === id) break;
      id = next;
    }
    return id;
  };
  const claim = (storeId: string, kind: IdentityKind, value: string, profileId: string, from: string | null) => {
    const key = identityKey(storeId, kind, value);
    owners.set(key, profileId);
    // The database only ever sees the final owner; what it must expect is the owner before the batch.
    claims.set(key, { storeId, kind, value, profileId, from: claims.get(key)?.from ?? from });
  };
  const merge = (storeId: string, fromId: string, intoId: string) => {
    const fromKey = profileKey(storeId, fromId);
    const intoKey = profileKey(storeId, intoId);
    profiles.set(intoKey, mergeProfiles(profile(intoKey), profile(fromKey), contextFor(storeId).settings));
    profiles.delete(fromKey);
    touched.delete(fromKey);
    lastEvent.delete(fromKey);
    changedBy.delete(fromKey);
    changed(intoKey, 'all');
    mergedInto.set(fromKey, intoId);
    merges.push({ storeId, mergedProfileId: fromId, intoProfileId: intoId });
    if (!created.delete(fromKey)) {
      deleted.push({ storeId, profileId: fromId });
      repointed.push({ storeId, fromProfileId: fromId, intoProfileId: intoId });
    }
    for (const [key, owner] of owners) if (owner === fromId && key.startsWith(`${storeId}\u0000`)) owners.set(key, intoId);
    for (const c of claims.values()) if (c.storeId === storeId && c.profileId === fromId) c.profileId = intoId;
  };

  for (const event of events) {
    const { storeId, customerId } = event;
    const device = identityKey(storeId, 'anonymous', event.anonymousId);
    let target = resolve(storeId, event.profileId);
    if (!profiles.has(profileKey(storeId, target))) {
      const deviceOwner = owners.get(device);
      if (!customerId && deviceOwner !== undefined) {
        target = deviceOwner;
      } else {
        profiles.set(profileKey(storeId, target), emptyProfile(storeId, target, customerId ?? null));
        created.add(profileKey(storeId, target));
        changed(profileKey(storeId, target), 'all');
      }
    }

    if (customerId && !owners.has(identityKey(storeId, 'customer', customerId))) claim(storeId, 'customer', customerId, target, null);
    const deviceOwner = owners.get(device);
    if (deviceOwner === undefined) {
      claim(storeId, 'anonymous', event.anonymousId, target, null);
    } else if (deviceOwner !== target && customerId) {
      if (profile(profileKey(storeId, deviceOwner)).customerId === null) merge(storeId, deviceOwner, target);
      else if (IDENTIFYING_EVENT_TYPES.includes(event.type)) claim(storeId, 'anonymous', event.anonymousId, target, deviceOwner);
    }

    const targetKey = profileKey(storeId, target);
    const applied = applyEventDescribed(profile(targetKey), event, contextFor(storeId));
    profiles.set(targetKey, applied.profile);
    touched.add(targetKey);
    lastEvent.set(targetKey, event);
    changed(targetKey, { type: event.type, entries: applied.entries });
  }

  return {
    created: [...created].map(profile),
    updated: [...touched].filter((key) => !created.has(key)).map(profile),
    repointed: repointed.map((r) => ({ ...r, intoProfileId: resolve(r.storeId, r.intoProfileId) })),
    claims: [...claims.values()],
    deleted,
    merges,
    lastEvent,
    changedBy,
  };
}
