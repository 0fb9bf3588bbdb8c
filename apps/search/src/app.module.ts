import { Inject, Module, type DynamicModule, type OnModuleInit } from '@nestjs/common';
import { TOPICS } from '@signal/contracts';
import { PlatformModule } from '@signal/platform';
import { BEHAVIOUR_CONFIG } from './behaviour/behaviour-config';
import { BehaviourEventsController } from './behaviour/behaviour.events.controller';
import { BehaviourService } from './behaviour/behaviour.service';
import { ExitSweeper } from './behaviour/exit-sweeper';
import { IndexCatalogEventsController } from './catalog/index-catalog.events.controller';
import { IndexCatalogService } from './catalog/index-catalog.service';
import { ImageSearchModule } from './image';
import { SEARCH_CONFIG, type SearchConfig } from './config';
import { SearchAdminHttpController } from './indices/admin.http.controller';
import { IndexAdmin } from './indices/index-admin';
import { SEARCH_INDICES, indexNames } from './indices/index-names';
import { AutocompleteService } from './query/autocomplete.service';
import { AFFINITY_READER, SearchContextReader } from './query/search-context';
import { SearchHttpController } from './query/search.http.controller';
import { SearchService } from './query/search.service';
import { ReportHttpController } from './report/report.http.controller';
import { ReportService } from './report/report.service';
import { ShopperAffinities } from './shoppers/shopper-affinities';
import { ShoppersEventsController } from './shoppers/shoppers.events.controller';
import { ShoppersService } from './shoppers/shoppers.service';
import { SynonymsHttpController } from './synonyms/synonyms.http.controller';
import { SynonymsService } from './synonyms/synonyms.service';

/** Indexes the catalog, learns from behaviour, and answers search and autocomplete. */
@Module({})
export class AppModule implements OnModuleInit {
  constructor(@Inject(IndexAdmin) private readonly admin: IndexAdmin) {}

  /** `groupId` lets tests consume with their own consumer group. */
  static register(config: SearchConfig, o: { groupId?: string } = {}): DynamicModule {
    return {
      module: AppModule,
      imports: [
        PlatformModule.forRoot({
          service: 'search',
          settings: config,
          topics: [TOPICS.CatalogProducts, TOPICS.CatalogInventory, TOPICS.EventsEnriched, TOPICS.ProfilesChanged, TOPICS.PrivacyErasures, TOPICS.SearchServed, TOPICS.EventsDeadLetter],
          groupId: o.groupId,
          opensearchUrl: config.OPENSEARCH_URL,
        }),
        ImageSearchModule.register({
          indexPrefix: config.SEARCH_INDEX_PREFIX,
          maxImageBytes: config.IMAGE_MAX_BYTES,
          maxImagePixels: config.IMAGE_MAX_PIXELS,
          fetchTimeoutMs: config.IMAGE_FETCH_TIMEOUT_MS,
        }),
      ],
      controllers: [
        SearchHttpController,
        SynonymsHttpController,
        ReportHttpController,
        SearchAdminHttpController,
        IndexCatalogEventsController,
        BehaviourEventsController,
        ShoppersEventsController,
      ],
      providers: [
        { provide: SEARCH_CONFIG, useValue: config },
        { provide: SEARCH_INDICES, useValue: indexNames(config.SEARCH_INDEX_PREFIX) },
        { provide: BEHAVIOUR_CONFIG, useValue: config },
        { provide: AFFINITY_READER, useExisting: ShopperAffinities },
        IndexAdmin,
        IndexCatalogService,
        SearchContextReader,
        SearchService,
        AutocompleteService,
        BehaviourService,
        ExitSweeper,
        ShoppersService,
        ShopperAffinities,
        SynonymsService,
        ReportService,
      ],
    };
  }

  /** Indices and the products alias exist before the first message or request. */
  onModuleInit(): Promise<void> {
    return this.admin.ensure();
  }
}
