import { Var } from '@signal/platform';

export interface ImageSearchOptions {
  /** Prefix of the search service's indices (SEARCH_INDEX_PREFIX). */
  indexPrefix: string;
  /** Largest image accepted, uploaded or fetched, in bytes. */
  maxImageBytes: number;
  /** Largest decoded image, width × height. */
  maxImagePixels: number;
  /** How long fetching a product image may take. */
  fetchTimeoutMs: number;
}

export const IMAGE_SEARCH_OPTIONS = Symbol('IMAGE_SEARCH_OPTIONS');

export const IMAGE_SEARCH_DEFAULTS = { maxImageBytes: 10 * 1024 * 1024, maxImagePixels: 40_000_000, fetchTimeoutMs: 5_000 } as const;

/** Variables for the search service's config schema (spread into SearchConfigSchema). */
export const ImageSearchConfig = {
  IMAGE_MAX_BYTES: Var.int({ description: 'Largest image accepted by search by image, uploaded or fetched from a product imageUrl, in bytes.', default: IMAGE_SEARCH_DEFAULTS.maxImageBytes, minimum: 1024, maximum: 100 * 1024 * 1024 }),
  IMAGE_MAX_PIXELS: Var.int({ description: 'Largest decoded image (width x height) search by image accepts.', default: IMAGE_SEARCH_DEFAULTS.maxImagePixels, minimum: 1024, maximum: 268_000_000 }),
  IMAGE_FETCH_TIMEOUT_MS: Var.int({ description: 'How long fetching a product image may take before it is retried later.', default: IMAGE_SEARCH_DEFAULTS.fetchTimeoutMs, minimum: 100, maximum: 120_000 }),
};
