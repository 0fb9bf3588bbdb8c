import { Type, type Static } from '@sinclair/typebox';
import { CommonConfig, DatabaseConfig, httpPort } from '@signal/platform';

export const ProfileConfigSchema = Type.Object({ ...httpPort(3002), ...CommonConfig, ...DatabaseConfig });
export type ProfileConfig = Static<typeof ProfileConfigSchema>;
