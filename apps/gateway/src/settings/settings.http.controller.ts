import { Controller, Get, Put, Req, Res } from '@nestjs/common';
import type { Request, Response } from 'express';
import { CallerStore, RequireKey } from '../api-keys/api-key.guard';
import { ProfileClient } from '../upstream/profile-client';
import { upstreamPath } from '../upstream/upstream-client';
import { callFrom } from '../upstream/upstream-call';

/** The store's personalization settings, kept by the profile service. */
@Controller('v1/settings')
export class SettingsHttpController {
  constructor(private readonly profile: ProfileClient) {}

  @Get()
  @RequireKey('secret')
  read(@CallerStore() storeId: string, @Req() req: Request, @Res() res: Response) {
    return this.profile.pipe(callFrom(req, res, storeId, upstreamPath`/settings`), res);
  }

  @Put()
  @RequireKey('secret')
  replace(@CallerStore() storeId: string, @Req() req: Request, @Res() res: Response) {
    return this.profile.pipe(callFrom(req, res, storeId, upstreamPath`/settings`), res);
  }
}
