import { Module } from '@nestjs/common';
import { ApiKeysModule } from '../api-keys/api-keys.module';
import { RecordEventsHttpController } from './record-events.http.controller';
import { RecordEventsService } from './record-events.service';

// Exported for the routes that record events on the shopper's behalf (quiz responses).
@Module({ imports: [ApiKeysModule], controllers: [RecordEventsHttpController], providers: [RecordEventsService], exports: [RecordEventsService] })
export class RecordEventsModule {}
