import type { MigrationInterface } from 'typeorm';
import { CreateDecisions1765000000200 } from './1765000000200-create-decisions';

/** Migrations of this part of the campaign schema (class names carry the timestamp). */
export const DECISION_MIGRATIONS: (new () => MigrationInterface)[] = [CreateDecisions1765000000200];
