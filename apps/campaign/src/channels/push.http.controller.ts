import { Controller, Get, NotFoundException, Param } from '@nestjs/common';
import { validStoreId } from '@signal/platform';
import { PushChannel } from './push.channel';

/** What a browser needs to subscribe to web push; the subscription itself arrives as a push_subscribed event. */
@Controller('v1/stores/:storeId/push')
export class PushHttpController {
  constructor(private readonly push: PushChannel) {}

  @Get('vapid-public-key')
  publicKey(@Param('storeId') storeId: string): { publicKey: string } {
    validStoreId(storeId);
    const publicKey = this.push.publicKey;
    if (!publicKey) throw new NotFoundException({ statusCode: 404, error: 'Not Found', message: 'Web push is not configured (VAPID_PUBLIC_KEY and VAPID_PRIVATE_KEY are unset)' });
    return { publicKey };
  }
}
