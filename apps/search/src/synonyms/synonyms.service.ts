import { Inject, Injectable, NotFoundException } from '@nestjs/common';
import type { Client } from '@opensearch-project/opensearch';
import { OPENSEARCH } from '@signal/platform';
import { BLOCK_CANDIDATE_SCRIPT, learnedRewriteId, rewriteCandidateId } from '../behaviour/effects';
import type { LearnedRewriteDoc, SynonymsDoc } from '../indices/documents';
import { SEARCH_INDICES, docId, type IndexNames } from '../indices/index-names';
import type { Synonyms } from './synonyms-input';

export type LearnedRewrite = Pick<LearnedRewriteDoc, 'from' | 'to' | 'support' | 'active' | 'updatedAt'>;

/** A store's synonyms (`storeId|synonyms`) and its learned rewrites, in the rewrites index. */
@Injectable()
export class SynonymsService {
  constructor(
    @Inject(OPENSEARCH) private readonly os: Client,
    @Inject(SEARCH_INDICES) private readonly names: IndexNames,
  ) {}

  async get(storeId: string): Promise<SynonymsDoc | (Omit<SynonymsDoc, 'updatedAt'> & { updatedAt: null })> {
    const res = await this.os.get({ index: this.names.rewrites, id: docId(storeId, 'synonyms') }, { ignore: [404] });
    const body = res.body as { found?: boolean; _source?: SynonymsDoc };
    return body.found && body._source ? body._source : { storeId, kind: 'synonyms', sets: [], oneWay: [], updatedAt: null };
  }

  async put(storeId: string, synonyms: Synonyms): Promise<SynonymsDoc> {
    const doc: SynonymsDoc = { storeId, kind: 'synonyms', sets: synonyms.sets, oneWay: synonyms.oneWay, updatedAt: new Date().toISOString() };
    await this.os.index({ index: this.names.rewrites, id: docId(storeId, 'synonyms'), body: doc as never, refresh: 'wait_for' });
    return doc;
  }

  /** Learned rewrites, most supported first. */
  async rewrites(storeId: string, limit: number): Promise<LearnedRewrite[]> {
    const res = await this.os.search({
      index: this.names.rewrites,
      body: {
        size: limit,
        query: { bool: { filter: [{ term: { storeId } }, { term: { kind: 'learned' } }] } },
        sort: [{ support: 'desc' }, { updatedAt: 'desc' }],
        _source: ['from', 'to', 'support', 'active', 'updatedAt'],
      } as never,
    });
    return (res.body as { hits: { hits: { _source: LearnedRewrite }[] } }).hits.hits.map((h) => h._source);
  }

  /**
   * Drops the learned rewrite of `from`, and blocks that reformulation from being learned again;
   * another reformulation of `from` may still be learned.
   */
  async dropRewrite(storeId: string, from: string): Promise<LearnedRewrite> {
    const id = learnedRewriteId(storeId, from);
    const res = await this.os.get({ index: this.names.rewrites, id }, { ignore: [404] });
    const found = res.body as { found?: boolean; _source?: LearnedRewriteDoc };
    if (!found.found || !found._source || found._source.kind !== 'learned') {
      throw new NotFoundException({ statusCode: 404, error: 'Not Found', message: `No learned rewrite from "${from}"` });
    }
    const rewrite = found._source;
    const now = new Date().toISOString();
    await this.os.update({
      index: this.names.rewrites,
      id: rewriteCandidateId(storeId, from, rewrite.to),
      retry_on_conflict: 5,
      body: { script: { source: BLOCK_CANDIDATE_SCRIPT, params: { storeId, from, to: rewrite.to, now } }, upsert: {}, scripted_upsert: true } as never,
    });
    await this.os.delete({ index: this.names.rewrites, id, refresh: 'wait_for' }, { ignore: [404] });
    return { from, to: rewrite.to, support: rewrite.support, active: false, updatedAt: now };
  }
}
