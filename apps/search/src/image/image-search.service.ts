import { createHash, randomUUID } from 'node:crypto';
import { Inject, Injectable, Logger, type OnModuleInit } from '@nestjs/common';
import { ImageFetchError, ImageRejectedError } from './image-errors';
import { fetchImage } from './image-fetch';
import { IMAGE_MODEL, ImageEmbedder } from './image-embedder';
import { IMAGE_SEARCH_OPTIONS, type ImageSearchOptions } from './image-search.options';
import { ImageVectorStore, KnnUnavailableError, type ImageNeighbour } from './image-vector-store';

export interface ImageSearchAnswer {
  searchId: string;
  items: ImageNeighbour[];
}

/**
 * What became of a product's image. `rejected` with `transient: true` (timeout, 5xx) may work
 * later: the caller decides whether to retry; the previous vector, if any, is kept. A permanent
 * rejection (404, not an image, too large) removes the previous vector: it shows an old picture.
 */
export type EmbedOutcome =
  | { status: 'embedded'; ms: number }
  | { status: 'unchanged' }
  | { status: 'rejected'; reason: string; transient: boolean }
  /** The cluster has no k-NN plugin: nothing to retry until it has. */
  | { status: 'disabled'; reason: string };

/** Search by image is off (no k-NN plugin): a 503 naming why, never a crash of the search service. */
export class ImageSearchUnavailableError extends Error {
  override name = 'ImageSearchUnavailableError';
}

export const IMAGE_SEARCH_MAX_LIMIT = 50;

/** Product images in, visually similar products out. */
@Injectable()
export class ImageSearchService implements OnModuleInit {
  private readonly log = new Logger(ImageSearchService.name);
  /** Why search by image is off, when the cluster cannot hold k-NN vectors. */
  private disabled?: string;

  constructor(
    private readonly embedder: ImageEmbedder,
    private readonly vectors: ImageVectorStore,
    @Inject(IMAGE_SEARCH_OPTIONS) private readonly options: ImageSearchOptions,
  ) {}

  async onModuleInit(): Promise<void> {
    try {
      await this.vectors.ensure();
    } catch (e) {
      // Text search must not go down with it; any other failure (OpenSearch down) stops start-up.
      if (!(e instanceof KnnUnavailableError)) throw e;
      this.disabled = e.message;
      this.log.error(`search by image is off: ${e.message}`);
      return;
    }
    // The model loads in the background (about 3 s): readiness does not wait for it, the first
    // image does.
    this.embedder.ready().catch((e: unknown) => this.log.error(`image model failed to load: ${String(e)}`));
  }

  /**
   * Fetches the product's image (http(s) or data: URL), embeds it and stores the vector. Skips the
   * work when the stored vector came from the same URL and model (catalog replays and price
   * updates cost nothing). Errors of OpenSearch are thrown; problems of the image are returned.
   */
  async embedProduct(storeId: string, productId: string, imageUrl: string, o: { force?: boolean } = {}): Promise<EmbedOutcome> {
    if (this.disabled) return { status: 'disabled', reason: this.disabled };
    const imageUrlHash = createHash('sha256').update(imageUrl).digest('hex');
    if (!o.force) {
      const stored = await this.vectors.get(storeId, productId);
      if (stored && stored.imageUrlHash === imageUrlHash && stored.model === IMAGE_MODEL.id) return { status: 'unchanged' };
    }
    const started = Date.now();
    let vector: Float32Array;
    try {
      const bytes = await fetchImage(imageUrl, { timeoutMs: this.options.fetchTimeoutMs, maxBytes: this.options.maxImageBytes });
      vector = await this.embedder.embed(bytes);
    } catch (e) {
      if (!(e instanceof ImageFetchError) && !(e instanceof ImageRejectedError)) throw e;
      const transient = e instanceof ImageFetchError && e.transient;
      if (!transient) await this.vectors.remove(storeId, productId);
      return { status: 'rejected', reason: e.message, transient };
    }
    await this.vectors.upsert(storeId, productId, vector, { imageUrlHash, model: IMAGE_MODEL.id });
    return { status: 'embedded', ms: Date.now() - started };
  }

  /** A product left the catalog (or lost its image). */
  async removeProduct(storeId: string, productId: string): Promise<void> {
    if (!this.disabled) await this.vectors.remove(storeId, productId);
  }

  /** Products that look like the uploaded picture; ImageRejectedError for bytes that are not one. */
  async searchByImage(storeId: string, bytes: Uint8Array, limit: number): Promise<ImageSearchAnswer> {
    this.checkEnabled();
    const vector = await this.embedder.embed(bytes);
    return { searchId: randomUUID(), items: await this.vectors.nearest(storeId, vector, clamp(limit)) };
  }

  /** Products that look like this one; none when it has no image vector (yet). */
  async similarLooking(storeId: string, productId: string, limit: number): Promise<ImageSearchAnswer> {
    this.checkEnabled();
    const stored = await this.vectors.get(storeId, productId);
    const items = stored ? await this.vectors.nearest(storeId, stored.vector, clamp(limit), productId) : [];
    return { searchId: randomUUID(), items };
  }

  private checkEnabled(): void {
    if (this.disabled) throw new ImageSearchUnavailableError(this.disabled);
  }
}

const clamp = (limit: number) => Math.max(1, Math.min(IMAGE_SEARCH_MAX_LIMIT, Math.floor(limit)));
