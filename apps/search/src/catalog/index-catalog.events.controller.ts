import { Controller } from '@nestjs/common';
import { EventPattern, Payload } from '@nestjs/microservices';
import { TOPICS } from '@signal/contracts';
import type { ConsumedMessage } from '@signal/platform';
import { ImageSearchService } from '../image';
import { IndexCatalogService } from './index-catalog.service';

@Controller()
export class IndexCatalogEventsController {
  constructor(
    private readonly service: IndexCatalogService,
    private readonly images: ImageSearchService,
  ) {}

  /** Text first, then image vectors (a bad image never holds the product back from text search). */
  @EventPattern(TOPICS.CatalogProducts, { batch: true })
  async products(@Payload() messages: ConsumedMessage[]): Promise<void> {
    const indexed = await this.service.products(messages);
    for (const p of indexed) {
      if (p.imageUrl && !p.hidden) await this.images.embedProduct(p.storeId, p.productId, p.imageUrl);
      else await this.images.removeProduct(p.storeId, p.productId);
    }
  }

  @EventPattern(TOPICS.CatalogInventory, { batch: true })
  inventory(@Payload() messages: ConsumedMessage[]): Promise<void> {
    return this.service.inventory(messages);
  }
}
