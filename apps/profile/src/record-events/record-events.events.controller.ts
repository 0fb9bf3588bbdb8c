import { Controller } from '@nestjs/common';
import { EventPattern, Payload } from '@nestjs/microservices';
import { TOPICS } from '@signal/contracts';
import type { ConsumedMessage } from '@signal/platform';
import { RecordEventsService } from './record-events.service';

@Controller()
export class RecordEventsEventsController {
  constructor(private readonly service: RecordEventsService) {}

  @EventPattern(TOPICS.EventsEnriched, { batch: true })
  handle(@Payload() messages: ConsumedMessage[]): Promise<void> {
    return this.service.record(messages);
  }
}
