import { Module, type DynamicModule } from '@nestjs/common';
import { TOPICS } from '@signal/contracts';
import { PlatformModule } from '@signal/platform';
import type { ProfileConfig } from './config';
import { LookupProfilesModule } from './lookup-profiles/lookup-profiles.module';
import { CreateProfiles1764100000000 } from './migrations/1764100000000-create-profiles';
import { PROFILE_ENTITIES } from './profiles/entities';
import { RecordEventsModule } from './record-events/record-events.module';

export const PROFILE_MIGRATIONS = [CreateProfiles1764100000000];

@Module({})
export class AppModule {
  /** `groupId` lets tests consume with their own consumer group. */
  static register(config: ProfileConfig, o: { groupId?: string } = {}): DynamicModule {
    return {
      module: AppModule,
      imports: [
        PlatformModule.forRoot({
          service: 'profile',
          settings: config,
          groupId: o.groupId,
          topics: [TOPICS.EventsEnriched, TOPICS.EventsDeadLetter],
          database: { url: config.DATABASE_URL, schema: 'profile', entities: PROFILE_ENTITIES, migrations: PROFILE_MIGRATIONS, poolSize: config.DATABASE_POOL_SIZE },
        }),
        RecordEventsModule,
        LookupProfilesModule,
      ],
    };
  }
}
