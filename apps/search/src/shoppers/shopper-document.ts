import { profileIdFor, type PrivacyErasure, type ProfileView } from '@signal/contracts';
import type { ShopperDoc } from '../indices/documents';

/** Brands and categories kept per shopper: the strongest. */
export const MAX_AFFINITIES = 10;

export type Identity = { kind: 'anonymous' | 'customer'; value: string };

/** `anonymous:<id>` / `customer:<id>`, as ShopperDoc.identities holds them. */
export const identityTerm = (i: Identity): string => `${i.kind}:${i.value}`;

const top = (scored: readonly { value: string; score: number }[]): { value: string; score: number }[] =>
  scored
    .filter((s) => typeof s.value === 'string' && s.value !== '' && Number.isFinite(s.score) && s.score > 0)
    .sort((a, b) => b.score - a.score)
    .slice(0, MAX_AFFINITIES)
    .map(({ value, score }) => ({ value, score }));

/** What search keeps of a profile: who it is (identities) and what they like (brands, categories). */
export function shopperDocument(p: ProfileView): ShopperDoc {
  const identities = new Set(p.identities.map(identityTerm));
  if (p.customerId) identities.add(identityTerm({ kind: 'customer', value: p.customerId }));
  return {
    storeId: p.storeId,
    profileId: p.profileId,
    identities: [...identities],
    brands: top(p.affinities.brand),
    categories: top(p.affinities.category),
    computedAt: new Date(p.computedAt).toISOString(),
  };
}

/** Replaces the shopper unless what is stored was computed later (a late, older profile). */
export const UPSERT_SHOPPER_SCRIPT = `
if (ctx._source.computedAt != null && ctx._source.computedAt.compareTo(params.doc.computedAt) > 0) { ctx.op = 'noop'; return; }
ctx._source.clear();
ctx._source.putAll(params.doc);
`;

/** Every profile id an erased person may have had events under: theirs, and one per identity. */
export function erasedProfileIds(e: PrivacyErasure): string[] {
  const ids = new Set([e.profileId]);
  for (const i of e.identities) ids.add(profileIdFor(e.storeId, i.kind === 'customer' ? { customerId: i.value, anonymousId: '' } : { anonymousId: i.value }));
  return [...ids];
}

/** `storeId:profileId` → its parts, or null. */
export function splitShopperKey(key: string | null): { storeId: string; profileId: string } | null {
  const at = key?.indexOf(':') ?? -1;
  if (!key || at <= 0 || at === key.length - 1) return null;
  return { storeId: key.slice(0, at), profileId: key.slice(at + 1) };
}
