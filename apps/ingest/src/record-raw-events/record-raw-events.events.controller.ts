import { Controller } from '@nestjs/common';
import { EventPattern, Payload } from '@nestjs/microservices';
import { TOPICS } from '@signal/contracts';
import type { ConsumedMessage } from '@signal/platform';
import { RecordRawEventsService } from './record-raw-events.service';

@Controller()
export class RecordRawEventsEventsController {
  constructor(private readonly service: RecordRawEventsService) {}

  @EventPattern(TOPICS.EventsRaw, { batch: true })
  handle(@Payload() messages: ConsumedMessage[]): Promise<void> {
    return this.service.process(messages);
  }
}
