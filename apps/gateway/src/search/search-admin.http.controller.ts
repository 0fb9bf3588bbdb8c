import { Controller, Delete, Get, Put, Req, Res } from '@nestjs/common';
import type { Request, Response } from 'express';
import { CallerStore, RequireKey } from '../api-keys/api-key.guard';
import { SearchClient } from '../upstream/search-client';
import { callFrom } from '../upstream/upstream-call';
import { upstreamPath } from '../upstream/upstream-client';

/** The store's side of search: synonyms, learned rewrites, and the queries that lead nowhere. Secret key. */
@Controller('v1/search')
export class SearchAdminHttpController {
  constructor(private readonly search: SearchClient) {}

  @Get('synonyms')
  @RequireKey('secret')
  synonyms(@CallerStore() storeId: string, @Req() req: Request, @Res() res: Response) {
    return this.search.pipe(callFrom(req, res, storeId, upstreamPath`/search/synonyms`), res);
  }

  @Put('synonyms')
  @RequireKey('secret')
  replaceSynonyms(@CallerStore() storeId: string, @Req() req: Request, @Res() res: Response) {
    return this.search.pipe(callFrom(req, res, storeId, upstreamPath`/search/synonyms`), res);
  }

  @Get('rewrites')
  @RequireKey('secret')
  rewrites(@CallerStore() storeId: string, @Req() req: Request, @Res() res: Response) {
    return this.search.pipe(callFrom(req, res, storeId, upstreamPath`/search/rewrites`), res);
  }

  @Delete('rewrites')
  @RequireKey('secret')
  dropRewrite(@CallerStore() storeId: string, @Req() req: Request, @Res() res: Response) {
    return this.search.pipe(callFrom(req, res, storeId, upstreamPath`/search/rewrites`), res);
  }

  @Get('report')
  @RequireKey('secret')
  report(@CallerStore() storeId: string, @Req() req: Request, @Res() res: Response) {
    return this.search.pipe(callFrom(req, res, storeId, upstreamPath`/search/report`), res);
  }
}
