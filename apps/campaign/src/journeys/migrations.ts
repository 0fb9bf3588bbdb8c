import type { MigrationInterface } from 'typeorm';
import { CreateJourneys1765000000400 } from './1765000000400-create-journeys';
import { IndexWaitingRuns1765000000500 } from './1765000000500-index-waiting-runs';

/** Migrations of this part of the campaign schema (class names carry the timestamp). */
export const JOURNEY_MIGRATIONS: (new () => MigrationInterface)[] = [CreateJourneys1765000000400, IndexWaitingRuns1765000000500];
