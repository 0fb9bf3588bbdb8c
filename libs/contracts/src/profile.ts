import { Type, type Static } from '@sinclair/typebox';
import { EVENT_TYPES } from './events';

const Stage = Type.Union(
  ['new_visitor', 'browsing', 'engaged', 'subscribed', 'first_time_buyer', 'repeat_buyer', 'loyal', 'lapsed'].map((s) => Type.Literal(s)),
  { description: 'Lifecycle stage, recomputed on each event and when time alone changes it (a buyer lapsing).' },
);
const Scored = Type.Array(Type.Object({ value: Type.String(), score: Type.Number() }), { description: 'Strongest first; scores decay with the store half-life.' });
const Trait = Type.Union([Type.String(), Type.Number(), Type.Boolean(), Type.Array(Type.String())]);
const Time = Type.String({ format: 'date-time' });

/**
 * The shopper profile as the profile service serves it (`GET /v1/profiles/:id`) and publishes it
 * on `profiles.changed.v1`. Affinity scores are as of `computedAt`.
 */
export const ProfileView = Type.Object(
  {
    profileId: Type.String(),
    storeId: Type.String(),
    customerId: Type.Optional(Type.String()),
    email: Type.Optional(Type.String({ description: 'Latest e-mail address given.' })),
    identities: Type.Array(Type.Object({ kind: Type.Union([Type.Literal('anonymous'), Type.Literal('customer')]), value: Type.String() })),
    firstSeenAt: Time,
    lastSeenAt: Time,
    computedAt: Time,
    eventCount: Type.Integer(),
    counters: Type.Record(Type.String(), Type.Integer(), { description: 'Events seen, per event type.' }),
    stage: Stage,
    traits: Type.Record(Type.String(), Trait, { description: 'Explicit traits: declared preferences and quiz answers (`quiz.<quizId>.<questionId>`).' }),
    affinities: Type.Object({ brand: Scored, category: Scored, priceBand: Scored, color: Scored, size: Scored }),
    orders: Type.Object({
      count: Type.Integer(),
      revenue: Type.Number(),
      averageOrderValue: Type.Optional(Type.Number()),
      withDiscount: Type.Integer(),
      firstAt: Type.Optional(Time),
      lastAt: Type.Optional(Time),
    }),
    rfm: Type.Object(
      { recencyDays: Type.Optional(Type.Number()), frequency: Type.Integer(), monetary: Type.Number() },
      { description: 'Recency (days since the last order), frequency (orders) and monetary value (revenue).' },
    ),
    discountSensitivity: Type.Object({
      orderShare: Type.Optional(Type.Number({ description: 'Share of orders that used a discount.' })),
      offerResponseRate: Type.Optional(Type.Number({ description: 'Campaign clicks per campaign open.' })),
    }),
    consent: Type.Object(
      { email: Type.Optional(Type.Boolean()), push: Type.Optional(Type.Boolean()), sms: Type.Optional(Type.Boolean()), personalization: Type.Optional(Type.Boolean()) },
      { description: 'Latest statement per channel; absent when never stated. Personalization withdrawn: no affinities, history or segments.' },
    ),
    purchased: Type.Array(Type.Object({ productId: Type.String(), at: Time }), { description: 'Newest first.' }),
    hearted: Type.Array(Type.Object({ productId: Type.String(), at: Time }), { description: 'Newest first.' }),
    segments: Type.Array(Type.String(), { description: 'Ids of the segments the shopper is in.' }),
    device: Type.Optional(Type.Object({ type: Type.String(), os: Type.Optional(Type.String()), browser: Type.Optional(Type.String()) })),
    geo: Type.Optional(Type.Object({ country: Type.String(), region: Type.Optional(Type.String()), city: Type.Optional(Type.String()) })),
    timezone: Type.Optional(Type.String()),
  },
  { $id: 'ProfileView' },
);
export type ProfileView = Static<typeof ProfileView>;

/** `segments.membership.v1`: a shopper entered or left a segment. */
export const SegmentMembershipChange = Type.Object(
  {
    changeId: Type.String({ description: 'Unique per change; the same change re-sent after a failure keeps it, so consumers can drop repeats.' }),
    storeId: Type.String(),
    profileId: Type.String(),
    segmentId: Type.String(),
    segmentVersion: Type.Integer({ description: 'Version of the definition that decided.' }),
    change: Type.Union([Type.Literal('entered'), Type.Literal('exited')]),
    because: Type.String({ description: 'The rule that decided, with what it saw.' }),
    trigger: Type.Union(
      [Type.Literal('event'), Type.Literal('time'), Type.Literal('definition'), Type.Literal('merge'), Type.Literal('consent'), Type.Literal('erasure'), Type.Literal('segment_deleted')],
      { description: 'What made it change: a new event, the passing of time, a new or edited segment, a merge of profiles, consent, an erasure, or the segment being deleted.' },
    ),
    eventId: Type.Optional(Type.String({ description: 'The event that caused it, when one did.' })),
    eventType: Type.Optional(Type.Union(EVENT_TYPES.map((t) => Type.Literal(t)))),
    occurredAt: Type.String({ format: 'date-time', description: 'When the membership changed (evaluation time).' }),
  },
  { $id: 'SegmentMembershipChange', additionalProperties: false },
);
export type SegmentMembershipChange = Static<typeof SegmentMembershipChange>;

/** `privacy.erasures.v1`: everything about these identities must go. */
export const PrivacyErasure = Type.Object(
  {
    erasureId: Type.String(),
    storeId: Type.String(),
    profileId: Type.String(),
    identities: Type.Array(Type.Object({ kind: Type.Union([Type.Literal('anonymous'), Type.Literal('customer')]), value: Type.String() })),
    requestedAt: Type.String({ format: 'date-time' }),
  },
  { $id: 'PrivacyErasure', additionalProperties: false },
);
export type PrivacyErasure = Static<typeof PrivacyErasure>;
