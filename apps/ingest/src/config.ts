import { Type, type Static } from '@sinclair/typebox';
import { CommonConfig, DatabaseConfig, Var, httpPort } from '@signal/platform';

export const IngestConfigSchema = Type.Object({
  ...httpPort(3001),
  ...CommonConfig,
  ...DatabaseConfig,
  DEDUPE_WINDOW_HOURS: Var.int({ description: 'How long an eventId is remembered to drop repeats.', default: 72, minimum: 1 }),
  EVENT_MAX_AGE_DAYS: Var.int({ description: 'Oldest occurredAt accepted, relative to receivedAt (as the gateway).', default: 30, minimum: 1 }),
  EVENT_MAX_FUTURE_MINUTES: Var.int({ description: 'How far occurredAt may lie after receivedAt.', default: 15, minimum: 0 }),
});
export type IngestConfig = Static<typeof IngestConfigSchema>;
export const INGEST_CONFIG = Symbol('INGEST_CONFIG');
