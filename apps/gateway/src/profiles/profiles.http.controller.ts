import { Controller, Delete, Get, Param, Req, Res } from '@nestjs/common';
import type { Request, Response } from 'express';
import { CallerStore, RequireKey } from '../api-keys/api-key.guard';
import { ProfileClient } from '../upstream/profile-client';
import { upstreamPath } from '../upstream/upstream-client';
import { UpstreamId, callFrom } from '../upstream/upstream-call';

/** Profiles are the profile service's: reads, the GDPR export and erasure are forwarded for the key's store. */
@Controller('v1/profiles')
export class ProfilesHttpController {
  constructor(private readonly profile: ProfileClient) {}

  /** `?anonymousId=` or `?customerId=`. */
  @Get()
  @RequireKey('secret')
  lookup(@CallerStore() storeId: string, @Req() req: Request, @Res() res: Response) {
    return this.profile.pipe(callFrom(req, res, storeId, upstreamPath`/profiles`), res);
  }

  @Get(':id')
  @RequireKey('secret')
  byId(@CallerStore() storeId: string, @Param('id', UpstreamId) id: string, @Req() req: Request, @Res() res: Response) {
    return this.profile.pipe(callFrom(req, res, storeId, upstreamPath`/profiles/${id}`), res);
  }

  @Get(':id/segments')
  @RequireKey('secret')
  segments(@CallerStore() storeId: string, @Param('id', UpstreamId) id: string, @Req() req: Request, @Res() res: Response) {
    return this.profile.pipe(callFrom(req, res, storeId, upstreamPath`/profiles/${id}/segments`), res);
  }

  @Get(':id/export')
  @RequireKey('secret')
  export(@CallerStore() storeId: string, @Param('id', UpstreamId) id: string, @Req() req: Request, @Res() res: Response) {
    return this.profile.pipe(callFrom(req, res, storeId, upstreamPath`/profiles/${id}/export`), res);
  }

  /** Erasure. */
  @Delete(':id')
  @RequireKey('secret')
  erase(@CallerStore() storeId: string, @Param('id', UpstreamId) id: string, @Req() req: Request, @Res() res: Response) {
    return this.profile.pipe(callFrom(req, res, storeId, upstreamPath`/profiles/${id}`), res);
  }
}
