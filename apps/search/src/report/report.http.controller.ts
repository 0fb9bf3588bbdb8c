import { Controller, Get, Param, Query } from '@nestjs/common';
import { Type } from '@sinclair/typebox';
import { StoreId } from '@signal/contracts';
import { UrlQuery } from '../synonyms/http-query';
import { REPORT_LIMITS, type SearchReport } from './report-shape';
import { ReportService } from './report.service';

const reportQuery = new UrlQuery(Type.Object({ storeId: StoreId, limit: Type.Integer({ minimum: 1, maximum: REPORT_LIMITS.maxLimit }) }, { additionalProperties: false }), ['limit']);

/** Internal: the gateway proxies with the store of the API key in the path. */
@Controller('v1/stores/:storeId/search/report')
export class ReportHttpController {
  constructor(private readonly reports: ReportService) {}

  /** Zero-result queries, high-exit queries and learned rewrites of a store (`limit` rows each). */
  @Get()
  report(@Param('storeId') storeId: string, @Query() query: Record<string, unknown>): Promise<SearchReport> {
    const q = reportQuery.parse({ ...query, storeId }, { limit: REPORT_LIMITS.defaultLimit });
    return this.reports.report(q.storeId, q.limit);
  }
}
