import type { Provider, Type } from '@nestjs/common';
import { DeliverySettingsHttpController, MessagesHttpController } from './delivery.http.controller';
import { DeliverySettingsService } from './delivery-settings';
import { MessagesService } from './messages.service';
import { Outbox } from './outbox';
import { OUTBOX } from './outbox.types';
import { MessagesFollowProfiles } from './profile-moves';
import { DeliveryRelay } from './relay';
import { Sender } from './sender';

/** The delivery part of the campaign service (outbox, delivery rules, sender): what app.module.ts wires in. */
export const DELIVERY_CONTROLLERS: Type[] = [DeliverySettingsHttpController, MessagesHttpController];
export const DELIVERY_PROVIDERS: Provider[] = [
  Outbox,
  { provide: OUTBOX, useExisting: Outbox },
  DeliverySettingsService,
  MessagesService,
  DeliveryRelay,
  Sender,
  MessagesFollowProfiles,
];

/** Classes of this part that react to audience facts (each a FactHandler provider listed above). */
export const DELIVERY_FACT_HANDLERS: Type[] = [MessagesFollowProfiles];
