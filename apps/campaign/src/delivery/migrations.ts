import type { MigrationInterface } from 'typeorm';
import { CreateDelivery1765000000300 } from './1765000000300-create-delivery';

/** Migrations of this part of the campaign schema (class names carry the timestamp). */
export const DELIVERY_MIGRATIONS: (new () => MigrationInterface)[] = [CreateDelivery1765000000300];
