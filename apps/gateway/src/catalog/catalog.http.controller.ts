import { BadRequestException, Body, Controller, HttpCode, Post, ServiceUnavailableException } from '@nestjs/common';
import { InventoryChange, ProductInput, TOPICS, Validator, productKey, type FieldError, type Product } from '@signal/contracts';
import { KafkaPublisher } from '@signal/platform';
import { Type } from '@sinclair/typebox';
import { CallerStore, RequireKey } from '../api-keys/api-key.guard';

const MAX_ITEMS = 500;
const products = new Validator(Type.Object({ products: Type.Array(ProductInput, { minItems: 1, maxItems: MAX_ITEMS }) }, { additionalProperties: false }));
const inventory = new Validator(
  Type.Object({ changes: Type.Array(Type.Omit(InventoryChange, ['storeId', 'updatedAt']), { minItems: 1, maxItems: MAX_ITEMS }) }, { additionalProperties: false }),
);

const invalid = (errors: FieldError[]) => new BadRequestException({ statusCode: 400, error: 'Bad Request', message: 'Invalid catalog payload', errors });

/** Catalog writes enter Kafka at once; search and the recommender build their views from the topics. */
@Controller('v1/catalog')
export class CatalogHttpController {
  constructor(private readonly publisher: KafkaPublisher) {}

  @Post('products')
  @HttpCode(202)
  @RequireKey('secret')
  async upsertProducts(@CallerStore() storeId: string, @Body() body: unknown) {
    const checked = products.validate(body);
    if (!checked.ok) throw invalid(checked.errors);
    const now = new Date().toISOString();
    const values: Product[] = checked.value.products.map((p) => ({ ...p, storeId, createdAt: p.createdAt ?? now, updatedAt: now }));
    await this.publish(TOPICS.CatalogProducts, values.map((p) => ({ key: productKey(storeId, p.productId), value: p })));
    return { accepted: values.length };
  }

  @Post('inventory')
  @HttpCode(202)
  @RequireKey('secret')
  async changeInventory(@CallerStore() storeId: string, @Body() body: unknown) {
    const checked = inventory.validate(body);
    if (!checked.ok) throw invalid(checked.errors);
    const updatedAt = new Date().toISOString();
    await this.publish(
      TOPICS.CatalogInventory,
      checked.value.changes.map((c) => ({ key: productKey(storeId, c.productId), value: { ...c, storeId, updatedAt } })),
    );
    return { accepted: checked.value.changes.length };
  }

  private async publish(topic: (typeof TOPICS)['CatalogProducts' | 'CatalogInventory'], messages: { key: string; value: unknown }[]) {
    try {
      await this.publisher.publish(topic, messages);
    } catch {
      throw new ServiceUnavailableException({ statusCode: 503, error: 'Service Unavailable', message: 'Catalog log unavailable; retry' });
    }
  }
}
