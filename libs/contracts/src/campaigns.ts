import { Type, type Static } from '@sinclair/typebox';
import { Id, StoreId, Timestamp } from './primitives';

/** Channels a campaign or journey message goes out on. */
export const MESSAGE_CHANNELS = ['email', 'push', 'webhook'] as const;
export type MessageChannel = (typeof MESSAGE_CHANNELS)[number];

/**
 * What happened to a message, in the order it usually happens. `held_out`: the shopper is in the
 * campaign's holdout group (nothing sent, counted for lift); `suppressed`: a delivery rule stopped it
 * (consent, frequency cap, unsubscribed, no address), with the rule in `reason`.
 */
export const MESSAGE_STATUSES = ['queued', 'sent', 'delivered', 'opened', 'clicked', 'failed', 'bounced', 'held_out', 'suppressed'] as const;
export type MessageStatus = (typeof MESSAGE_STATUSES)[number];

/** `campaign.messages.v1`: one record per status change of one message. */
export const CampaignMessage = Type.Object(
  {
    recordId: Type.String({ description: 'Unique per record; a record re-sent after a failure keeps it, so consumers can drop repeats.' }),
    messageId: Type.String({ description: 'The message; every status of one message carries the same id.' }),
    storeId: StoreId,
    profileId: Type.String(),
    campaignId: Type.String({ description: 'The campaign or journey that sent it.' }),
    kind: Type.Union([Type.Literal('journey'), Type.Literal('campaign')]),
    step: Type.Optional(Type.String({ description: 'The journey step that sent it.' })),
    channel: Type.Union(MESSAGE_CHANNELS.map((c) => Type.Literal(c))),
    status: Type.Union(MESSAGE_STATUSES.map((s) => Type.Literal(s))),
    reason: Type.Optional(Type.String({ maxLength: 500, description: 'Why: the failure, the rule that suppressed it, the bounce.' })),
    attempt: Type.Optional(Type.Integer({ minimum: 1, description: 'Delivery attempt (sent, failed).' })),
    holdout: Type.Boolean({ description: 'The shopper is in the holdout group of this campaign or journey.' }),
    triggeredBy: Type.Optional(Type.String({ description: 'What started it: an event id or a catalog change.' })),
    occurredAt: Timestamp('When the status changed.'),
  },
  { $id: 'CampaignMessage', additionalProperties: false },
);
export type CampaignMessage = Static<typeof CampaignMessage>;

/** Where an on-site decision is shown; a store may use its own names too. */
export const DECISION_PLACEMENTS = ['popup', 'cta', 'banner', 'bar', 'inline'] as const;

/** `GET /v1/decisions` query. */
export const DecisionQuery = Type.Object(
  {
    placement: Id('Where it will be shown: popup, cta, banner, bar, inline, or a name of the store.', 64),
    anonymousId: Type.Optional(Id('Browser or device id of the shopper.')),
    customerId: Type.Optional(Id("The store's customer id, once known.")),
    productId: Type.Optional(Id('The product on the page, if any.')),
    page: Type.Optional(Type.String({ maxLength: 2048, description: 'Page type or URL path, e.g. "product" or "/checkout".' })),
  },
  { additionalProperties: false, $id: 'DecisionQuery' },
);
export type DecisionQuery = Static<typeof DecisionQuery>;

/** `GET /v1/decisions` answer: what to show, or `content: null` and why not. */
export const DecisionAnswer = Type.Object(
  {
    decisionId: Type.String({ maxLength: 64, description: 'Names this answer in its impression, click and dismiss events.' }),
    placement: Type.String({ maxLength: 64 }),
    content: Type.Union([
      Type.Null(),
      Type.Object(
        { campaignId: Type.String(), variantId: Type.String(), kind: Type.String({ description: 'signup, offer, review, buy, products or info.' }) },
        { additionalProperties: true, description: 'title, body, cta {label, url}, image; offer {code, discount, expiresAt}; products.' },
      ),
    ]),
    reason: Type.String({ maxLength: 500 }),
  },
  { $id: 'DecisionAnswer' },
);
export type DecisionAnswer = Static<typeof DecisionAnswer>;
