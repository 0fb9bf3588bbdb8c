import { Type, type Static } from '@sinclair/typebox';
import { CommonConfig, DatabaseConfig, Var, httpPort } from '@signal/platform';

export const ProfileConfigSchema = Type.Object({
  ...httpPort(3002),
  ...CommonConfig,
  ...DatabaseConfig,
  SEGMENT_SWEEP_INTERVAL_MS: Var.int({
    description: 'How often profiles whose segments change with time alone are re-evaluated, and backfills advance (0: never, for tests).',
    default: 1_000,
    minimum: 0,
  }),
  SEGMENT_BACKFILL_DELAY_MS: Var.int({ description: 'Wait before evaluating a new or edited segment over existing profiles (lets every replica see the new definition).', default: 2_000, minimum: 0 }),
});
export type ProfileConfig = Static<typeof ProfileConfigSchema>;
export const PROFILE_CONFIG = Symbol('PROFILE_CONFIG');
