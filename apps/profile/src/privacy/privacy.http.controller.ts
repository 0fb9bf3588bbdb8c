import { Controller, Delete, Get, Param } from '@nestjs/common';
import type { PrivacyErasure } from '@signal/contracts';
import { notFound, validId, validStoreId } from '../http/params';
import { PrivacyService } from './privacy.service';

/** Erasure and data export for one person (GDPR articles 17 and 15). */
@Controller('v1/stores/:storeId/profiles/:profileId')
export class PrivacyHttpController {
  constructor(private readonly privacy: PrivacyService) {}

  @Get('export')
  async export(@Param('storeId') storeId: string, @Param('profileId') profileId: string): Promise<Record<string, unknown>> {
    const found = await this.privacy.export(validStoreId(storeId), validId(profileId, 'profileId'));
    if (!found) throw notFound('profile');
    return found;
  }

  /** Answers what was erased: the profile id and the identities that went with it. */
  @Delete()
  async erase(@Param('storeId') storeId: string, @Param('profileId') profileId: string): Promise<PrivacyErasure> {
    const erased = await this.privacy.erase(validStoreId(storeId), validId(profileId, 'profileId'));
    if (!erased) throw notFound('profile');
    return erased;
  }
}
