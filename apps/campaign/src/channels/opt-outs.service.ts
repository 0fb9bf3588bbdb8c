import { Injectable } from '@nestjs/common';
import { InjectDataSource } from '@nestjs/typeorm';
import { metricsRegistry } from '@signal/platform';
import { createHash } from 'node:crypto';
import { Counter } from 'prom-client';
import type { DataSource } from 'typeorm';
import { tokenDigest, type UnsubscribeToken } from './links';
import { ShopperEvents } from './shopper-events';

const bounces = new Counter({ name: 'campaign_email_bounces_total', help: 'Bounces reported to the bounce endpoint', labelNames: ['kind'], registers: [metricsRegistry] });

export interface BounceResult {
  kind: 'hard' | 'soft';
  /** Shoppers of the store whose e-mail is now suppressed. */
  suppressed: number;
}

/**
 * Shoppers who must not be messaged on a channel any more: an unsubscribe link, a hard bounce. The
 * suppression is stored here first (so nothing goes out while the profile catches up), then the
 * consent change goes to events.raw.v1 for the profile service. Both steps are idempotent, so a
 * caller that saw an error simply repeats.
 */
@Injectable()
export class OptOutsService {
  constructor(
    @InjectDataSource() private readonly db: DataSource,
    private readonly events: ShopperEvents,
  ) {}

  async unsubscribe(token: UnsubscribeToken, raw: string): Promise<void> {
    await this.db.query(
      `INSERT INTO "campaign"."suppressions" ("store_id", "profile_id", "channel", "reason", "at") VALUES ($1, $2, $3, 'unsubscribe', now())
       ON CONFLICT ("store_id", "profile_id", "channel") DO NOTHING`,
      [token.storeId, token.profileId, token.channel],
    );
    await this.events.publish([{ eventId: tokenDigest('unsub', raw), storeId: token.storeId, profileId: token.profileId, type: 'unsubscribe', properties: { channel: token.channel } }]);
  }

  /** A hard bounce suppresses e-mail for every shopper of the store with that address; a soft one is only counted. */
  async bounce(storeId: string, email: string, kind: 'hard' | 'soft', now = new Date()): Promise<BounceResult> {
    bounces.inc({ kind });
    if (kind === 'soft') return { kind, suppressed: 0 };
    const rows: { profile_id: string }[] = await this.db.query(
      `INSERT INTO "campaign"."suppressions" ("store_id", "profile_id", "channel", "reason", "at")
       SELECT "store_id", "profile_id", 'email', 'bounce', now() FROM "campaign"."shoppers" WHERE "store_id" = $1 AND lower("email") = lower($2)
       ON CONFLICT ("store_id", "profile_id", "channel") DO UPDATE SET "reason" = 'bounce', "at" = now()
       RETURNING "profile_id"`,
      [storeId, email],
    );
    // One event per shopper and day: a provider repeating its webhook does not repeat the consent change.
    const day = now.toISOString().slice(0, 10);
    const id = (profileId: string) => `bounce-${createHash('sha256').update(`${storeId}:${profileId}:${email.toLowerCase()}:${day}`).digest('hex').slice(0, 40)}`;
    await this.events.publish(
      rows.map((r) => ({ eventId: id(r.profile_id), storeId, profileId: r.profile_id, type: 'consent' as const, properties: { email: false } })),
      this.db,
      now,
    );
    return { kind, suppressed: rows.length };
  }
}
