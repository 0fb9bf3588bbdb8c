import { Body, ConflictException, Controller, Delete, Get, HttpCode, Param, Post, Put, Query, Res } from '@nestjs/common';
import type { Response } from 'express';
import { badRequest, notFound, validId, validStoreId } from '../http/params';
import { SettingsService } from '../settings/settings.service';
import { checkRule } from './rules';
import { checkSegmentInput, type SegmentInputValue } from './segment-definition';
import type { SegmentRecord } from './segments.repository';
import { SegmentsService, type Preview } from './segments.service';

const MAX_PAGE = 1_000;

/** Segment definitions (the rule language: docs/segments.md), previews, members and exports. */
@Controller('v1/stores/:storeId/segments')
export class SegmentsHttpController {
  constructor(
    private readonly segments: SegmentsService,
    private readonly settings: SettingsService,
  ) {}

  @Get()
  async list(@Param('storeId') storeId: string): Promise<{ segments: SegmentRecord[] }> {
    return { segments: await this.segments.list(validStoreId(storeId)) };
  }

  @Post()
  async create(@Param('storeId') storeId: string, @Body() body: unknown): Promise<SegmentRecord> {
    const store = validStoreId(storeId);
    const input = await this.input(store, body);
    const created = await this.segments.create(store, input);
    if (!created) throw new ConflictException({ statusCode: 409, error: 'Conflict', message: `Segment ${input.segmentId ?? ''} already exists` });
    return created;
  }

  /** Count and a sample of the profiles a definition matches now; nothing is saved. */
  @Post('preview')
  @HttpCode(200)
  async preview(@Param('storeId') storeId: string, @Body() body: unknown): Promise<Preview> {
    const store = validStoreId(storeId);
    const definition = typeof body === 'object' && body !== null && !Array.isArray(body) ? (body as Record<string, unknown>)['definition'] : undefined;
    const checked = checkRule(definition, { sensitiveCategories: (await this.settings.get(store)).sensitiveCategories });
    if (!checked.ok) throw badRequest('Invalid segment definition', checked.errors.map((e) => ({ field: e.path, message: e.message })));
    return this.segments.preview(store, checked.rule);
  }

  @Get(':segmentId')
  async get(@Param('storeId') storeId: string, @Param('segmentId') segmentId: string): Promise<SegmentRecord & { members: number }> {
    const store = validStoreId(storeId);
    const id = validId(segmentId, 'segmentId');
    const found = await this.segments.get(store, id);
    if (!found) throw notFound('segment');
    return { ...found, members: await this.segments.count(store, id) };
  }

  @Put(':segmentId')
  async replace(@Param('storeId') storeId: string, @Param('segmentId') segmentId: string, @Body() body: unknown): Promise<SegmentRecord> {
    const store = validStoreId(storeId);
    const id = validId(segmentId, 'segmentId');
    const input = await this.input(store, body);
    if (input.segmentId !== undefined && input.segmentId !== id) throw badRequest('Invalid segment', [{ field: 'segmentId', message: 'differs from the id in the path' }]);
    const replaced = await this.segments.replace(store, id, input);
    if (!replaced) throw notFound('segment');
    return replaced;
  }

  @Delete(':segmentId')
  @HttpCode(204)
  async delete(@Param('storeId') storeId: string, @Param('segmentId') segmentId: string): Promise<void> {
    if (!(await this.segments.delete(validStoreId(storeId), validId(segmentId, 'segmentId')))) throw notFound('segment');
  }

  /** Members by profile id, a page at a time: `?after=<last profileId>&limit=`. */
  @Get(':segmentId/members')
  async members(@Param('storeId') storeId: string, @Param('segmentId') segmentId: string, @Query('limit') limit?: string, @Query('after') after?: string) {
    const store = validStoreId(storeId);
    const id = validId(segmentId, 'segmentId');
    const n = limit === undefined ? 100 : Number(limit);
    if (!Number.isInteger(n) || n < 1 || n > MAX_PAGE) throw badRequest('Invalid limit', [{ field: 'limit', message: `must be an integer from 1 to ${MAX_PAGE}` }]);
    const from = after === undefined ? '' : validId(after, 'after');
    if (!(await this.segments.get(store, id))) throw notFound('segment');
    const members = await this.segments.members(store, id, n, from);
    return { members, ...(members.length === n ? { next: members[members.length - 1]?.profileId } : {}) };
  }

  /** The members' e-mail addresses, SHA-256 hashed, one per line: a custom-audience upload. */
  @Get(':segmentId/export.csv')
  async export(@Param('storeId') storeId: string, @Param('segmentId') segmentId: string, @Res() res: Response): Promise<void> {
    const store = validStoreId(storeId);
    const id = validId(segmentId, 'segmentId');
    if (!(await this.segments.get(store, id))) throw notFound('segment');
    res.status(200).type('text/csv; charset=utf-8').setHeader('content-disposition', `attachment; filename="${id.replace(/[^A-Za-z0-9_.-]/g, '_')}.csv"`);
    try {
      for await (const chunk of this.segments.exportHashedEmails(store, id)) {
        if (!res.write(chunk)) await new Promise((r) => res.once('drain', r));
      }
      res.end();
    } catch (e) {
      // The status is sent: cut the connection so the client sees an incomplete file, not a short one.
      res.destroy(e as Error);
    }
  }

  private async input(storeId: string, body: unknown): Promise<SegmentInputValue> {
    const checked = checkSegmentInput(body, await this.settings.get(storeId));
    if (!checked.ok) throw badRequest('Invalid segment', checked.errors);
    return checked.value;
  }
}
