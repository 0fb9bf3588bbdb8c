import { Type, type Static } from '@sinclair/typebox';

/** `GET /v1/profiles/:id`: the shopper profile as the profile service serves it. */
export const ProfileView = Type.Object(
  {
    profileId: Type.String(),
    storeId: Type.String(),
    identities: Type.Array(Type.Object({ kind: Type.Union([Type.Literal('anonymous'), Type.Literal('customer')]), value: Type.String() })),
    firstSeenAt: Type.String({ format: 'date-time' }),
    lastSeenAt: Type.String({ format: 'date-time' }),
    eventCount: Type.Integer(),
    counters: Type.Record(Type.String(), Type.Integer(), { description: 'Events seen, per event type.' }),
    device: Type.Optional(Type.Object({ type: Type.String(), os: Type.Optional(Type.String()), browser: Type.Optional(Type.String()) })),
    geo: Type.Optional(Type.Object({ country: Type.String(), region: Type.Optional(Type.String()), city: Type.Optional(Type.String()) })),
    timezone: Type.Optional(Type.String()),
  },
  { $id: 'ProfileView' },
);
export type ProfileView = Static<typeof ProfileView>;
