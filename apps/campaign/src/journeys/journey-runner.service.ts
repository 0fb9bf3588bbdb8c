import { Inject, Injectable, Logger, Optional, type OnApplicationBootstrap, type OnModuleDestroy } from '@nestjs/common';
import { InjectDataSource } from '@nestjs/typeorm';
import { PollingLoop, isTransientInfrastructureError } from '@signal/platform';
import type { DataSource, EntityManager } from 'typeorm';
import { Links } from '../channels/links';
import { TemplateError, productContext, type ProductRow } from '../channels/templates';
import { CAMPAIGN_CONFIG, type CampaignConfig } from '../config';
import { OffersService } from '../decisions/offers.service';
import { OUTBOX, type OutboxWriter } from '../delivery/outbox.types';
import { evaluate, type ShopperFacts } from './conditions';
import { nextStepId, waitSeconds, type JourneyDefinition, type SendStep } from './definition';
import { messageContent, type MessageContext } from './message-content';
import { RecommendationsClient } from './recommendations.client';

/** Runs claimed per transaction: small, so a slow render holds few row locks. */
export const RUN_BATCH = 100;

export interface RunRow {
  run_id: string;
  store_id: string;
  journey_id: string;
  profile_id: string;
  trigger_key: string;
  holdout: boolean;
  current_step: string | null;
  context: RunContext;
  sends: number;
  definition: JourneyDefinition;
}

export interface RunContext {
  productId?: string;
  left?: number | null;
  triggerEventId?: string;
  [key: string]: unknown;
}

/** A step that cannot complete for reasons of the journey's own (a template, a missing step): the run fails, the worker goes on. */
class StepFailure extends Error {}

interface ShopperRow {
  customer_id: string | null;
  anonymous_id: string | null;
  email: string | null;
  stage: string;
  country: string | null;
  orders_count: number;
  discount_order_share: number | null;
  offer_response_rate: number | null;
  segments: string[];
  traits: Record<string, unknown>;
}

type Outcome = { state: 'waiting'; step: string; dueInSeconds: number } | { state: 'done' };

/**
 * Executes due journey runs. Each run is a row whose due_at is its timer, so timers survive
 * restarts; replicas claim due rows with FOR UPDATE SKIP LOCKED and never take the same run. A run
 * executes its steps up to the next wait in one transaction with the messages it queues (the outbox
 * key `${runId}:${stepId}` makes a replayed step queue nothing new): a crash before the commit
 * loses nothing and sends nothing, and the run is simply due again.
 */
@Injectable()
export class JourneyRunner implements OnApplicationBootstrap, OnModuleDestroy {
  private readonly log = new Logger(JourneyRunner.name);
  private readonly loop: PollingLoop;

  constructor(
    @InjectDataSource() private readonly db: DataSource,
    @Inject(CAMPAIGN_CONFIG) config: CampaignConfig,
    @Inject(OUTBOX) private readonly outbox: OutboxWriter,
    private readonly links: Links,
    private readonly recommendations: RecommendationsClient,
    // Optional while decisions/ does not provide it: a step's offer is then null ("not issued").
    @Optional() @Inject(OffersService) private readonly offers?: OffersService,
  ) {
    this.loop = new PollingLoop({ intervalMs: config.JOURNEY_POLL_MS, work: () => this.runOnce(), log: this.log, failure: 'Journey runs failed; will retry' });
  }

  onApplicationBootstrap(): void {
    this.loop.start();
  }

  async onModuleDestroy(): Promise<void> {
    await this.loop.stop();
  }

  /** Everything due now, batch after batch. */
  async runOnce(): Promise<void> {
    while (!this.loop.stopped && (await this.runBatch()) === RUN_BATCH);
  }

  /** Claims and executes one batch of due runs; answers how many it claimed. */
  async runBatch(): Promise<number> {
    return this.db.transaction(async (tx) => {
      // Runs of a paused journey stay due and go on when it is resumed.
      const runs: RunRow[] = await tx.query(
        `SELECT r."run_id", r."store_id", r."journey_id", r."profile_id", r."trigger_key", r."holdout", r."current_step", r."context", r."sends", v."definition"
         FROM "campaign"."journey_runs" r
         JOIN "campaign"."journeys" j ON j."store_id" = r."store_id" AND j."journey_id" = r."journey_id"
         JOIN "campaign"."journey_versions" v ON v."store_id" = r."store_id" AND v."journey_id" = r."journey_id" AND v."version" = r."journey_version"
         WHERE r."state" = 'waiting' AND r."due_at" <= now() AND j."status" = 'active' AND j."deleted_at" IS NULL
         ORDER BY r."due_at" LIMIT $1 FOR UPDATE OF r SKIP LOCKED`,
        [RUN_BATCH],
      );
      for (const run of runs) {
        await tx.query('SAVEPOINT journey_run');
        try {
          await this.execute(tx, run);
          await tx.query('RELEASE SAVEPOINT journey_run');
        } catch (e) {
          // Infrastructure trouble: the whole batch rolls back and is due again next round.
          if (isTransientInfrastructureError(e)) throw e;
          await tx.query('ROLLBACK TO SAVEPOINT journey_run');
          const reason = e instanceof StepFailure || e instanceof TemplateError ? e.message : `unexpected: ${e instanceof Error ? e.message : String(e)}`;
          if (!(e instanceof StepFailure || e instanceof TemplateError)) this.log.error({ err: e, runId: run.run_id }, 'Journey run failed');
          await tx.query(`UPDATE "campaign"."journey_runs" SET "state" = 'failed', "reason" = $2, "due_at" = NULL, "updated_at" = now() WHERE "run_id" = $1`, [
            run.run_id,
            reason.slice(0, 1000),
          ]);
        }
      }
      return runs.length;
    });
  }

  /** Steps from the current one to the next wait (or the end). */
  private async execute(tx: EntityManager, run: RunRow): Promise<void> {
    const d = run.definition;
    const context = { ...run.context };
    let sends = run.sends;
    let incentive: string | null = null;
    let facts: ShopperFacts | undefined;
    let stepId = run.current_step;
    let outcome: Outcome = { state: 'done' };
    // Branches only go forward (checked at save), so this ends; the bound is a second guard.
    for (let guard = 0; stepId !== null && guard <= d.steps.length; guard++) {
      const i = d.steps.findIndex((s) => s.id === stepId);
      const step = d.steps[i];
      if (!step) throw new StepFailure(`step '${stepId}' is not in version of the journey the run started on`);
      if (step.type === 'wait') {
        const next = nextStepId(d, i);
        if (next !== null) outcome = { state: 'waiting', step: next, dueInSeconds: waitSeconds(step) };
        break;
      }
      if (step.type === 'exit') break;
      if (step.type === 'branch') {
        facts ??= await this.shopperFacts(tx, run);
        stepId = evaluate(step.if, facts) ? step.then : (step.else ?? nextStepId(d, i));
        continue;
      }
      const issued = await this.send(tx, run, step);
      incentive ??= issued;
      if (issued) context.offerCode = issued;
      sends++;
      stepId = nextStepId(d, i);
    }
    if (outcome.state === 'waiting') {
      await tx.query(
        `UPDATE "campaign"."journey_runs" SET "current_step" = $2, "due_at" = now() + make_interval(secs => $3), "sends" = $4, "context" = $5,
           "incentive_code" = COALESCE($6, "incentive_code"), "updated_at" = now() WHERE "run_id" = $1`,
        [run.run_id, outcome.step, outcome.dueInSeconds, sends, JSON.stringify(context), incentive],
      );
    } else {
      // A holdout run ends as held_out: its messages were recorded, none sent.
      await tx.query(
        `UPDATE "campaign"."journey_runs" SET "state" = $2, "current_step" = NULL, "due_at" = NULL, "sends" = $3, "context" = $4,
           "incentive_code" = COALESCE($5, "incentive_code"), "updated_at" = now() WHERE "run_id" = $1`,
        [run.run_id, run.holdout ? 'held_out' : 'done', sends, JSON.stringify(context), incentive],
      );
    }
  }

  /** Renders and queues the step's message; answers the offer code issued, if any. */
  private async send(tx: EntityManager, run: RunRow, step: SendStep): Promise<string | null> {
    const ctx = await this.messageContext(tx, run, step);
    const content = messageContent(step, ctx, { runId: run.run_id });
    await this.outbox.enqueue(tx, {
      idempotencyKey: `${run.run_id}:${step.id}`,
      storeId: run.store_id,
      profileId: run.profile_id,
      campaignId: run.journey_id,
      kind: 'journey',
      step: step.id,
      channel: step.channel,
      content,
      ...(step.channel === 'webhook' && step.webhook ? { to: step.webhook.url, webhookSecret: step.webhook.secret } : {}),
      holdout: run.holdout,
      triggeredBy: (run.context.triggerEventId ?? run.trigger_key).slice(0, 256),
    });
    return ctx.offer?.code ?? null;
  }

  private async shopper(tx: EntityManager, run: RunRow): Promise<ShopperRow | null> {
    const [row]: ShopperRow[] = await tx.query(
      `SELECT "customer_id", "anonymous_id", "email", "stage", "country", "orders_count", "discount_order_share", "offer_response_rate", "segments", "traits"
       FROM "campaign"."shoppers" WHERE "store_id" = $1 AND "profile_id" = $2`,
      [run.store_id, run.profile_id],
    );
    return row ?? null;
  }

  async shopperFacts(tx: EntityManager, run: RunRow): Promise<ShopperFacts> {
    const s = await this.shopper(tx, run);
    const [{ conversions, cart, in_stock }]: { conversions: number; cart: number; in_stock: boolean | null }[] = await tx.query(
      `SELECT
         (SELECT count(*)::int FROM "campaign"."journey_runs" WHERE "store_id" = $1 AND "journey_id" = $2 AND "profile_id" = $3 AND "converted_with_incentive" AND "run_id" <> $4) AS conversions,
         (SELECT COALESCE(sum("quantity"), 0)::int FROM "campaign"."cart_items" WHERE "store_id" = $1 AND "profile_id" = $3) AS cart,
         (SELECT "in_stock" AND NOT "hidden" FROM "campaign"."products" WHERE "store_id" = $1 AND "product_id" = $5) AS in_stock`,
      [run.store_id, run.journey_id, run.profile_id, run.run_id, run.context.productId ?? null],
    );
    return {
      stage: s?.stage ?? null,
      segments: s?.segments ?? [],
      ordersCount: s?.orders_count ?? 0,
      discountOrderShare: s?.discount_order_share ?? null,
      offerResponseRate: s?.offer_response_rate ?? null,
      incentiveConversions: conversions,
      cartItems: cart,
      productInStock: run.context.productId ? (in_stock ?? false) : null,
    };
  }

  private async messageContext(tx: EntityManager, run: RunRow, step: SendStep): Promise<MessageContext> {
    const s = await this.shopper(tx, run);
    const productRow = async (productId: string) => {
      const [row]: (ProductRow & { stock_level: number | null })[] = await tx.query(
        `SELECT "product_id", "title", "brand", "price", "sale_price", "currency", "image_url", "in_stock", "stock_level" FROM "campaign"."products" WHERE "store_id" = $1 AND "product_id" = $2`,
        [run.store_id, productId],
      );
      return row;
    };
    const trigger = run.context.productId ? await productRow(run.context.productId) : undefined;
    const cartRows: (ProductRow & { quantity: number })[] = await tx.query(
      `SELECT p."product_id", p."title", p."brand", p."price", p."sale_price", p."currency", p."image_url", p."in_stock", c."quantity"
       FROM "campaign"."cart_items" c JOIN "campaign"."products" p ON p."store_id" = c."store_id" AND p."product_id" = c."product_id"
       WHERE c."store_id" = $1 AND c."profile_id" = $2 ORDER BY c."at" DESC LIMIT 50`,
      [run.store_id, run.profile_id],
    );
    // A holdout shopper gets no real code and costs the recommender nothing: the message is recorded, not sent.
    let offer: MessageContext['offer'] = null;
    if (step.offerId && !run.holdout && this.offers) {
      const issued = await this.offers.issue(tx, run.store_id, step.offerId, run.profile_id);
      if (issued.ok) offer = { code: issued.code, discount: issued.discount, expiresAt: issued.expiresAt };
    }
    let products: MessageContext['products'] = [];
    if (step.recommendations && !run.holdout && s) {
      const ids = await this.recommendations.productIds({
        storeId: run.store_id,
        placement: step.recommendations.placement,
        customerId: s.customer_id,
        anonymousId: s.anonymous_id,
        productId: run.context.productId,
        limit: step.recommendations.limit ?? 4,
      });
      if (ids.length) {
        const rows: ProductRow[] = await tx.query(
          `SELECT "product_id", "title", "brand", "price", "sale_price", "currency", "image_url", "in_stock" FROM "campaign"."products"
           WHERE "store_id" = $1 AND "product_id" = ANY($2) AND "in_stock" AND NOT "hidden"`,
          [run.store_id, ids],
        );
        products = ids.flatMap((id) => rows.filter((r) => r.product_id === id)).map((r) => productContext(r, ''));
      }
    }
    return {
      storeId: run.store_id,
      journey: { id: run.journey_id, name: run.definition.name },
      shopper: {
        profileId: run.profile_id,
        email: s?.email ?? null,
        stage: s?.stage ?? null,
        country: s?.country ?? null,
        ordersCount: s?.orders_count ?? 0,
        traits: s?.traits ?? {},
      },
      product: trigger ? { ...productContext(trigger, ''), left: run.context.left ?? trigger.stock_level } : null,
      cart: { items: cartRows.map((r) => ({ ...productContext(r, ''), quantity: r.quantity })), count: cartRows.reduce((n, r) => n + r.quantity, 0) },
      offer,
      products,
      unsubscribeUrl: this.links.unsubscribeUrl(run.store_id, run.profile_id, step.channel),
    };
  }
}
