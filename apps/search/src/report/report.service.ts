import { Inject, Injectable } from '@nestjs/common';
import type { Client } from '@opensearch-project/opensearch';
import { OPENSEARCH } from '@signal/platform';
import { BEHAVIOUR_CONFIG, type BehaviourSettings } from '../behaviour/behaviour-config';
import type { LearnedRewriteDoc, QueryDoc } from '../indices/documents';
import { SEARCH_INDICES, type IndexNames } from '../indices/index-names';
import { EXIT_RATE_SORT_SCRIPT, highExitRow, zeroResultsRow, type SearchReport } from './report-shape';

type Hits<T> = { hits: { hits: { _source: T }[] } };

/** What a store should look at in its search: queries that find nothing, queries shoppers leave, what was learned. */
@Injectable()
export class ReportService {
  constructor(
    @Inject(OPENSEARCH) private readonly os: Client,
    @Inject(SEARCH_INDICES) private readonly names: IndexNames,
    @Inject(BEHAVIOUR_CONFIG) private readonly config: BehaviourSettings,
  ) {}

  async report(storeId: string, limit: number): Promise<SearchReport> {
    const store = { term: { storeId } };
    const fields = ['query', 'searches', 'zeroResults', 'exits', 'lastSearchedAt'];
    const [zero, exits, rewrites] = await Promise.all([
      this.os.search({
        index: this.names.queries,
        body: {
          size: limit,
          query: { bool: { filter: [store, { range: { zeroResults: { gt: 0 } } }, { term: { lastResultsCount: 0 } }] } },
          sort: [{ zeroResults: 'desc' }, { lastSearchedAt: 'desc' }],
          _source: fields,
        } as never,
      }),
      this.os.search({
        index: this.names.queries,
        body: {
          size: limit,
          query: { bool: { filter: [store, { range: { searches: { gte: this.config.SEARCH_REPORT_MIN_SEARCHES } } }, { range: { exits: { gt: 0 } } }] } },
          sort: [{ _script: { type: 'number', order: 'desc', script: { source: EXIT_RATE_SORT_SCRIPT } } }, { exits: 'desc' }],
          _source: fields,
        } as never,
      }),
      this.os.search({
        index: this.names.rewrites,
        body: {
          size: limit,
          query: { bool: { filter: [store, { term: { kind: 'learned' } }] } },
          sort: [{ support: 'desc' }, { updatedAt: 'desc' }],
          _source: ['from', 'to', 'support', 'active'],
        } as never,
      }),
    ]);
    return {
      zeroResults: (zero.body as Hits<QueryDoc>).hits.hits.map((h) => zeroResultsRow(h._source)),
      highExit: (exits.body as Hits<QueryDoc>).hits.hits.map((h) => highExitRow(h._source)),
      rewrites: (rewrites.body as Hits<LearnedRewriteDoc>).hits.hits.map(({ _source: r }) => ({ from: r.from, to: r.to, support: r.support, active: r.active })),
    };
  }
}
