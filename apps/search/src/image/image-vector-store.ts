import { Inject, Injectable } from '@nestjs/common';
import type { Client } from '@opensearch-project/opensearch';
import { OPENSEARCH } from '@signal/platform';
import { IMAGE_MODEL } from './image-embedder';
import { IMAGE_SEARCH_OPTIONS, type ImageSearchOptions } from './image-search.options';

export interface ImageVectorMeta {
  /** sha256 of the image URL the vector was made from: a catalog update with the same URL is skipped. */
  imageUrlHash: string;
  model: string;
}

export interface StoredImageVector extends ImageVectorMeta {
  vector: number[];
}

export interface ImageNeighbour {
  productId: string;
  /** Cosine similarity, -1 .. 1 (1: the same picture). */
  score: number;
}

// The typed client wants its own request types; our bodies are plain JSON checked by OpenSearch.
type Body = never;

/** The cluster cannot hold k-NN vectors: search by image is off, the rest of search is not. */
export class KnnUnavailableError extends Error {
  constructor(reason: string) {
    super(`OpenSearch has no k-NN plugin, which search by image needs (${reason}). Local infra: restart OpenSearch (deploy/local/infra.sh down, then up) so it fetches the plugin; the OpenSearch images and managed services include it.`);
    this.name = 'KnnUnavailableError';
  }
}

/** Neighbours the HNSW search collects before the best `k` are answered (recall against speed). */
export const KNN_CANDIDATES = 50;

/** Raise with any change to the mapping or to IMAGE_MODEL: a new index is created and filled anew. */
export const IMAGE_VECTORS_VERSION = 1;

/**
 * One k-NN index of product image vectors for all stores (`<prefix>image-vectors-v<N>`), id
 * `storeId|productId`. HNSW graphs of the Lucene engine (pure Java; the k-NN plugin's faiss and
 * nmslib engines need native libraries), cosine space. A query filters on the store inside the
 * k-NN search (Lucene's filtered HNSW: exact search when the store is small), so one store never
 * sees another's products and always gets k results when it has them.
 */
@Injectable()
export class ImageVectorStore {
  readonly index: string;

  constructor(
    @Inject(OPENSEARCH) private readonly os: Client,
    @Inject(IMAGE_SEARCH_OPTIONS) options: Pick<ImageSearchOptions, 'indexPrefix'>,
  ) {
    this.index = `${options.indexPrefix}image-vectors-v${IMAGE_VECTORS_VERSION}`;
  }

  /** Creates the index when missing; idempotent and safe from several replicas at once. */
  async ensure(): Promise<void> {
    const res = await this.os.indices.create({ index: this.index, body: indexBody(IMAGE_MODEL.dims) as Body }, { ignore: [400] });
    if (res.statusCode !== 400) return;
    const error = (res.body as { error?: { type?: string; reason?: string } }).error;
    if (error?.type === 'resource_already_exists_exception') return this.checkDimension();
    if (/knn/i.test(error?.reason ?? '')) throw new KnnUnavailableError(error?.reason ?? 'unknown');
    throw new Error(`creating index ${this.index}: ${JSON.stringify(res.body)}`);
  }

  /** A model change without a version bump would write vectors of the wrong size: say so at start-up. */
  private async checkDimension(): Promise<void> {
    const res = await this.os.indices.getMapping({ index: this.index });
    const mappings = Object.values(res.body as Record<string, { mappings: { properties?: { vector?: { dimension?: number } } } }>);
    const dimension = mappings[0]?.mappings.properties?.vector?.dimension;
    if (dimension !== IMAGE_MODEL.dims) throw new Error(`index ${this.index} holds ${dimension}-d vectors, the image model makes ${IMAGE_MODEL.dims}: raise IMAGE_VECTORS_VERSION`);
  }

  async upsert(storeId: string, productId: string, vector: Float32Array, meta: ImageVectorMeta): Promise<void> {
    await this.os.index({
      index: this.index,
      id: docId(storeId, productId),
      body: { storeId, productId, vector: Array.from(vector), imageUrlHash: meta.imageUrlHash, model: meta.model, embeddedAt: new Date().toISOString() } as Body,
    });
  }

  async remove(storeId: string, productId: string): Promise<void> {
    await this.os.delete({ index: this.index, id: docId(storeId, productId) }, { ignore: [404] });
  }

  async get(storeId: string, productId: string): Promise<StoredImageVector | null> {
    const res = await this.os.get({ index: this.index, id: docId(storeId, productId) }, { ignore: [404] });
    const doc = res.body as { found?: boolean; _source?: StoredImageVector };
    return doc.found && doc._source ? { vector: doc._source.vector, imageUrlHash: doc._source.imageUrlHash, model: doc._source.model } : null;
  }

  /**
   * The `k` products of the store whose images are closest to `vector`, best first. The graph is
   * searched for at least KNN_CANDIDATES neighbours (Lucene explores as many candidates as the
   * query's `k`): with only 5, a shopper's photo, far from every catalog image, found 82 % of the
   * exact top 5 in bench/image-eval; with 50, see docs/search.md.
   */
  async nearest(storeId: string, vector: ArrayLike<number>, k: number, excludeProductId?: string): Promise<ImageNeighbour[]> {
    const filter = { bool: { filter: [{ term: { storeId } }], must_not: excludeProductId ? [{ term: { productId: excludeProductId } }] : [] } };
    const res = await this.os.search({
      index: this.index,
      body: { size: k, _source: ['productId'], query: { knn: { vector: { vector: Array.from(vector), k: Math.max(k, KNN_CANDIDATES), filter } } } } as Body,
    });
    const hits = (res.body as { hits: { hits: { _score: number; _source: { productId: string } }[] } }).hits.hits;
    // The Lucene engine scores cosine as (1 + cos) / 2; answer the cosine itself.
    return hits.map((h) => ({ productId: h._source.productId, score: round(2 * h._score - 1) }));
  }
}

const docId = (storeId: string, productId: string) => `${storeId}|${productId}`;
const round = (x: number) => Math.round(x * 1e4) / 1e4;

const indexBody = (dims: number) => ({
  settings: { index: { knn: true } },
  mappings: {
    dynamic: 'strict',
    properties: {
      storeId: { type: 'keyword' },
      productId: { type: 'keyword' },
      imageUrlHash: { type: 'keyword', index: false },
      model: { type: 'keyword' },
      embeddedAt: { type: 'date' },
      vector: {
        type: 'knn_vector',
        dimension: dims,
        method: { name: 'hnsw', engine: 'lucene', space_type: 'cosinesimil', parameters: { m: 16, ef_construction: 128 } },
      },
    },
  },
});
