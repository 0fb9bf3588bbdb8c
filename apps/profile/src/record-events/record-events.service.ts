import { Injectable, Logger, type OnModuleDestroy, type OnModuleInit } from '@nestjs/common';
import { EnrichedEvent, TOPICS, TOPIC_SPECS, Validator, type FieldError, type Validation } from '@signal/contracts';
import { UnprocessableMessageError, isTransientInfrastructureError, metricsRegistry, type ConsumedMessage } from '@signal/platform';
import { Counter } from 'prom-client';
import type { EntityManager } from 'typeorm';
import { RecordEventsRepository } from './record-events.repository';
import { InconsistentReadError, planBatch } from './stitch';

const enriched = new Validator(EnrichedEvent);

const MAX_ATTEMPTS = 5;
// Kafka keeps enriched events this long; an applied id must outlive any replay of them, with a day to spare.
const APPLIED_RETENTION_HOURS = (TOPIC_SPECS.find((t) => t.name === TOPICS.EventsEnriched)?.retentionHours ?? 168) + 24;

const outcomes = new Counter({ name: 'profile_events_total', help: 'Enriched events by outcome', labelNames: ['outcome'], registers: [metricsRegistry] });
const mergesTotal = new Counter({ name: 'profile_merges_total', help: 'Anonymous profiles merged into customers', registers: [metricsRegistry] });

export function checkEvent(value: unknown): Validation<EnrichedEvent> {
  return enriched.validate(value);
}

// A race with another partition (deadlock, serialization, stale read): run the batch again here,
// rather than let the consumer split it into single messages.
const isTransient = (e: unknown): boolean => e instanceof InconsistentReadError || isTransientInfrastructureError(e);

/**
 * events.enriched.v1 → profiles, exactly once: the event ids and the profile changes they
 * cause commit in one transaction, so a replayed or redelivered event is skipped.
 */
@Injectable()
export class RecordEventsService implements OnModuleInit, OnModuleDestroy {
  private readonly log = new Logger(RecordEventsService.name);
  private pruneTimer?: NodeJS.Timeout;

  constructor(private readonly repository: RecordEventsRepository) {}

  onModuleInit(): void {
    this.pruneTimer = setInterval(() => void this.prune(), 10 * 60_000).unref();
  }

  onModuleDestroy(): void {
    clearInterval(this.pruneTimer);
  }

  /**
   * Applies the valid events, then refuses the batch if some were not: the consumer retries it
   * message by message, which skips the applied ones and dead-letters the rest with their errors.
   */
  async record(messages: ConsumedMessage[]): Promise<void> {
    const events: EnrichedEvent[] = [];
    let invalid: FieldError[] | undefined;
    for (const message of messages) {
      const checked = checkEvent(message.value);
      if (checked.ok) events.push(checked.value);
      else invalid ??= checked.errors;
    }
    if (events.length) await this.apply(events);
    if (invalid) throw new UnprocessableMessageError('invalid_event', invalid);
  }

  private async apply(events: EnrichedEvent[]): Promise<void> {
    for (let attempt = 1; ; attempt++) {
      try {
        await this.repository.transaction((tx) => this.applyOnce(tx, events));
        return;
      } catch (e) {
        if (attempt >= MAX_ATTEMPTS || !isTransient(e)) throw e;
        this.log.debug({ err: e, attempt }, 'Concurrent change on profiles; retrying the batch');
        await new Promise((r) => setTimeout(r, Math.random() * 20 * attempt));
      }
    }
  }

  private async applyOnce(tx: EntityManager, events: EnrichedEvent[]): Promise<void> {
    const fresh = await this.repository.markApplied(tx, events);
    if (fresh.length === 0) {
      outcomes.inc({ outcome: 'duplicate' }, events.length);
      return;
    }
    const known = await this.repository.lockShoppers(tx, fresh);
    const plan = planBatch(fresh, known);
    await this.repository.write(tx, plan);
    outcomes.inc({ outcome: 'applied' }, fresh.length);
    if (events.length > fresh.length) outcomes.inc({ outcome: 'duplicate' }, events.length - fresh.length);
    if (plan.merges.length) mergesTotal.inc(plan.merges.length);
  }

  private async prune(): Promise<void> {
    try {
      await this.repository.pruneApplied(APPLIED_RETENTION_HOURS);
    } catch (e) {
      this.log.warn({ err: e }, 'Pruning applied event ids failed; will retry');
    }
  }
}
