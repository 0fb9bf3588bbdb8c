import { ConflictException, Injectable, NotFoundException } from '@nestjs/common';
import { InjectDataSource } from '@nestjs/typeorm';
import { Validator } from '@signal/contracts';
import { badRequest } from '@signal/platform';
import type { DataSource, EntityManager } from 'typeorm';
import { OnsiteCampaignBody, type OnsiteCampaign } from './definitions';
import { rowsOf } from './offers.service';

const stored = new Validator(OnsiteCampaignBody);

/** Active campaigns of a placement, highest priority first, with dates checked by the caller. */
export const CANDIDATE_LIMIT = 50;

/** On-site campaign definitions of a store (the admin API's side). */
@Injectable()
export class OnsiteCampaignsService {
  constructor(@InjectDataSource() private readonly db: DataSource) {}

  async create(storeId: string, c: OnsiteCampaign): Promise<OnsiteCampaign> {
    await this.checkOffers(storeId, c);
    const rows: unknown[] = await this.db.query(
      `INSERT INTO "campaign"."onsite_campaigns" ("store_id", "campaign_id", "name", "placement", "priority", "status", "starts_at", "ends_at", "definition")
       VALUES ($1, $2, $3, $4, $5, $6, $7, $8, $9) ON CONFLICT ("store_id", "campaign_id") DO NOTHING RETURNING 1`,
      this.params(storeId, c),
    );
    if (rows.length === 0) throw new ConflictException({ statusCode: 409, error: 'Conflict', message: `Campaign ${c.campaignId} exists; PUT replaces it` });
    return c;
  }

  async replace(storeId: string, c: OnsiteCampaign): Promise<OnsiteCampaign> {
    await this.checkOffers(storeId, c);
    await this.db.query(
      `INSERT INTO "campaign"."onsite_campaigns" ("store_id", "campaign_id", "name", "placement", "priority", "status", "starts_at", "ends_at", "definition")
       VALUES ($1, $2, $3, $4, $5, $6, $7, $8, $9)
       ON CONFLICT ("store_id", "campaign_id") DO UPDATE SET "name" = EXCLUDED."name", "placement" = EXCLUDED."placement", "priority" = EXCLUDED."priority",
         "status" = EXCLUDED."status", "starts_at" = EXCLUDED."starts_at", "ends_at" = EXCLUDED."ends_at", "definition" = EXCLUDED."definition", "updated_at" = now()`,
      this.params(storeId, c),
    );
    return c;
  }

  async list(storeId: string): Promise<{ campaigns: OnsiteCampaign[] }> {
    const rows: { definition: unknown }[] = await this.db.query(`SELECT "definition" FROM "campaign"."onsite_campaigns" WHERE "store_id" = $1 ORDER BY "campaign_id" LIMIT 1000`, [storeId]);
    return { campaigns: rows.map((r) => r.definition).filter((d): d is OnsiteCampaign => stored.is(d)) };
  }

  async get(storeId: string, campaignId: string): Promise<OnsiteCampaign> {
    const [row]: { definition: unknown }[] = await this.db.query(`SELECT "definition" FROM "campaign"."onsite_campaigns" WHERE "store_id" = $1 AND "campaign_id" = $2`, [storeId, campaignId]);
    if (!row || !stored.is(row.definition)) throw new NotFoundException({ statusCode: 404, error: 'Not Found', message: `Unknown campaign ${campaignId}` });
    return row.definition;
  }

  async remove(storeId: string, campaignId: string): Promise<{ campaignId: string; deleted: true }> {
    const deleted = rowsOf(await this.db.query(`DELETE FROM "campaign"."onsite_campaigns" WHERE "store_id" = $1 AND "campaign_id" = $2 RETURNING 1`, [storeId, campaignId]));
    if (deleted.length === 0) throw new NotFoundException({ statusCode: 404, error: 'Not Found', message: `Unknown campaign ${campaignId}` });
    return { campaignId, deleted: true };
  }

  /** The campaigns that may be shown at a placement now, highest priority first. */
  async candidates(db: Pick<EntityManager, 'query'>, storeId: string, placement: string): Promise<OnsiteCampaign[]> {
    const rows: { definition: unknown }[] = await db.query(
      `SELECT "definition" FROM "campaign"."onsite_campaigns"
       WHERE "store_id" = $1 AND "placement" = $2 AND "status" = 'active' AND ("starts_at" IS NULL OR "starts_at" <= now()) AND ("ends_at" IS NULL OR "ends_at" > now())
       ORDER BY "priority" DESC, "campaign_id" LIMIT ${CANDIDATE_LIMIT}`,
      [storeId, placement],
    );
    return rows.map((r) => r.definition).filter((d): d is OnsiteCampaign => stored.is(d));
  }

  private params(storeId: string, c: OnsiteCampaign): unknown[] {
    return [storeId, c.campaignId, c.name, c.placement, c.priority, c.status, c.startsAt ?? null, c.endsAt ?? null, JSON.stringify(c)];
  }

  /** A variant's offer must exist: a typo would otherwise silently hide the variant from everyone. */
  private async checkOffers(storeId: string, c: OnsiteCampaign): Promise<void> {
    const ids = [...new Set(c.variants.flatMap((v) => (v.offerId === undefined ? [] : [v.offerId])))];
    if (ids.length === 0) return;
    const rows: { offer_id: string }[] = await this.db.query(`SELECT "offer_id" FROM "campaign"."offers" WHERE "store_id" = $1 AND "offer_id" = ANY($2)`, [storeId, ids]);
    const known = new Set(rows.map((r) => r.offer_id));
    const errors = c.variants.flatMap((v, i) => (v.offerId !== undefined && !known.has(v.offerId) ? [{ field: `variants.${i}.offerId`, message: `Unknown offer ${v.offerId}` }] : []));
    if (errors.length) throw badRequest('Invalid campaign', errors);
  }
}
