import type { Provider, Type } from '@nestjs/common';
import { BouncesHttpController } from './bounces.http.controller';
import { CHANNELS, type Channels } from './channel';
import { EmailChannel } from './email.channel';
import { Links } from './links';
import { LinksHttpController } from './links.http.controller';
import { OptOutsService } from './opt-outs.service';
import { PushChannel } from './push.channel';
import { PushHttpController } from './push.http.controller';
import { ShopperEvents } from './shopper-events';
import { TrackingService } from './tracking.service';
import { WebhookChannel } from './webhook.channel';

export { CHANNELS, type Channel, type Channels, type DeliveryResult, type OutgoingMessage } from './channel';
export { Links } from './links';
export { TemplateError, compileTemplate, productContext, render, renderEmail } from './templates';
export { verifyWebhookSignature } from './webhook.channel';

/** The channels part of the campaign service: what app.module.ts wires in. */
export const CHANNEL_CONTROLLERS: Type[] = [LinksHttpController, BouncesHttpController, PushHttpController];
export const CHANNEL_PROVIDERS: Provider[] = [
  EmailChannel,
  PushChannel,
  WebhookChannel,
  // EmailChannel closes its SMTP pool itself (OnModuleDestroy): Nest runs the hook on the class provider.
  { provide: CHANNELS, useFactory: (email: EmailChannel, push: PushChannel, webhook: WebhookChannel): Channels => ({ email, push, webhook }), inject: [EmailChannel, PushChannel, WebhookChannel] },
  Links,
  ShopperEvents,
  OptOutsService,
  TrackingService,
];

/** Classes of this part that react to audience facts (each a FactHandler provider listed above). */
export const CHANNEL_FACT_HANDLERS: Type[] = [];
