import { Type, type Static } from '@sinclair/typebox';
import { CommonConfig, OpenSearchConfig, Var, httpPort } from '@signal/platform';
import { BehaviourConfig } from './behaviour/behaviour-config';
import { ImageSearchConfig } from './image';

export const SearchConfigSchema = Type.Object({
  ...httpPort(3004),
  ...CommonConfig,
  ...OpenSearchConfig,
  ...BehaviourConfig,
  ...ImageSearchConfig,
  SEARCH_INDEX_PREFIX: Var.string({ description: 'Prefix of every OpenSearch index and alias the search service owns.', default: 'signal-', pattern: '^[a-z0-9][a-z0-9._-]{0,40}$' }),
});
export type SearchConfig = Static<typeof SearchConfigSchema>;
export const SEARCH_CONFIG = Symbol('SEARCH_CONFIG');
