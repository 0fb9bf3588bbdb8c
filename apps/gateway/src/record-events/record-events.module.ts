import { Module } from '@nestjs/common';
import { ApiKeysModule } from '../api-keys/api-keys.module';
import { RecordEventsHttpController } from './record-events.http.controller';
import { RecordEventsService } from './record-events.service';

@Module({ imports: [ApiKeysModule], controllers: [RecordEventsHttpController], providers: [RecordEventsService] })
export class RecordEventsModule {}
