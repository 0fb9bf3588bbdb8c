import { Module } from '@nestjs/common';
import { RecordEventsEventsController } from './record-events.events.controller';
import { RecordEventsRepository } from './record-events.repository';
import { RecordEventsService } from './record-events.service';

@Module({ controllers: [RecordEventsEventsController], providers: [RecordEventsService, RecordEventsRepository] })
export class RecordEventsModule {}
