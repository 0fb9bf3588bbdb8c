import { Controller } from '@nestjs/common';
import { EventPattern, Payload } from '@nestjs/microservices';
import { TOPICS } from '@signal/contracts';
import type { ConsumedMessage } from '@signal/platform';
import { RecordCatalogService } from './record-catalog.service';

@Controller()
export class RecordCatalogEventsController {
  constructor(private readonly service: RecordCatalogService) {}

  @EventPattern(TOPICS.CatalogProducts, { batch: true })
  products(@Payload() messages: ConsumedMessage[]): Promise<void> {
    return this.service.products(messages);
  }

  @EventPattern(TOPICS.CatalogInventory, { batch: true })
  inventory(@Payload() messages: ConsumedMessage[]): Promise<void> {
    return this.service.inventory(messages);
  }
}
