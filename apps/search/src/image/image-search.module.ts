import { Module, type DynamicModule } from '@nestjs/common';
import { IMAGE_DECODE_LIMITS, ImageEmbedder } from './image-embedder';
import { IMAGE_SEARCH_DEFAULTS, IMAGE_SEARCH_OPTIONS, type ImageSearchOptions } from './image-search.options';
import { ImageSearchHttpController } from './image-search.http.controller';
import { ImageSearchService } from './image-search.service';
import { ImageVectorStore } from './image-vector-store';

/**
 * Search by image: `POST /v1/search/image`, `GET /v1/search/similar-looking`, and
 * ImageSearchService.embedProduct for the catalog consumer. Needs the OpenSearch client
 * (OPENSEARCH, from PlatformModule with an opensearchUrl) and the k-NN plugin.
 */
@Module({})
export class ImageSearchModule {
  static register(o: Pick<ImageSearchOptions, 'indexPrefix'> & Partial<ImageSearchOptions>): DynamicModule {
    const options: ImageSearchOptions = { ...IMAGE_SEARCH_DEFAULTS, ...o };
    return {
      module: ImageSearchModule,
      controllers: [ImageSearchHttpController],
      providers: [
        { provide: IMAGE_SEARCH_OPTIONS, useValue: options },
        { provide: IMAGE_DECODE_LIMITS, useValue: { maxBytes: options.maxImageBytes, maxPixels: options.maxImagePixels } },
        ImageEmbedder,
        ImageVectorStore,
        ImageSearchService,
      ],
      exports: [ImageSearchService],
    };
  }
}
