import { ConflictException, Injectable, NotFoundException } from '@nestjs/common';
import { InjectDataSource } from '@nestjs/typeorm';
import { profileIdFor, type DecisionQuery } from '@signal/contracts';
import { randomUUID } from 'node:crypto';
import type { DataSource } from 'typeorm';
import type { Discount, OnsiteCampaign, Variant } from './definitions';
import { OffersService } from './offers.service';
import { OnsiteCampaignsService } from './onsite-campaigns.service';
import { ProductPicks, type PickedProduct } from './product-picks';
import { allowedVariants, chooseVariant, inHoldout, matches, restingReason, type PastEvent, type RuleContext } from './rules';
import { readShopper } from './shopper-reader';

export interface DecisionContent {
  campaignId: string;
  variantId: string;
  kind: Variant['kind'];
  title?: string;
  body?: string;
  cta?: { label: string; url: string };
  image?: string;
  offer?: { offerId: string; code: string; discount: Discount; expiresAt: string };
  products?: PickedProduct[];
}

export interface DecisionAnswer {
  decisionId: string;
  placement: string;
  content: DecisionContent | null;
  reason: string;
}

/** How far back caps and cool-downs look: their longest window (a year). */
const HISTORY_DAYS = 366;
const DEFAULT_PRODUCT_LIMIT = 4;

type Attempt = { shown: DecisionAnswer } | { skipped: string };

/**
 * What to show one shopper at one placement now: the first campaign (by priority) whose audience
 * rule holds, that is not resting (cap, cool-down) for them, and that has a variant the built-in
 * guards allow. Variant and holdout are chosen by a hash of the shopper, so a reload shows the same.
 */
@Injectable()
export class DecisionsService {
  constructor(
    @InjectDataSource() private readonly db: DataSource,
    private readonly campaigns: OnsiteCampaignsService,
    private readonly offers: OffersService,
    private readonly products: ProductPicks,
  ) {}

  async decide(storeId: string, q: DecisionQuery & ({ anonymousId: string } | { customerId: string })): Promise<DecisionAnswer> {
    const profileId = profileIdFor(storeId, { customerId: q.customerId, anonymousId: q.anonymousId ?? '' });
    const nothing = (reason: string): DecisionAnswer => ({ decisionId: randomUUID(), placement: q.placement, content: null, reason });
    const candidates = await this.campaigns.candidates(this.db, storeId, q.placement);
    if (candidates.length === 0) return nothing('no campaign for this placement');
    const ctx: RuleContext = { shopper: await readShopper(this.db, storeId, profileId), page: q.page, productId: q.productId };
    const history = await this.history(storeId, profileId, candidates.map((c) => c.campaignId));
    const offerStates = await this.offers.states(storeId, [...new Set(candidates.flatMap((c) => c.variants.flatMap((v) => (v.offerId === undefined ? [] : [v.offerId]))))]);
    const now = new Date();
    let reason = 'no campaign for this shopper';
    for (const c of candidates) {
      if (c.audience !== undefined && !matches(c.audience, ctx)) continue;
      const resting = restingReason(c, history.get(c.campaignId) ?? [], now);
      if (resting) {
        reason = `${c.campaignId}: ${resting}`;
        continue;
      }
      let variants = allowedVariants(c.variants, ctx, offerStates);
      if (variants.length === 0) {
        reason = `${c.campaignId}: no variant for this shopper`;
        continue;
      }
      if (inHoldout(c.campaignId, profileId, c.holdoutShare)) {
        const decisionId = randomUUID();
        await this.record(this.db, { decisionId, storeId, profileId, placement: q.placement, campaignId: c.campaignId, variantId: null, holdout: true, code: null });
        return { decisionId, placement: q.placement, content: null, reason: `${c.campaignId}: holdout` };
      }
      // A variant whose offer cannot be issued to this shopper (budget spent, a competing offer) gives way to the next.
      while (variants.length > 0) {
        const v = chooseVariant(variants, c.campaignId, profileId) as Variant;
        const attempt = await this.show(storeId, profileId, q.placement, c, v, ctx);
        if ('shown' in attempt) return attempt.shown;
        reason = `${c.campaignId}: ${attempt.skipped}`;
        variants = variants.filter((x) => x !== v);
      }
    }
    return nothing(reason);
  }

  private async show(storeId: string, profileId: string, placement: string, c: OnsiteCampaign, v: Variant, ctx: RuleContext): Promise<Attempt> {
    const products = v.kind === 'products' ? await this.products.for(storeId, ctx.shopper, v.productLimit ?? DEFAULT_PRODUCT_LIMIT) : undefined;
    if (products?.length === 0) return { skipped: 'no products to show' };
    // The code and the decision that shows it are stored together: a failed answer leaves no orphan code.
    return this.db.transaction(async (tx): Promise<Attempt> => {
      let offer: DecisionContent['offer'];
      if (v.offerId !== undefined) {
        const issued = await this.offers.issue(tx, storeId, v.offerId, profileId);
        if (!issued.ok) return { skipped: issued.reason };
        offer = { offerId: v.offerId, code: issued.code, discount: issued.discount, expiresAt: issued.expiresAt };
      }
      const decisionId = randomUUID();
      await this.record(tx, { decisionId, storeId, profileId, placement, campaignId: c.campaignId, variantId: v.variantId, holdout: false, code: offer?.code ?? null });
      const content: DecisionContent = { campaignId: c.campaignId, variantId: v.variantId, kind: v.kind, ...v.content, ...(offer ? { offer } : {}), ...(products ? { products } : {}) };
      return { shown: { decisionId, placement, content, reason: 'shown' } };
    });
  }

  /** Impression, click or dismiss of a decision; a repeat of the same type is a no-op. */
  async recordEvent(storeId: string, decisionId: string, type: PastEvent['type']): Promise<{ decisionId: string; type: string; recorded: boolean }> {
    const [d]: { profile_id: string; campaign_id: string; variant_id: string | null; holdout: boolean }[] = await this.db.query(
      `SELECT "profile_id", "campaign_id", "variant_id", "holdout" FROM "campaign"."decisions" WHERE "decision_id" = $1 AND "store_id" = $2`,
      [decisionId, storeId],
    );
    if (!d) throw new NotFoundException({ statusCode: 404, error: 'Not Found', message: 'Unknown decision (only decisions that named a campaign are kept)' });
    if (d.holdout) throw new ConflictException({ statusCode: 409, error: 'Conflict', message: 'Nothing was shown for this decision (holdout)' });
    const rows: unknown[] = await this.db.query(
      `INSERT INTO "campaign"."decision_events" ("decision_id", "type", "store_id", "profile_id", "campaign_id", "variant_id") VALUES ($1, $2, $3, $4, $5, $6)
       ON CONFLICT ("decision_id", "type") DO NOTHING RETURNING 1`,
      [decisionId, type, storeId, d.profile_id, d.campaign_id, d.variant_id],
    );
    return { decisionId, type, recorded: rows.length > 0 };
  }

  private async history(storeId: string, profileId: string, campaignIds: string[]): Promise<Map<string, PastEvent[]>> {
    const rows: { campaign_id: string; type: PastEvent['type']; at: Date }[] = await this.db.query(
      `SELECT "campaign_id", "type", "at" FROM "campaign"."decision_events"
       WHERE "store_id" = $1 AND "profile_id" = $2 AND "campaign_id" = ANY($3) AND "at" > now() - make_interval(days => ${HISTORY_DAYS})
       ORDER BY "at" DESC LIMIT 5000`,
      [storeId, profileId, campaignIds],
    );
    const out = new Map<string, PastEvent[]>();
    for (const r of rows) out.set(r.campaign_id, [...(out.get(r.campaign_id) ?? []), { type: r.type, at: r.at }]);
    return out;
  }

  private async record(
    db: Pick<DataSource, 'query'>,
    d: { decisionId: string; storeId: string; profileId: string; placement: string; campaignId: string; variantId: string | null; holdout: boolean; code: string | null },
  ): Promise<void> {
    await db.query(
      `INSERT INTO "campaign"."decisions" ("decision_id", "store_id", "profile_id", "placement", "campaign_id", "variant_id", "holdout", "offer_code") VALUES ($1, $2, $3, $4, $5, $6, $7, $8)`,
      [d.decisionId, d.storeId, d.profileId, d.placement, d.campaignId, d.variantId, d.holdout, d.code],
    );
  }
}
