import { Body, Controller, Get, Param, Put, Query } from '@nestjs/common';
import { Id, Validator } from '@signal/contracts';
import { badRequest, validStoreId } from '@signal/platform';
import { Type } from '@sinclair/typebox';
import { DeliverySettingsService, checkDeliverySettings, type DeliverySettings } from './delivery-settings';
import { MessagesService, type MessageSummary } from './messages.service';

/** Frequency cap, quiet hours and default time zone of a store. */
@Controller('v1/stores/:storeId/delivery-settings')
export class DeliverySettingsHttpController {
  constructor(private readonly settings: DeliverySettingsService) {}

  @Get()
  get(@Param('storeId') storeId: string): Promise<DeliverySettings> {
    return this.settings.get(validStoreId(storeId));
  }

  /** Replaces the settings; fields left out take their defaults. */
  @Put()
  put(@Param('storeId') storeId: string, @Body() body: unknown): Promise<DeliverySettings> {
    const store = validStoreId(storeId);
    const checked = checkDeliverySettings(body);
    if (!checked.ok) throw badRequest('Invalid delivery settings', checked.errors);
    return this.settings.put(store, checked.value);
  }
}

const MessagesQuery = Type.Object(
  {
    profileId: Type.Optional(Id('Only this shopper.', 64)),
    campaignId: Type.Optional(Id('Only this campaign or journey.')),
    limit: Type.Optional(Type.String({ pattern: '^(200|1[0-9]{2}|[1-9][0-9]?)$', description: '1 to 200; 50 when absent.' })),
  },
  { additionalProperties: false },
);
const messagesQuery = new Validator(MessagesQuery);

/** What happened to a store's messages, newest first, for support ("why did I get this / not get this?"). */
@Controller('v1/stores/:storeId/messages')
export class MessagesHttpController {
  constructor(private readonly messages: MessagesService) {}

  @Get()
  async list(@Param('storeId') storeId: string, @Query() query: Record<string, unknown>): Promise<{ messages: MessageSummary[] }> {
    const store = validStoreId(storeId);
    const checked = messagesQuery.validate(query);
    if (!checked.ok) throw badRequest('Invalid query', checked.errors);
    const q = checked.value;
    return { messages: await this.messages.list(store, { profileId: q.profileId, campaignId: q.campaignId, limit: q.limit ? Number(q.limit) : 50 }) };
  }
}
