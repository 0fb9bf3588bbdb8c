import { Inject, Injectable, Logger, Optional, type OnApplicationBootstrap, type OnModuleDestroy } from '@nestjs/common';
import { InjectDataSource } from '@nestjs/typeorm';
import { TOPICS, shopperKey, type RawEvent } from '@signal/contracts';
import { randomUUID } from 'node:crypto';
import type { DataSource, EntityManager } from 'typeorm';
import { CHANNELS, type Channels, type DeliveryResult, type EmailContent, type OutgoingMessage, type PushContent, type WebhookContent } from '../channels/channel';
import { CAMPAIGN_CONFIG, type CampaignConfig } from '../config';
import { DeliverySettingsService } from './delivery-settings';
import { messageOutcomes, outboxDepth, sendSeconds } from './metrics';
import { queueEvents, statusEvent, type MessageHead, type PendingEvent } from './records';
import { DeliveryRelay } from './relay';
import { afterFailure, decide, retryDelayMs, type Decision } from './rules';

/**
 * How long a claim holds. A replica that dies mid-send leaves its messages in `sending`; another
 * claims them once this has passed. It must exceed the longest send (SMTP and webhook timeouts),
 * or a slow send could be claimed and sent a second time.
 */
export const LEASE_MS = 5 * 60_000;
const DEPTH_EVERY_MS = 5_000;

export interface ClaimedMessage extends MessageHead {
  content: EmailContent | PushContent | WebhookContent;
  to: string | null;
  webhook_secret: string | null;
  attempts: number;
  delivered_to: string[];
  lease: string;
}

interface Attempt {
  to: string;
  result: DeliveryResult;
}

/** TypeORM answers an UPDATE or DELETE on Postgres with `[rows, rowCount]`: its rows. */
export const updatedRows = <T>(result: unknown): T[] =>
  (Array.isArray(result) && result.length === 2 && Array.isArray(result[0]) && typeof result[1] === 'number' ? result[0] : result) as T[];

const pushEndpoint = (to: string): string | null => {
  try {
    const parsed = JSON.parse(to) as { endpoint?: unknown };
    return typeof parsed.endpoint === 'string' ? parsed.endpoint : null;
  } catch {
    return null;
  }
};

/**
 * Sends what the outbox holds. Every replica runs one: messages are claimed with FOR UPDATE SKIP
 * LOCKED under a lease, and every state change after that is guarded by the lease, so two
 * replicas never both act on one message. The delivery rules run at send time (consent and
 * addresses as they are now), see rules.ts.
 */
@Injectable()
export class Sender implements OnApplicationBootstrap, OnModuleDestroy {
  private readonly logger = new Logger(Sender.name);
  private timer: NodeJS.Timeout | undefined;
  private stopping = false;
  private claiming = false;
  private inFlight = 0;
  private depthAt = 0;

  constructor(
    @InjectDataSource() private readonly db: DataSource,
    @Inject(CAMPAIGN_CONFIG) private readonly config: CampaignConfig,
    private readonly settings: DeliverySettingsService,
    private readonly relay: DeliveryRelay,
    @Optional() @Inject(CHANNELS) private readonly channels?: Channels,
  ) {}

  onApplicationBootstrap(): void {
    if (!this.channels) {
      // Messages stay queued (nothing lost) until a build with channels runs.
      this.logger.error('No channels are configured: queued messages wait');
      return;
    }
    this.timer = setInterval(() => void this.tick(), this.config.OUTBOX_POLL_MS);
    this.timer.unref();
  }

  async onModuleDestroy(): Promise<void> {
    this.stopping = true;
    clearInterval(this.timer);
    // Let sends in flight finish and record their outcome before the database closes.
    const deadline = Date.now() + 30_000;
    while ((this.inFlight > 0 || this.claiming) && Date.now() < deadline) await new Promise((r) => setTimeout(r, 20));
  }

  /** Claims what fits under SEND_CONCURRENCY and sends it; finishing sends claim more at once. */
  async tick(): Promise<void> {
    if (this.claiming || this.stopping) return;
    this.claiming = true;
    try {
      await this.updateDepth();
      const room = this.config.SEND_CONCURRENCY - this.inFlight;
      if (room <= 0) return;
      const claimed = await this.claim(room);
      for (const m of claimed) {
        this.inFlight++;
        void this.process(m)
          .catch((e: unknown) => this.logger.error({ err: e, messageId: m.message_id }, 'Delivery failed unexpectedly; the lease returns it'))
          .finally(() => {
            this.inFlight--;
            if (!this.stopping) setImmediate(() => void this.tick());
          });
      }
    } catch (e) {
      this.logger.warn({ err: e }, 'Claiming messages failed; retrying on the next poll');
    } finally {
      this.claiming = false;
    }
  }

  /**
   * Due queued messages, and `sending` ones whose lease ran out (a replica died mid-send). Only
   * messages whose earlier status records have been published, so readers see queued before sent.
   */
  private async claim(limit: number): Promise<ClaimedMessage[]> {
    const lease = randomUUID();
    return updatedRows<ClaimedMessage>(await this.db.query(
      `WITH due AS (
         SELECT "store_id", "message_id" FROM "campaign"."messages" m
         WHERE "state" IN ('queued', 'sending') AND "next_attempt_at" <= now()
           AND NOT EXISTS (SELECT 1 FROM "campaign"."delivery_events" e WHERE e."message_id" = m."message_id")
         ORDER BY "next_attempt_at" LIMIT $1 FOR UPDATE SKIP LOCKED)
       UPDATE "campaign"."messages" m SET "state" = 'sending', "lease" = $2, "next_attempt_at" = now() + make_interval(secs => $3::double precision / 1000), "cleared_at" = NULL
       FROM due WHERE m."store_id" = due."store_id" AND m."message_id" = due."message_id"
       RETURNING m."store_id", m."message_id", m."profile_id", m."campaign_id", m."kind", m."step", m."channel", m."holdout", m."triggered_by",
         m."content", m."to", m."webhook_secret", m."attempts", m."delivered_to", m."lease"`,
      [limit, lease, LEASE_MS],
    ));
  }

  async process(m: ClaimedMessage): Promise<void> {
    const decision = await this.applyRules(m);
    if (!decision || decision.action !== 'send') return;
    const attempts: Attempt[] = [];
    for (const to of decision.to.filter((t) => !m.delivered_to.includes(t))) attempts.push({ to, result: await this.sendOne(m, to) });
    await this.recordOutcome(m, attempts);
  }

  /** The rules in one transaction under a per-shopper lock, so concurrent sends to one shopper count each other against the cap. */
  private async applyRules(m: ClaimedMessage): Promise<Decision | null> {
    const events: PendingEvent[] = [];
    const decision = await this.db.transaction(async (tx) => {
      await tx.query(`SELECT pg_advisory_xact_lock(hashtextextended($1, 0))`, [`${m.store_id}:${m.profile_id}`]);
      const [shopper]: { email: string | null; consent_email: boolean | null; consent_push: boolean | null; timezone: string | null }[] = await tx.query(
        `SELECT "email", "consent_email", "consent_push", "timezone" FROM "campaign"."shoppers" WHERE "store_id" = $1 AND "profile_id" = $2`,
        [m.store_id, m.profile_id],
      );
      const [suppression]: { reason: string }[] = await tx.query(`SELECT "reason" FROM "campaign"."suppressions" WHERE "store_id" = $1 AND "profile_id" = $2 AND "channel" = $3`, [
        m.store_id,
        m.profile_id,
        m.channel,
      ]);
      const subscriptions: { to: string }[] =
        m.channel === 'push'
          ? await tx.query(
              `SELECT json_build_object('endpoint', "endpoint", 'keys', json_build_object('p256dh', "p256dh", 'auth', "auth"))::text AS "to"
               FROM "campaign"."push_subscriptions" WHERE "store_id" = $1 AND "profile_id" = $2 ORDER BY "endpoint"`,
              [m.store_id, m.profile_id],
            )
          : [];
      // Sent in the last 24 h, plus those other workers cleared and are sending right now.
      const [{ n }]: { n: number }[] = await tx.query(
        `SELECT count(*)::int AS n FROM "campaign"."messages"
         WHERE "store_id" = $1 AND "profile_id" = $2 AND "message_id" <> $3
           AND ("sent_at" > now() - interval '24 hours' OR ("state" = 'sending' AND "cleared_at" IS NOT NULL))`,
        [m.store_id, m.profile_id, m.message_id],
      );
      const d = decide({
        channel: m.channel,
        suppression: suppression?.reason ?? null,
        shopper: shopper ? { email: shopper.email, consentEmail: shopper.consent_email, consentPush: shopper.consent_push, timezone: shopper.timezone } : null,
        pushSubscriptions: subscriptions.map((s) => s.to),
        webhookUrl: m.to,
        settings: await this.settings.get(m.store_id, tx),
        sentLast24h: n,
        now: new Date(),
      });
      let held: boolean;
      if (d.action === 'suppress') {
        held = await this.guarded(tx, m, `"state" = 'suppressed', "reason" = $4, "lease" = NULL`, [d.reason]);
        events.push(statusEvent(m, 'suppressed', { reason: d.reason }));
      } else if (d.action === 'defer') {
        // Not dropped: queued again for the end of the quiet period, when the rules run afresh.
        held = await this.guarded(tx, m, `"state" = 'queued', "reason" = $4, "next_attempt_at" = $5, "deferred_at" = now(), "lease" = NULL`, [d.reason, d.until.toISOString()]);
      } else {
        held = await this.guarded(tx, m, `"cleared_at" = now(), "reason" = NULL`);
      }
      if (!held) return null; // the lease ran out and another replica has it
      await queueEvents(tx, events);
      return d;
    });
    if (decision && decision.action !== 'send') {
      messageOutcomes.inc({ channel: m.channel, outcome: decision.action === 'suppress' ? 'suppressed' : 'deferred' });
      if (events.length) this.relay.kick();
    }
    return decision;
  }

  /** Applies `set` if this replica still holds the message's lease; false when another one took it over. */
  private async guarded(tx: EntityManager, m: ClaimedMessage, set: string, params: unknown[] = []): Promise<boolean> {
    const result: unknown = await tx.query(
      `UPDATE "campaign"."messages" SET ${set} WHERE "store_id" = $1 AND "message_id" = $2 AND "state" = 'sending' AND "lease" = $3 RETURNING 1`,
      [m.store_id, m.message_id, m.lease, ...params],
    );
    return updatedRows(result).length > 0;
  }

  private async sendOne(m: ClaimedMessage, to: string): Promise<DeliveryResult> {
    const channel = this.channels?.[m.channel];
    if (!channel) return { ok: false, permanent: false, reason: `no ${m.channel} channel` };
    const message: OutgoingMessage = {
      // The message id travels as the e-mail Message-ID / webhook id / push payload id: a resend after a crash is recognisable downstream.
      messageId: m.message_id,
      storeId: m.store_id,
      profileId: m.profile_id,
      channel: m.channel,
      to,
      // The secret is kept apart from the content (never shown by the messages API) and joins it only here.
      content: m.channel === 'webhook' && m.webhook_secret ? { ...(m.content as WebhookContent), secret: m.webhook_secret } : m.content,
    };
    const end = sendSeconds.startTimer({ channel: m.channel });
    try {
      return await channel.send(message);
    } catch (e) {
      // A channel that throws has not told us it was permanent: try again later.
      return { ok: false, permanent: false, reason: e instanceof Error ? e.message : String(e) };
    } finally {
      end();
    }
  }

  /**
   * One outcome per attempt. For push, one browser that took it is enough (a second try would
   * notify the others twice); otherwise any transient failure retries, else it failed for good.
   */
  private async recordOutcome(m: ClaimedMessage, attempts: Attempt[]): Promise<void> {
    const attempt = m.attempts + 1;
    const ok = attempts.filter((a) => a.result.ok);
    const failures = attempts.flatMap((a) => (a.result.ok ? [] : [{ to: a.to, ...a.result }]));
    const gone = failures.filter((f) => f.addressGone);
    const reason = failures.map((f) => f.reason).join('; ').slice(0, 1000) || 'no address left';
    const outcome = ok.length > 0 ? 'sent' : afterFailure(attempt, this.config.SEND_MAX_ATTEMPTS, failures.length > 0 && failures.every((f) => f.permanent));
    const events: PendingEvent[] = [];
    await this.db.transaction(async (tx) => {
      let held: boolean;
      if (outcome === 'sent') {
        const providerId = ok.map((a) => (a.result.ok ? a.result.providerId : undefined)).find(Boolean) ?? null;
        held = await this.guarded(
          tx,
          m,
          `"state" = 'sent', "sent_at" = now(), "attempts" = $4, "provider_id" = COALESCE($5, "provider_id"), "delivered_to" = "delivered_to" || $6::text[],
           "reason" = NULL, "last_error" = NULL, "lease" = NULL`,
          [attempt, providerId, ok.map((a) => a.to)],
        );
        // Sent = handed over; delivered = the next hop accepted it (SMTP 250, push service 201, webhook 2xx).
        events.push(statusEvent(m, 'sent', { attempt }), statusEvent(m, 'delivered', { attempt }));
      } else if (outcome === 'retry') {
        const delay = retryDelayMs(attempt, this.config.SEND_RETRY_BASE_MS);
        held = await this.guarded(
          tx,
          m,
          `"state" = 'queued', "attempts" = $4, "next_attempt_at" = now() + make_interval(secs => $5::double precision / 1000), "last_error" = $6,
           "reason" = NULL, "cleared_at" = NULL, "lease" = NULL`,
          [attempt, delay, reason],
        );
        events.push(statusEvent(m, 'failed', { attempt, reason: `${reason} (retry in ${Math.round(delay / 1000)} s)` }));
      } else {
        held = await this.guarded(tx, m, `"state" = 'failed', "attempts" = $4, "last_error" = $5, "reason" = $5, "lease" = NULL`, [attempt, reason]);
        events.push(statusEvent(m, 'failed', { attempt, reason }));
      }
      if (!held) {
        this.logger.warn({ messageId: m.message_id }, 'Lease lost while sending; the outcome is left to the replica holding it');
        return;
      }
      if (gone.length > 0) events.push(...(await this.forgetAddresses(tx, m, gone)));
      await queueEvents(tx, events);
    });
    messageOutcomes.inc({ channel: m.channel, outcome: outcome === 'final' ? 'failed' : outcome });
    this.relay.kick();
  }

  /**
   * A hard bounce suppresses e-mail to the shopper here at once and tells the profile service
   * (a consent event on events.raw.v1); a dead push subscription is dropped.
   */
  private async forgetAddresses(tx: EntityManager, m: ClaimedMessage, gone: { to: string; reason: string }[]): Promise<PendingEvent[]> {
    if (m.channel === 'push') {
      const endpoints = gone.map((g) => pushEndpoint(g.to)).filter((e): e is string => e !== null);
      await tx.query(`DELETE FROM "campaign"."push_subscriptions" WHERE "store_id" = $1 AND "endpoint" = ANY($2::text[])`, [m.store_id, endpoints]);
      return [];
    }
    if (m.channel !== 'email') return [];
    await tx.query(
      `INSERT INTO "campaign"."suppressions" ("store_id", "profile_id", "channel", "reason", "at") VALUES ($1, $2, 'email', 'bounce', now())
       ON CONFLICT ("store_id", "profile_id", "channel") DO NOTHING`,
      [m.store_id, m.profile_id],
    );
    const events = [statusEvent(m, 'bounced', { reason: gone[0].reason })];
    const [who]: { anonymous_id: string | null; customer_id: string | null }[] = await tx.query(
      `SELECT "anonymous_id", "customer_id" FROM "campaign"."shoppers" WHERE "store_id" = $1 AND "profile_id" = $2`,
      [m.store_id, m.profile_id],
    );
    const anonymousId = who?.anonymous_id ?? who?.customer_id;
    if (!anonymousId) {
      this.logger.warn({ messageId: m.message_id }, 'Bounce of a shopper without identities: suppressed here only');
      return events;
    }
    const now = new Date().toISOString();
    const consent: RawEvent = {
      eventId: `bounce-${m.message_id}`,
      type: 'consent',
      occurredAt: now,
      receivedAt: now,
      storeId: m.store_id,
      anonymousId,
      ...(who.customer_id ? { customerId: who.customer_id } : {}),
      properties: { email: false, reason: 'bounce', messageId: m.message_id },
    };
    events.push({ messageId: m.message_id, topic: TOPICS.EventsRaw, key: shopperKey(m.store_id, anonymousId), value: consent });
    return events;
  }

  private async updateDepth(): Promise<void> {
    if (Date.now() - this.depthAt < DEPTH_EVERY_MS) return;
    this.depthAt = Date.now();
    const rows: { state: string; n: number }[] = await this.db.query(
      `SELECT "state", count(*)::int AS n FROM "campaign"."messages" WHERE "state" IN ('queued', 'sending') GROUP BY "state"`,
    );
    for (const state of ['queued', 'sending']) outboxDepth.set({ state }, rows.find((r) => r.state === state)?.n ?? 0);
  }
}
