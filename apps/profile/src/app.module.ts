import { Module, type DynamicModule } from '@nestjs/common';
import { TOPICS } from '@signal/contracts';
import { PlatformModule } from '@signal/platform';
import { LookupProfilesModule } from './lookup-profiles/lookup-profiles.module';
import { PROFILE_CONFIG, type ProfileConfig } from './config';
import { CreateProfiles1764100000000 } from './migrations/1764100000000-create-profiles';
import { ProfilesSegmentsQuizzes1764200000000 } from './migrations/1764200000000-profiles-segments-quizzes';
import { PrivacyModule } from './privacy/privacy.module';
import { PROFILE_ENTITIES } from './profiles/entities';
import { QuizzesModule } from './quizzes/quizzes.module';
import { RecordEventsModule } from './record-events/record-events.module';
import { RecordProductsModule } from './record-products/record-products.module';
import { SegmentsModule } from './segments/segments.module';
import { SettingsModule } from './settings/settings.module';

export const PROFILE_MIGRATIONS = [CreateProfiles1764100000000, ProfilesSegmentsQuizzes1764200000000];

@Module({})
export class AppModule {
  /** `groupId` lets tests consume with their own consumer group. */
  static register(config: ProfileConfig, o: { groupId?: string } = {}): DynamicModule {
    return {
      module: AppModule,
      global: true,
      imports: [
        PlatformModule.forRoot({
          service: 'profile',
          settings: config,
          groupId: o.groupId,
          topics: [TOPICS.EventsEnriched, TOPICS.CatalogProducts, TOPICS.ProfilesChanged, TOPICS.SegmentsMembership, TOPICS.PrivacyErasures, TOPICS.EventsDeadLetter],
          database: { url: config.DATABASE_URL, schema: 'profile', entities: PROFILE_ENTITIES, migrations: PROFILE_MIGRATIONS, poolSize: config.DATABASE_POOL_SIZE },
        }),
        SettingsModule,
        RecordProductsModule,
        QuizzesModule,
        SegmentsModule,
        RecordEventsModule,
        LookupProfilesModule,
        PrivacyModule,
      ],
      providers: [{ provide: PROFILE_CONFIG, useValue: config }],
      exports: [PROFILE_CONFIG],
    };
  }
}
