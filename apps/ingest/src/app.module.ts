import { Module, type DynamicModule } from '@nestjs/common';
import { TOPICS } from '@signal/contracts';
import { PlatformModule } from '@signal/platform';
import { INGEST_CONFIG, type IngestConfig } from './config';
import { EraseIdentitiesEventsController } from './erase-identities/erase-identities.events.controller';
import { CreateDedupeAndIdentities1764000000000 } from './migrations/1764000000000-create-dedupe-and-identities';
import { RecordRawEventsEventsController } from './record-raw-events/record-raw-events.events.controller';
import { RecordRawEventsService } from './record-raw-events/record-raw-events.service';

export const INGEST_MIGRATIONS = [CreateDedupeAndIdentities1764000000000];

@Module({})
export class AppModule {
  static register(config: IngestConfig, o: { groupId?: string } = {}): DynamicModule {
    return {
      module: AppModule,
      imports: [
        PlatformModule.forRoot({
          service: 'ingest',
          settings: config,
          groupId: o.groupId,
          topics: [TOPICS.EventsRaw, TOPICS.EventsEnriched, TOPICS.PrivacyErasures, TOPICS.EventsDeadLetter],
          database: { url: config.DATABASE_URL, schema: 'ingest', entities: [], migrations: INGEST_MIGRATIONS, poolSize: config.DATABASE_POOL_SIZE },
        }),
      ],
      controllers: [RecordRawEventsEventsController, EraseIdentitiesEventsController],
      providers: [{ provide: INGEST_CONFIG, useValue: config }, RecordRawEventsService],
    };
  }
}
