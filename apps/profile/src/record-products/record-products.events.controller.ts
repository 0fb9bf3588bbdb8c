import { Controller } from '@nestjs/common';
import { EventPattern, Payload } from '@nestjs/microservices';
import { TOPICS } from '@signal/contracts';
import type { ConsumedMessage } from '@signal/platform';
import { RecordProductsService } from './record-products.service';

@Controller()
export class RecordProductsEventsController {
  constructor(private readonly service: RecordProductsService) {}

  @EventPattern(TOPICS.CatalogProducts, { batch: true })
  handle(@Payload() messages: ConsumedMessage[]): Promise<void> {
    return this.service.record(messages);
  }
}
