import type { MigrationInterface } from 'typeorm';
import { CreateChannels1765000000100 } from './1765000000100-create-channels';

/** Migrations of this part of the campaign schema (class names carry the timestamp). */
export const CHANNEL_MIGRATIONS: (new () => MigrationInterface)[] = [CreateChannels1765000000100];
