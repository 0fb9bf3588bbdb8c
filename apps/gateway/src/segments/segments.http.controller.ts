import { Controller, Delete, Get, Param, Post, Put, Req, Res } from '@nestjs/common';
import type { Request, Response } from 'express';
import { CallerStore, RequireKey } from '../api-keys/api-key.guard';
import { ProfileClient } from '../upstream/profile-client';
import { upstreamPath } from '../upstream/upstream-client';
import { UpstreamId, callFrom } from '../upstream/upstream-call';

/** Segment definitions, previews, members and exports, all the profile service's. */
@Controller('v1/segments')
export class SegmentsHttpController {
  constructor(private readonly profile: ProfileClient) {}

  @Post()
  @RequireKey('secret')
  create(@CallerStore() storeId: string, @Req() req: Request, @Res() res: Response) {
    return this.profile.pipe(callFrom(req, res, storeId, upstreamPath`/segments`), res);
  }

  @Get()
  @RequireKey('secret')
  list(@CallerStore() storeId: string, @Req() req: Request, @Res() res: Response) {
    return this.profile.pipe(callFrom(req, res, storeId, upstreamPath`/segments`), res);
  }

  /** Counts the profiles a definition would hold: scans them, hence the slow timeout. */
  @Post('preview')
  @RequireKey('secret')
  preview(@CallerStore() storeId: string, @Req() req: Request, @Res() res: Response) {
    return this.profile.pipe(callFrom(req, res, storeId, upstreamPath`/segments/preview`, { slow: true }), res);
  }

  @Get(':segmentId')
  @RequireKey('secret')
  read(@CallerStore() storeId: string, @Param('segmentId', UpstreamId) id: string, @Req() req: Request, @Res() res: Response) {
    return this.profile.pipe(callFrom(req, res, storeId, upstreamPath`/segments/${id}`), res);
  }

  @Put(':segmentId')
  @RequireKey('secret')
  replace(@CallerStore() storeId: string, @Param('segmentId', UpstreamId) id: string, @Req() req: Request, @Res() res: Response) {
    return this.profile.pipe(callFrom(req, res, storeId, upstreamPath`/segments/${id}`), res);
  }

  @Delete(':segmentId')
  @RequireKey('secret')
  remove(@CallerStore() storeId: string, @Param('segmentId', UpstreamId) id: string, @Req() req: Request, @Res() res: Response) {
    return this.profile.pipe(callFrom(req, res, storeId, upstreamPath`/segments/${id}`), res);
  }

  /** `?limit=&after=` pages through the members. */
  @Get(':segmentId/members')
  @RequireKey('secret')
  members(@CallerStore() storeId: string, @Param('segmentId', UpstreamId) id: string, @Req() req: Request, @Res() res: Response) {
    return this.profile.pipe(callFrom(req, res, storeId, upstreamPath`/segments/${id}/members`), res);
  }

  /** Every member as CSV, streamed through as it comes; the slow timeout applies between chunks. */
  @Get(':segmentId/export.csv')
  @RequireKey('secret')
  exportCsv(@CallerStore() storeId: string, @Param('segmentId', UpstreamId) id: string, @Req() req: Request, @Res() res: Response) {
    return this.profile.pipe(callFrom(req, res, storeId, upstreamPath`/segments/${id}/export.csv`, { slow: true }), res);
  }
}
