import { Body, Controller, Delete, Get, Param, Put, Query } from '@nestjs/common';
import { Type } from '@sinclair/typebox';
import { StoreId } from '@signal/contracts';
import type { SynonymsDoc } from '../indices/documents';
import { queryKey } from '../behaviour/query-key';
import { badRequest } from '@signal/platform';
import { UrlQuery } from './http-query';
import { checkSynonyms } from './synonyms-input';
import { SynonymsService, type LearnedRewrite } from './synonyms.service';

const storeOnly = new UrlQuery(Type.Object({ storeId: StoreId }, { additionalProperties: false }));
const listQuery = new UrlQuery(Type.Object({ storeId: StoreId, limit: Type.Integer({ minimum: 1, maximum: 1_000 }) }, { additionalProperties: false }), ['limit']);
const dropQuery = new UrlQuery(Type.Object({ storeId: StoreId, from: Type.String({ minLength: 1, maxLength: 256 }) }, { additionalProperties: false }));

/**
 * Per-store synonyms and learned rewrites. Internal: the gateway proxies with the store of the
 * API key in the path.
 */
@Controller('v1/stores/:storeId/search')
export class SynonymsHttpController {
  constructor(private readonly synonyms: SynonymsService) {}

  @Get('synonyms')
  get(@Param('storeId') storeId: string, @Query() query: Record<string, unknown>): Promise<unknown> {
    return this.synonyms.get(storeOnly.parse({ ...query, storeId }).storeId);
  }

  /** Replaces the store's synonyms: `{ sets: string[][], oneWay?: { from, to[] }[] }`. */
  @Put('synonyms')
  put(@Param('storeId') storeId: string, @Query() query: Record<string, unknown>, @Body() body: unknown): Promise<SynonymsDoc> {
    const store = storeOnly.parse({ ...query, storeId }).storeId;
    const checked = checkSynonyms(body);
    if (!checked.ok) throw badRequest('Invalid synonyms', checked.errors);
    return this.synonyms.put(store, checked.value);
  }

  /** Learned rewrites (active ones are used by search), most supported first. */
  @Get('rewrites')
  async rewrites(@Param('storeId') storeId: string, @Query() query: Record<string, unknown>): Promise<{ rewrites: LearnedRewrite[] }> {
    const q = listQuery.parse({ ...query, storeId }, { limit: 100 });
    return { rewrites: await this.synonyms.rewrites(q.storeId, q.limit) };
  }

  /** Drops a bad learned rewrite; the same reformulation is not learned again. */
  @Delete('rewrites')
  drop(@Param('storeId') storeId: string, @Query() query: Record<string, unknown>): Promise<LearnedRewrite> {
    const q = dropQuery.parse({ ...query, storeId });
    const from = queryKey(q.from);
    if (!from) throw badRequest('Invalid query parameters', [{ field: 'from', message: 'Nothing left once normalized' }]);
    return this.synonyms.dropRewrite(q.storeId, from);
  }
}
