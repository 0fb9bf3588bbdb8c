import { Inject, Injectable, Optional } from '@nestjs/common';
import type { Client } from '@opensearch-project/opensearch';
import { OPENSEARCH } from '@signal/platform';
import type { LearnedRewriteDoc, QueryDoc, SynonymsDoc } from '../indices/documents';
import { SEARCH_INDICES, docId, type IndexNames } from '../indices/index-names';
import type { Affinities } from './ranking';

/** Reads a shopper's brand and category affinities (the shoppers index, fed by profiles.changed.v1). */
export interface AffinityReader {
  lookup(storeId: string, ids: { anonymousId?: string; customerId?: string }): Promise<Affinities | null>;
}
export const AFFINITY_READER = Symbol('AFFINITY_READER');

export interface QueryContext {
  stats: QueryDoc | null;
  synonyms: SynonymsDoc | null;
  learned: LearnedRewriteDoc | null;
  affinities: Affinities | null;
}

interface MgetDoc {
  found?: boolean;
  _source?: unknown;
}

/** What the platform knows about a query and a shopper before searching: one mget plus the shopper lookup, in parallel. */
@Injectable()
export class SearchContextReader {
  constructor(
    @Inject(OPENSEARCH) private readonly os: Client,
    @Inject(SEARCH_INDICES) private readonly names: IndexNames,
    @Optional() @Inject(AFFINITY_READER) private readonly affinities?: AffinityReader,
  ) {}

  async read(storeId: string, normalized: string, shopper: { anonymousId?: string; customerId?: string }): Promise<QueryContext> {
    const docs: { _index: string; _id: string }[] = [{ _index: this.names.rewrites, _id: docId(storeId, 'synonyms') }];
    if (normalized) docs.push({ _index: this.names.queries, _id: docId(storeId, normalized) }, { _index: this.names.rewrites, _id: docId(storeId, `learned|${normalized}`) });
    // Affinities only reorder: when they cannot be read, the search goes on unpersonalized.
    const personal = (shopper.anonymousId || shopper.customerId) && this.affinities ? this.affinities.lookup(storeId, shopper).catch(() => null) : Promise.resolve(null);
    const [res, affinities] = await Promise.all([this.os.mget({ body: { docs } as never }), personal]);
    const found = (res.body as { docs: MgetDoc[] }).docs.map((d) => (d.found ? d._source : null));
    return {
      synonyms: (found[0] as SynonymsDoc | null) ?? null,
      stats: (found[1] as QueryDoc | null) ?? null,
      learned: (found[2] as LearnedRewriteDoc | null) ?? null,
      affinities,
    };
  }
}
