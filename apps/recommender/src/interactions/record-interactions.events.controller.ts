import { Controller } from '@nestjs/common';
import { EventPattern, Payload } from '@nestjs/microservices';
import { TOPICS } from '@signal/contracts';
import type { ConsumedMessage } from '@signal/platform';
import { RecordInteractionsService } from './record-interactions.service';

@Controller()
export class RecordInteractionsEventsController {
  constructor(private readonly service: RecordInteractionsService) {}

  @EventPattern(TOPICS.EventsEnriched, { batch: true })
  handle(@Payload() messages: ConsumedMessage[]): Promise<void> {
    return this.service.record(messages);
  }
}
