import { CHANNEL_MIGRATIONS } from '../channels/migrations';
import { DECISION_MIGRATIONS } from '../decisions/migrations';
import { DELIVERY_MIGRATIONS } from '../delivery/migrations';
import { JOURNEY_MIGRATIONS } from '../journeys/migrations';
import { CreateAudience1765000000000 } from './1765000000000-create-audience';

/** Every migration of the campaign schema; TypeORM runs them in the order of their timestamps. */
export const CAMPAIGN_MIGRATIONS = [CreateAudience1765000000000, ...CHANNEL_MIGRATIONS, ...DECISION_MIGRATIONS, ...DELIVERY_MIGRATIONS, ...JOURNEY_MIGRATIONS];
