import { Type, type Static } from '@sinclair/typebox';
import { CommonConfig, DatabaseConfig, httpPort } from '@signal/platform';

export const RecommenderConfigSchema = Type.Object({ ...httpPort(3003), ...CommonConfig, ...DatabaseConfig, });
export type RecommenderConfig = Static<typeof RecommenderConfigSchema>;
