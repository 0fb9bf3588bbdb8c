import { Injectable, Logger, type OnModuleDestroy, type OnModuleInit } from '@nestjs/common';
import { EnrichedEvent, TOPICS, TOPIC_SPECS, Validator, type FieldError, type Validation } from '@signal/contracts';
import { UnprocessableMessageError, isTransientInfrastructureError, metricsRegistry, type ConsumedMessage } from '@signal/platform';
import { Counter } from 'prom-client';
import type { EntityManager } from 'typeorm';
import { productsOf, type ApplyContext, type ProfileState } from '../profiles/profile-state';
import { quizOptionEffects } from '../quizzes/quiz-definition';
import { QuizzesRepository } from '../quizzes/quizzes.repository';
import { RecordProductsService } from '../record-products/record-products.service';
import { EvaluateSegmentsService, Outbox } from '../segments/evaluate-segments.service';
import { SettingsService } from '../settings/settings.service';
import { RecordEventsRepository } from './record-events.repository';
import { InconsistentReadError, planBatch, profileKey } from './stitch';

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

  constructor(
    private readonly repository: RecordEventsRepository,
    private readonly settings: SettingsService,
    private readonly products: RecordProductsService,
    private readonly quizzes: QuizzesRepository,
    private readonly segments: EvaluateSegmentsService,
  ) {}

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
    const kept = await this.repository.dropErased(tx, fresh);
    if (kept.length < fresh.length) outcomes.inc({ outcome: 'erased' }, fresh.length - kept.length);
    const known = await this.repository.lockShoppers(tx, kept);
    const contexts = await this.contexts(tx, kept);
    const plan = planBatch(kept, known, (storeId) => contexts.get(storeId) as ApplyContext);

    // Memberships and the stage follow from the new profiles; Kafka hears of them before we commit.
    const now = Date.now();
    const outbox = new Outbox();
    const settled = await this.segments.settle(tx, [...plan.created, ...plan.updated], now, 'event', outbox, { causes: plan.lastEvent, changedBy: plan.changedBy });
    const byKey = new Map(settled.map((s) => [profileKey(s.profile.storeId, s.profile.profileId), s]));
    const final = (p: ProfileState) => byKey.get(profileKey(p.storeId, p.profileId))?.profile ?? p;
    const nextEvaluationAt = new Map<ProfileState, number | null>();
    for (const s of settled) nextEvaluationAt.set(s.profile, s.nextEvaluationAt);
    const into = new Map(plan.merges.map((m) => [profileKey(m.storeId, m.mergedProfileId), m.intoProfileId]));
    await this.segments.remove(
      tx,
      plan.deleted.map((d) => ({ ...d, mergedInto: into.get(profileKey(d.storeId, d.profileId)) })),
      now,
      'merge',
      outbox,
    );
    await this.repository.write(tx, { ...plan, created: plan.created.map(final), updated: plan.updated.map(final) }, nextEvaluationAt);
    await this.repository.redeemCodes(tx, kept);
    await this.segments.announce(tx, settled, now, outbox);
    await this.segments.flush(outbox);

    outcomes.inc({ outcome: 'applied' }, kept.length);
    if (events.length > fresh.length) outcomes.inc({ outcome: 'duplicate' }, events.length - fresh.length);
    if (plan.merges.length) mergesTotal.inc(plan.merges.length);
  }

  /** Per store: settings, the catalog facts of the batch's products, and the quizzes it answers. */
  private async contexts(tx: EntityManager, events: readonly EnrichedEvent[]): Promise<Map<string, ApplyContext>> {
    const settings = await this.settings.forStores(
      events.map((e) => e.storeId),
      tx,
    );
    const productRefs = events.flatMap((e) => productsOf(e).map(({ productId }) => ({ storeId: e.storeId, productId })));
    const facts = await this.products.factsFor(tx, productRefs);
    const quizRefs = events.filter((e) => e.type === 'quiz_answer' && typeof e.properties['quizId'] === 'string').map((e) => ({ storeId: e.storeId, quizId: e.properties['quizId'] as string }));
    const quizzes = quizRefs.length ? await this.quizzes.definitionsFor(tx, quizRefs) : new Map();
    const effects = new Map([...quizzes].map(([k, def]) => [k, quizOptionEffects(def)]));
    const out = new Map<string, ApplyContext>();
    for (const [storeId, s] of settings) {
      out.set(storeId, {
        settings: s,
        product: (productId) => facts.get(`${storeId}\u0000${productId}`),
        quizOption: (quizId, questionId, optionId) => effects.get(`${storeId}\u0000${quizId}`)?.get(`${questionId}\u0000${optionId}`),
      });
    }
    return out;
  }

  private async prune(): Promise<void> {
    try {
      await this.repository.pruneApplied(APPLIED_RETENTION_HOURS);
    } catch (e) {
      this.log.warn({ err: e }, 'Pruning applied event ids failed; will retry');
    }
  }
}
