import { Type, type Static } from '@sinclair/typebox';

/** `events.dlq.v1`: what a consumer could not process, and why. */
export const DeadLetter = Type.Object(
  {
    reason: Type.String({ description: 'Short machine-readable reason, e.g. invalid_event, malformed_json, processing_failed.' }),
    errors: Type.Array(Type.Object({ field: Type.String(), message: Type.String() }), { description: 'Details, field by field when known.' }),
    sourceTopic: Type.String(),
    partition: Type.Integer(),
    offset: Type.String(),
    consumerGroup: Type.String(),
    attempts: Type.Integer({ description: 'How many times processing was tried.' }),
    key: Type.Union([Type.String(), Type.Null()]),
    payload: Type.Union([Type.String(), Type.Null()], { description: 'The original message value, as UTF-8 text.' }),
    failedAt: Type.String({ format: 'date-time' }),
  },
  { additionalProperties: false, $id: 'DeadLetter' },
);
export type DeadLetter = Static<typeof DeadLetter>;
