import { Inject, Injectable } from '@nestjs/common';
import type { Client } from '@opensearch-project/opensearch';
import { OPENSEARCH } from '@signal/platform';
import type { ShopperDoc } from '../indices/documents';
import { SEARCH_INDICES, type IndexNames } from '../indices/index-names';
import { identityTerm } from './shopper-document';

export interface Affinities {
  /** Strongest first, at most 10; scores as of the profile's computedAt. */
  brands: { value: string; score: number }[];
  categories: { value: string; score: number }[];
}

/**
 * A shopper's brand and category affinities for personal ranking: one term query on identities.
 * The customer's profile wins over a device's that was not merged into it (yet).
 */
@Injectable()
export class ShopperAffinities {
  constructor(
    @Inject(OPENSEARCH) private readonly os: Client,
    @Inject(SEARCH_INDICES) private readonly names: IndexNames,
  ) {}

  /** Null for an unknown shopper (or none named). Errors propagate: the caller decides (rank without). */
  async lookup(storeId: string, who: { anonymousId?: string; customerId?: string }, o: { timeoutMs?: number } = {}): Promise<Affinities | null> {
    const customer = who.customerId ? identityTerm({ kind: 'customer', value: who.customerId }) : null;
    const terms = [customer, who.anonymousId ? identityTerm({ kind: 'anonymous', value: who.anonymousId }) : null].filter((t): t is string => t !== null);
    if (!terms.length) return null;
    const res = await this.os.search(
      {
        index: this.names.shoppers,
        body: {
          size: 5,
          query: { bool: { filter: [{ term: { storeId } }, { terms: { identities: terms } }] } },
          sort: [{ computedAt: 'desc' }],
          _source: ['identities', 'brands', 'categories'],
        } as never,
      },
      { requestTimeout: o.timeoutMs ?? 500 },
    );
    const hits = (res.body as { hits: { hits: { _source: Pick<ShopperDoc, 'identities' | 'brands' | 'categories'> }[] } }).hits.hits.map((h) => h._source);
    const best = (customer && hits.find((h) => h.identities.includes(customer))) || hits[0];
    return best ? { brands: best.brands ?? [], categories: best.categories ?? [] } : null;
  }
}
