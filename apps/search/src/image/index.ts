export { ImageSearchModule } from './image-search.module';
export { ImageSearchService, type EmbedOutcome, type ImageSearchAnswer } from './image-search.service';
export { ImageSearchConfig, type ImageSearchOptions } from './image-search.options';
