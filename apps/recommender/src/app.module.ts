import { Module, type DynamicModule } from '@nestjs/common';
import { TOPICS } from '@signal/contracts';
import { PlatformModule } from '@signal/platform';
import { RecordCatalogEventsController } from './catalog/record-catalog.events.controller';
import { RecordCatalogService } from './catalog/record-catalog.service';
import { RECOMMENDER_CONFIG, type RecommenderConfig } from './config';
import { RecordInteractionsEventsController } from './interactions/record-interactions.events.controller';
import { RecordInteractionsService } from './interactions/record-interactions.service';
import { RECOMMENDER_MIGRATIONS } from './migrations';
import { RulesHttpController } from './rules/rules.http.controller';
import { RulesService } from './rules/rules.service';
import { NeighbourCache } from './serving/neighbour-cache';
import { RecommendationsHttpController } from './serving/recommendations.http.controller';
import { RecommendationsService } from './serving/recommendations.service';
import { ShopperReader } from './serving/shopper-reader';
import { StatusService } from './serving/status.service';
import { StoreCache } from './serving/store-cache';
import { WarmUp } from './serving/warm-up';
import { ShoppersEventsController } from './shoppers/shoppers.events.controller';
import { ShoppersService } from './shoppers/shoppers.service';

/**
 * Serving (HTTP) and the incremental model updates (Kafka consumers) of the recommender. The
 * heavy model building is a separate process: build-models.ts.
 */
@Module({})
export class AppModule {
  /** `groupId` lets tests consume with their own consumer group. */
  static register(config: RecommenderConfig, o: { groupId?: string } = {}): DynamicModule {
    return {
      module: AppModule,
      imports: [
        PlatformModule.forRoot({
          service: 'recommender',
          settings: config,
          groupId: o.groupId,
          topics: [TOPICS.EventsEnriched, TOPICS.CatalogProducts, TOPICS.CatalogInventory, TOPICS.ProfilesChanged, TOPICS.PrivacyErasures, TOPICS.RecommendationsServed, TOPICS.EventsDeadLetter],
          database: { url: config.DATABASE_URL, schema: 'recommender', entities: [], migrations: RECOMMENDER_MIGRATIONS, poolSize: config.DATABASE_POOL_SIZE },
        }),
      ],
      controllers: [RecommendationsHttpController, RulesHttpController, RecordInteractionsEventsController, RecordCatalogEventsController, ShoppersEventsController],
      providers: [
        { provide: RECOMMENDER_CONFIG, useValue: config },
        RecordInteractionsService,
        RecordCatalogService,
        ShoppersService,
        RulesService,
        StoreCache,
        ShopperReader,
        NeighbourCache,
        StatusService,
        RecommendationsService,
        WarmUp,
      ],
    };
  }
}
