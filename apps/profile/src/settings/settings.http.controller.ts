import { Body, Controller, Get, Param, Put } from '@nestjs/common';
import { badRequest, validStoreId } from '../http/params';
import { checkSettings, SettingsService } from './settings.service';
import type { StoreSettings } from './store-settings';

/** A store's profile settings: affinity half-life and weights, price bands, stage thresholds, sensitive categories. */
@Controller('v1/stores/:storeId/settings')
export class SettingsHttpController {
  constructor(private readonly settings: SettingsService) {}

  @Get()
  get(@Param('storeId') storeId: string): Promise<StoreSettings> {
    return this.settings.get(validStoreId(storeId));
  }

  /** Replaces the settings; fields left out take their defaults. */
  @Put()
  put(@Param('storeId') storeId: string, @Body() body: unknown): Promise<StoreSettings> {
    const store = validStoreId(storeId);
    const checked = checkSettings(body);
    if (!checked.ok) throw badRequest('Invalid settings', checked.errors);
    return this.settings.put(store, checked.settings);
  }
}
