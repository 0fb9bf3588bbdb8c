import { Inject, Injectable, Logger, type OnModuleDestroy, type OnModuleInit } from '@nestjs/common';
import { InjectDataSource } from '@nestjs/typeorm';
import {
  EnrichedEvent,
  IDENTIFYING_EVENT_TYPES,
  RawEvent,
  TOPICS,
  Validator,
  profileIdFor,
  shopperKey,
  checkEventBody,
} from '@signal/contracts';
import { DeadLetterPublisher, KafkaPublisher, KAFKA_OPTIONS, type ConsumedMessage, type DeadLetterEntry, type KafkaOptions } from '@signal/platform';
import { Counter } from 'prom-client';
import { metricsRegistry } from '@signal/platform';
import type { DataSource, EntityManager } from 'typeorm';
import { INGEST_CONFIG, type IngestConfig } from '../config';
import { enrich } from '../enrich/enricher';

const rawShape = new Validator(RawEvent);
const outcomes = new Counter({ name: 'ingest_events_total', help: 'Raw events by outcome', labelNames: ['outcome'], registers: [metricsRegistry] });

interface Candidate {
  message: ConsumedMessage;
  event: RawEvent;
}

/**
 * events.raw.v1 → events.enriched.v1: validate, drop repeats, stitch identity, enrich.
 * The dedupe marks are committed only after Kafka acknowledged the enriched events, so a
 * crash in between replays the batch (profile dedupes by eventId) instead of losing it.
 */
@Injectable()
export class RecordRawEventsService implements OnModuleInit, OnModuleDestroy {
  private readonly log = new Logger(RecordRawEventsService.name);
  private pruneTimer?: NodeJS.Timeout;

  constructor(
    @InjectDataSource() private readonly db: DataSource,
    private readonly publisher: KafkaPublisher,
    private readonly deadLetters: DeadLetterPublisher,
    @Inject(KAFKA_OPTIONS) private readonly kafka: KafkaOptions,
    @Inject(INGEST_CONFIG) private readonly config: IngestConfig,
  ) {}

  onModuleInit(): void {
    this.pruneTimer = setInterval(() => void this.prune(), 10 * 60_000).unref();
  }

  onModuleDestroy(): void {
    clearInterval(this.pruneTimer);
  }

  async process(messages: ConsumedMessage[]): Promise<void> {
    const { valid, invalid } = this.validate(messages);
    await this.deadLetters.send(this.kafka.groupId, invalid);
    outcomes.inc({ outcome: 'invalid' }, invalid.length);
    if (valid.length === 0) return;

    await this.db.transaction(async (tx) => {
      const fresh = await this.markSeen(tx, valid);
      outcomes.inc({ outcome: 'duplicate' }, valid.length - fresh.length);
      if (fresh.length === 0) return;
      const customers = await this.stitch(tx, fresh.map((c) => c.event));
      const enrichedAt = new Date().toISOString();
      const enriched = fresh.map(({ event }, i): EnrichedEvent => {
        const customerId = customers[i];
        const profileId = profileIdFor(event.storeId, { customerId, anonymousId: event.anonymousId });
        return { ...event, ...(customerId ? { customerId } : {}), profileId, enrichment: enrich(event), enrichedAt };
      });
      await this.publisher.publish(
        TOPICS.EventsEnriched,
        enriched.map((e) => ({ key: shopperKey(e.storeId, e.profileId), value: e })),
      );
      outcomes.inc({ outcome: 'enriched' }, enriched.length);
    });
  }

  private validate(messages: ConsumedMessage[]): { valid: Candidate[]; invalid: DeadLetterEntry[] } {
    const valid: Candidate[] = [];
    const invalid: DeadLetterEntry[] = [];
    const window = { maxFutureMs: this.config.EVENT_MAX_FUTURE_MINUTES * 60_000, maxAgeMs: this.config.EVENT_MAX_AGE_DAYS * 86_400_000 };
    for (const message of messages) {
      const shape = rawShape.validate(message.value);
      if (!shape.ok) {
        invalid.push({ message, reason: 'invalid_event', errors: shape.errors, attempts: 1 });
        continue;
      }
      // Judged against when the gateway received it, so a replay days later still passes.
      const checked = checkEventBody(shape.value, { ...window, now: new Date(shape.value.receivedAt) });
      if (!checked.ok) {
        invalid.push({ message, reason: 'invalid_event', errors: checked.errors, attempts: 1 });
        continue;
      }
      valid.push({ message, event: checked.value });
    }
    return { valid, invalid };
  }

  /** Records every eventId; returns the events seen for the first time, in order. */
  private async markSeen(tx: EntityManager, candidates: Candidate[]): Promise<Candidate[]> {
    const rows: { store_id: string; event_id: string }[] = await tx.query(
      `INSERT INTO "ingest"."seen_events" ("store_id", "event_id")
       SELECT * FROM unnest($1::varchar[], $2::varchar[])
       ON CONFLICT DO NOTHING RETURNING "store_id", "event_id"`,
      [candidates.map((c) => c.event.storeId), candidates.map((c) => c.event.eventId)],
    );
    const firstTime = new Set(rows.map((r) => `${r.store_id}\u0000${r.event_id}`));
    return candidates.filter((c) => firstTime.delete(`${c.event.storeId}\u0000${c.event.eventId}`));
  }

  /**
   * The customer each event belongs to: its own customerId, else the one its device was
   * linked to. Links are learnt in batch order, so an identify earlier in the batch counts.
   */
  private async stitch(tx: EntityManager, events: RawEvent[]): Promise<(string | undefined)[]> {
    const anonymous = events.filter((e) => !e.customerId);
    const known = new Map<string, string>();
    if (anonymous.length) {
      const rows: { store_id: string; anonymous_id: string; customer_id: string }[] = await tx.query(
        `SELECT l."store_id", l."anonymous_id", l."customer_id" FROM "ingest"."identity_links" l
         JOIN unnest($1::varchar[], $2::varchar[]) AS q(store_id, anonymous_id)
           ON l."store_id" = q.store_id AND l."anonymous_id" = q.anonymous_id`,
        [anonymous.map((e) => e.storeId), anonymous.map((e) => e.anonymousId)],
      );
      for (const r of rows) known.set(`${r.store_id}\u0000${r.anonymous_id}`, r.customer_id);
    }
    const links = new Map<string, { storeId: string; anonymousId: string; customerId: string }>();
    const customers = events.map((e) => {
      const device = `${e.storeId}\u0000${e.anonymousId}`;
      if (e.customerId) {
        if (IDENTIFYING_EVENT_TYPES.includes(e.type) || !known.has(device)) {
          known.set(device, e.customerId);
          links.set(device, { storeId: e.storeId, anonymousId: e.anonymousId, customerId: e.customerId });
        }
        return e.customerId;
      }
      return known.get(device);
    });
    if (links.size) {
      const l = [...links.values()];
      await tx.query(
        `INSERT INTO "ingest"."identity_links" ("store_id", "anonymous_id", "customer_id")
         SELECT * FROM unnest($1::varchar[], $2::varchar[], $3::varchar[])
         ON CONFLICT ("store_id", "anonymous_id") DO UPDATE SET "customer_id" = EXCLUDED."customer_id", "linked_at" = now()`,
        [l.map((x) => x.storeId), l.map((x) => x.anonymousId), l.map((x) => x.customerId)],
      );
    }
    return customers;
  }

  private async prune(): Promise<void> {
    try {
      await this.db.query(`DELETE FROM "ingest"."seen_events" WHERE "seen_at" < now() - make_interval(hours => $1)`, [this.config.DEDUPE_WINDOW_HOURS]);
    } catch (e) {
      this.log.warn({ err: e }, 'Pruning the dedupe window failed; will retry');
    }
  }
}
