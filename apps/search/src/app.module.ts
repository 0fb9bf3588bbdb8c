import { Inject, Module, type DynamicModule, type OnModuleInit } from '@nestjs/common';
import { TOPICS } from '@signal/contracts';
import { PlatformModule } from '@signal/platform';
import { IndexCatalogEventsController } from './catalog/index-catalog.events.controller';
import { IndexCatalogService } from './catalog/index-catalog.service';
import { SEARCH_CONFIG, type SearchConfig } from './config';
import { SearchAdminHttpController } from './indices/admin.http.controller';
import { IndexAdmin } from './indices/index-admin';
import { SEARCH_INDICES, indexNames } from './indices/index-names';
import { AutocompleteService } from './query/autocomplete.service';
import { SearchContextReader } from './query/search-context';
import { SearchHttpController } from './query/search.http.controller';
import { SearchService } from './query/search.service';

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
      ],
      controllers: [SearchHttpController, SearchAdminHttpController, IndexCatalogEventsController],
      providers: [
        { provide: SEARCH_CONFIG, useValue: config },
        { provide: SEARCH_INDICES, useValue: indexNames(config.SEARCH_INDEX_PREFIX) },
        IndexAdmin,
        IndexCatalogService,
        SearchContextReader,
        SearchService,
        AutocompleteService,
      ],
    };
  }

  /** Indices and the products alias exist before the first message or request. */
  onModuleInit(): Promise<void> {
    return this.admin.ensure();
  }
}
