/**
 * The same vectors through OpenSearch k-NN, with the index method the service uses (Lucene HNSW,
 * cosine, m 16, ef_construction 128, at least 50 candidates per query;
 * apps/search/src/image/image-vector-store.ts): how much of the exact top k the approximate index
 * finds. Optional: runs when OPENSEARCH_URL is set. `candidates` 0 asks for exactly k.
 */
export interface KnnIndex {
  nearest(vector: Float32Array, k: number, excludeId: number, candidates: number): Promise<number[]>;
  drop(): Promise<void>;
}

export async function buildKnnIndex(url: string, vectors: Float32Array[]): Promise<KnnIndex> {
  const base = url.replace(/\/+$/, '');
  const index = `bench-image-eval-${Date.now()}`;
  const call = async (method: string, path: string, body?: unknown, ndjson = false) => {
    const res = await fetch(`${base}${path}`, {
      method,
      headers: { 'content-type': ndjson ? 'application/x-ndjson' : 'application/json' },
      body: body === undefined ? undefined : ndjson ? (body as string) : JSON.stringify(body),
    });
    const json = (await res.json()) as Record<string, unknown>;
    if (!res.ok || json.errors === true) throw new Error(`${method} ${path}: ${res.status} ${JSON.stringify(json).slice(0, 500)}`);
    return json;
  };
  await call('PUT', `/${index}`, {
    settings: { index: { knn: true, number_of_shards: 1, number_of_replicas: 0 } },
    mappings: {
      properties: {
        storeId: { type: 'keyword' },
        vector: { type: 'knn_vector', dimension: vectors[0].length, method: { name: 'hnsw', engine: 'lucene', space_type: 'cosinesimil', parameters: { m: 16, ef_construction: 128 } } },
      },
    },
  });
  for (let from = 0; from < vectors.length; from += 500) {
    const lines = vectors.slice(from, from + 500).flatMap((v, i) => [JSON.stringify({ index: { _id: String(from + i) } }), JSON.stringify({ storeId: 'bench', vector: Array.from(v) })]);
    await call('POST', `/${index}/_bulk`, `${lines.join('\n')}\n`, true);
  }
  await call('POST', `/${index}/_refresh`);
  return {
    async nearest(vector, k, excludeId, candidates) {
      const filter = { bool: { filter: [{ term: { storeId: 'bench' } }], must_not: [{ ids: { values: [String(excludeId)] } }] } };
      const res = (await call('POST', `/${index}/_search`, { size: k, _source: false, query: { knn: { vector: { vector: Array.from(vector), k: Math.max(k, candidates), filter } } } })) as { hits: { hits: { _id: string }[] } };
      return res.hits.hits.map((h) => Number(h._id));
    },
    drop: async () => void (await call('DELETE', `/${index}`)),
  };
}
