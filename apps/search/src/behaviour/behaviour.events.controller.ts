import { Controller } from '@nestjs/common';
import { EventPattern, Payload } from '@nestjs/microservices';
import { TOPICS } from '@signal/contracts';
import type { ConsumedMessage } from '@signal/platform';
import { BehaviourService } from './behaviour.service';

@Controller()
export class BehaviourEventsController {
  constructor(private readonly service: BehaviourService) {}

  @EventPattern(TOPICS.EventsEnriched, { batch: true })
  handle(@Payload() messages: ConsumedMessage[]): Promise<void> {
    return this.service.record(messages);
  }
}
