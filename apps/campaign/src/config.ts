import { Type, type Static } from '@sinclair/typebox';
import { CommonConfig, DatabaseConfig, Var, httpPort } from '@signal/platform';

export const CampaignConfigSchema = Type.Object({
  ...httpPort(3005),
  ...CommonConfig,
  ...DatabaseConfig,
  // Channels
  SMTP_URL: Var.url({ description: 'SMTP server for e-mail, e.g. smtp://user:pass@mail.example.com:587 (smtps:// for implicit TLS).', protocols: ['smtp', 'smtps'], default: 'smtp://127.0.0.1:2525', sensitive: true }),
  MAIL_FROM: Var.string({ description: 'From address of campaign e-mail.', default: 'Shop <shop@example.com>' }),
  VAPID_PUBLIC_KEY: Var.optional(Var.string({ description: 'Web push VAPID public key (base64url). Without the pair, push is off (messages fail as "push not configured").' })),
  VAPID_PRIVATE_KEY: Var.optional(Var.string({ description: 'Web push VAPID private key (base64url).', sensitive: true })),
  VAPID_SUBJECT: Var.string({ description: 'VAPID subject: a mailto: or https: URL push services can reach the sender at.', default: 'mailto:ops@example.com' }),
  WEBHOOK_TIMEOUT_MS: Var.int({ description: 'How long a webhook call may take.', default: 5_000, minimum: 100, maximum: 60_000 }),
  // Links in messages (unsubscribe, click and open tracking) point at the gateway's public URL.
  PUBLIC_URL: Var.url({ description: 'Public base URL of the gateway, for links in messages.', protocols: ['http', 'https'], default: 'http://127.0.0.1:3000' }),
  LINK_SECRET: Var.string({ description: 'Secret that signs unsubscribe and tracking links (at least 16 characters; links signed with an old one stop working).', sensitive: true, minLength: 16 }),
  RECOMMENDER_URL: Var.url({ description: 'Base URL of the recommender service (products embedded in messages).', protocols: ['http', 'https'], default: 'http://127.0.0.1:3003' }),
  // Journeys and delivery
  JOURNEY_POLL_MS: Var.int({ description: 'How often due journey steps (timers) are looked for.', default: 1_000, minimum: 50, maximum: 60_000 }),
  OUTBOX_POLL_MS: Var.int({ description: 'How often queued messages are looked for.', default: 500, minimum: 50, maximum: 60_000 }),
  SEND_CONCURRENCY: Var.int({ description: 'Messages sent at once by one replica.', default: 8, minimum: 1, maximum: 256 }),
  SEND_MAX_ATTEMPTS: Var.int({ description: 'Delivery attempts before a message fails for good.', default: 6, minimum: 1, maximum: 50 }),
  SEND_RETRY_BASE_MS: Var.int({ description: 'First retry delay; doubles per attempt (with jitter).', default: 30_000, minimum: 10, maximum: 3_600_000 }),
});
export type CampaignConfig = Static<typeof CampaignConfigSchema>;
export const CAMPAIGN_CONFIG = Symbol('CAMPAIGN_CONFIG');
