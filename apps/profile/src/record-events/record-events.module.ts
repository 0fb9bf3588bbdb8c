import { Module } from '@nestjs/common';
import { QuizzesModule } from '../quizzes/quizzes.module';
import { RecordEventsEventsController } from './record-events.events.controller';
import { RecordEventsRepository } from './record-events.repository';
import { RecordEventsService } from './record-events.service';

@Module({ imports: [QuizzesModule], controllers: [RecordEventsEventsController], providers: [RecordEventsService, RecordEventsRepository] })
export class RecordEventsModule {}
