import { Type, type Static } from '@sinclair/typebox';
import { CommonConfig, DatabaseConfig, httpPort } from '@signal/platform';

export const CampaignConfigSchema = Type.Object({ ...httpPort(3005), ...CommonConfig, ...DatabaseConfig, });
export type CampaignConfig = Static<typeof CampaignConfigSchema>;
