import { Type, type Static } from '@sinclair/typebox';
import { CommonConfig, OpenSearchConfig, httpPort } from '@signal/platform';

export const SearchConfigSchema = Type.Object({ ...httpPort(3004), ...CommonConfig, ...OpenSearchConfig, });
export type SearchConfig = Static<typeof SearchConfigSchema>;
