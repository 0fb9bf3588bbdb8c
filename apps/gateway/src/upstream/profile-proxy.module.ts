import { Module, type MiddlewareConsumer, type NestModule } from '@nestjs/common';
import { ApiKeysModule } from '../api-keys/api-keys.module';
import { ProfilesHttpController } from '../profiles/profiles.http.controller';
import { QuizzesHttpController } from '../quizzes/quizzes.http.controller';
import { RecordEventsModule } from '../record-events/record-events.module';
import { SegmentsHttpController } from '../segments/segments.http.controller';
import { SettingsHttpController } from '../settings/settings.http.controller';
import { UpstreamBodyLimit } from './body-limit.middleware';
import { ProfileClient } from './profile-client';

const PROXIED = [ProfilesHttpController, SettingsHttpController, SegmentsHttpController, QuizzesHttpController];

/** The routes the profile service answers, behind the gateway's keys. */
@Module({
  imports: [ApiKeysModule, RecordEventsModule],
  controllers: PROXIED,
  providers: [ProfileClient],
})
export class ProfileProxyModule implements NestModule {
  configure(consumer: MiddlewareConsumer): void {
    consumer.apply(UpstreamBodyLimit).forRoutes(...PROXIED);
  }
}
