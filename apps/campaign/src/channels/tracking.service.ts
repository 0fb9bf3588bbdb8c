import { Injectable } from '@nestjs/common';
import { MessageLog } from '../message-log';
import { tokenDigest, type TrackingToken } from './links';
import { ShopperEvents } from './shopper-events';

/**
 * Opens and clicks: an `opened` / `clicked` status on campaign.messages.v1 and a campaign_open /
 * campaign_click event for the shopper's profile. Ids derive from the token, so the same pixel or
 * link fetched again (mail clients and scanners do) is recognisable as a repeat downstream.
 */
@Injectable()
export class TrackingService {
  constructor(
    private readonly log: MessageLog,
    private readonly events: ShopperEvents,
  ) {}

  async record(token: TrackingToken, raw: string): Promise<void> {
    const status = token.k === 'open' ? 'opened' : 'clicked';
    const id = tokenDigest(token.k, raw);
    await Promise.all([
      this.log.record([
        { recordId: id, messageId: token.messageId, storeId: token.storeId, profileId: token.profileId, campaignId: token.campaignId, kind: token.kind, channel: token.channel, status, holdout: false },
      ]),
      this.events.publish([
        {
          eventId: id,
          storeId: token.storeId,
          profileId: token.profileId,
          type: token.k === 'open' ? 'campaign_open' : 'campaign_click',
          properties: { campaignId: token.campaignId, messageId: token.messageId, channel: token.channel, ...(token.url ? { url: token.url } : {}) },
        },
      ]),
    ]);
  }
}
