import { EVENT_TYPES, type EventType } from '@signal/contracts';
import type { ConsentChannel, ProfileState } from '../../profiles/profile-state';
import type { StoreSettings } from '../../settings/store-settings';
import type { EvaluationContext } from './context';
import { DAY } from './node';
import { PROFILE_FIELDS, type Field, type ProfileField } from './schema';

export type FieldValue = string | number | boolean | readonly string[];
/** What a field holds, which decides the ops and values a rule may use with it. */
export type FieldKind = 'number' | 'text' | 'boolean' | 'stage';

export interface FieldDef {
  kind: FieldKind;
  /** The value at ctx.now; undefined when the profile has none. */
  read(ctx: EvaluationContext, settings: StoreSettings): FieldValue | undefined;
  /** Whole-day fields: the time counted from; the value grows by one every 24 h from it. */
  since?: (p: ProfileState) => number | null;
}

const number = (read: (p: ProfileState) => number | undefined): FieldDef => ({ kind: 'number', read: (ctx) => read(ctx.profile) });
const text = (read: (p: ProfileState) => string | null | undefined): FieldDef => ({ kind: 'text', read: (ctx) => read(ctx.profile) ?? undefined });
const boolean = (read: (p: ProfileState) => boolean | undefined): FieldDef => ({ kind: 'boolean', read: (ctx) => read(ctx.profile) });
const consent = (channel: ConsentChannel) => boolean((p) => p.consent[channel]?.value);
const ratio = (part: number, whole: number): number | undefined => (whole > 0 ? part / whole : undefined);

// Whole days, so `eq 30` means "during the 30th day" and crossings fall on exact instants.
function daysSince(since: (p: ProfileState) => number | null): FieldDef {
  return {
    kind: 'number',
    since,
    read: (ctx) => {
      const t = since(ctx.profile);
      return t === null ? undefined : Math.floor((ctx.now - t) / DAY);
    },
  };
}
const seen = (t: number): number | null => (Number.isFinite(t) ? t : null);

const PROFILE_FIELD_DEFS: Record<ProfileField, FieldDef> = {
  stage: { kind: 'stage', read: (ctx, s) => ctx.stage(s.stages).stage },
  eventCount: number((p) => p.eventCount),
  'orders.count': number((p) => p.orders.count),
  'orders.revenue': number((p) => p.orders.revenue),
  'orders.aov': number((p) => ratio(p.orders.revenue, p.orders.count)),
  'orders.daysSinceLast': daysSince((p) => (p.orders.count > 0 ? p.orders.lastAt : null)),
  discountSensitivity: number((p) => ratio(p.orders.withDiscount, p.orders.count)),
  offerResponseRate: number((p) => ratio(p.counters['campaign_click'] ?? 0, p.counters['campaign_open'] ?? 0)),
  daysSinceFirstSeen: daysSince((p) => seen(p.firstSeenAt)),
  daysSinceLastSeen: daysSince((p) => seen(p.lastSeenAt)),
  country: text((p) => p.geo?.country),
  region: text((p) => p.geo?.region),
  city: text((p) => p.geo?.city),
  timezone: text((p) => p.timezone),
  deviceType: text((p) => p.device?.type),
  customer: boolean((p) => p.customerId != null),
  hasEmail: boolean((p) => p.email != null && p.email.value !== ''),
  'consent.email': consent('email'),
  'consent.push': consent('push'),
  'consent.sms': consent('sms'),
  'consent.personalization': consent('personalization'),
};

const COUNTERS = 'counters.';
const isEventType = (t: string): t is EventType => (EVENT_TYPES as readonly string[]).includes(t);
const isProfileField = (f: string): f is ProfileField => (PROFILE_FIELDS as readonly string[]).includes(f);

export const isField = (f: string): f is Field => isProfileField(f) || (f.startsWith(COUNTERS) && isEventType(f.slice(COUNTERS.length)));

/** The event type a `counters.<type>` field counts, or null for other fields. */
export const counterType = (f: Field): EventType | null => (f.startsWith(COUNTERS) ? (f.slice(COUNTERS.length) as EventType) : null);

export function fieldDef(f: Field): FieldDef {
  const type = counterType(f);
  return type === null ? PROFILE_FIELD_DEFS[f as ProfileField] : number((p) => p.counters[type] ?? 0);
}
