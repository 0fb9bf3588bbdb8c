import { Controller, HttpCode, Post } from '@nestjs/common';
import { IndexAdmin, type ReindexResult } from './index-admin';

/** Operator endpoint: rebuild the products index under a fresh name and swap the alias (no downtime). */
@Controller('v1/search/admin')
export class SearchAdminHttpController {
  constructor(private readonly admin: IndexAdmin) {}

  @Post('reindex')
  @HttpCode(200)
  reindex(): Promise<ReindexResult> {
    return this.admin.reindex();
  }
}
