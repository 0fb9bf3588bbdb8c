import { Controller } from '@nestjs/common';
import { EventPattern, Payload } from '@nestjs/microservices';
import { TOPICS } from '@signal/contracts';
import type { ConsumedMessage } from '@signal/platform';
import { IndexCatalogService } from './index-catalog.service';

@Controller()
export class IndexCatalogEventsController {
  constructor(private readonly service: IndexCatalogService) {}

  @EventPattern(TOPICS.CatalogProducts, { batch: true })
  async products(@Payload() messages: ConsumedMessage[]): Promise<void> {
    await this.service.products(messages);
  }

  @EventPattern(TOPICS.CatalogInventory, { batch: true })
  inventory(@Payload() messages: ConsumedMessage[]): Promise<void> {
    return this.service.inventory(messages);
  }
}
