import { Injectable, Logger } from '@nestjs/common';
import { InjectDataSource } from '@nestjs/typeorm';
import { RawEvent, TOPICS, Validator, shopperKey, type EventType } from '@signal/contracts';
import { KafkaPublisher, metricsRegistry } from '@signal/platform';
import { Counter } from 'prom-client';
import type { DataSource, EntityManager } from 'typeorm';

const rawEventShape = new Validator(RawEvent);

const skipped = new Counter({
  name: 'campaign_shopper_events_skipped_total',
  help: 'Events about a shopper not published because the shopper (or their anonymous id) is not known here yet',
  labelNames: ['type'],
  registers: [metricsRegistry],
});

export interface ShopperEvent {
  /** Stable for what it records, so a repeat (a second click on the same link) is dropped by ingest. */
  eventId: string;
  storeId: string;
  profileId: string;
  type: EventType;
  properties: Record<string, unknown>;
}

interface Identity {
  profile_id: string;
  anonymous_id: string | null;
  customer_id: string | null;
}

/**
 * Publishes events about shoppers to events.raw.v1, as if their browser had sent them through the
 * gateway (same key, `storeId:anonymousId`), so ingest and the profile service treat an unsubscribe
 * link or a click in a mail like any other event. Identities come from the audience read model.
 */
@Injectable()
export class ShopperEvents {
  private readonly logger = new Logger(ShopperEvents.name);

  constructor(
    @InjectDataSource() private readonly db: DataSource,
    private readonly publisher: KafkaPublisher,
  ) {}

  /** Resolves when Kafka has them; returns how many were published. */
  async publish(events: readonly ShopperEvent[], db: DataSource | EntityManager = this.db, now = new Date()): Promise<number> {
    if (events.length === 0) return 0;
    const stores = events.map((e) => e.storeId);
    const profiles = events.map((e) => e.profileId);
    const rows: (Identity & { store_id: string })[] = await db.query(
      `SELECT s."store_id", s."profile_id", s."anonymous_id", s."customer_id"
         FROM unnest($1::text[], $2::text[]) AS k("store_id", "profile_id")
         JOIN "campaign"."shoppers" s ON s."store_id" = k."store_id" AND s."profile_id" = k."profile_id"`,
      [stores, profiles],
    );
    const byKey = new Map(rows.map((r) => [`${r.store_id}:${r.profile_id}`, r]));
    const at = now.toISOString();
    const out: { key: string; value: RawEvent }[] = [];
    for (const e of events) {
      const who = byKey.get(`${e.storeId}:${e.profileId}`);
      if (!who?.anonymous_id) {
        // Without an anonymous id ingest cannot place the event; the local suppression still holds.
        skipped.inc({ type: e.type });
        this.logger.warn({ storeId: e.storeId, profileId: e.profileId, type: e.type }, 'Shopper unknown here: event not published');
        continue;
      }
      const event: RawEvent = {
        eventId: e.eventId,
        type: e.type,
        occurredAt: at,
        receivedAt: at,
        storeId: e.storeId,
        anonymousId: who.anonymous_id,
        ...(who.customer_id ? { customerId: who.customer_id } : {}),
        properties: e.properties,
      };
      const checked = rawEventShape.validate(event);
      if (!checked.ok) {
        skipped.inc({ type: e.type });
        this.logger.error({ storeId: e.storeId, profileId: e.profileId, errors: checked.errors }, 'Shopper event does not fit RawEvent: not published');
        continue;
      }
      out.push({ key: shopperKey(e.storeId, who.anonymous_id), value: event });
    }
    await this.publisher.publish(TOPICS.EventsRaw, out);
    return out.length;
  }
}
