import type { MigrationInterface } from 'typeorm';

/** Migrations of this part of the campaign schema (class names carry the timestamp). */
export const DECISION_MIGRATIONS: (new () => MigrationInterface)[] = [];
