import { ConflictException, Injectable, NotFoundException } from '@nestjs/common';
import { InjectDataSource } from '@nestjs/typeorm';
import { randomBytes } from 'node:crypto';
import type { DataSource, EntityManager } from 'typeorm';
import type { Discount, Offer, OfferKind } from './definitions';
import { offerAllowed } from './rules';
import { readShopper } from './shopper-reader';

export type IssueResult = { ok: true; code: string; discount: Discount; expiresAt: string } | { ok: false; reason: string };

export interface OfferView extends Offer {
  issued: number;
}

export interface OfferReport {
  offerId: string;
  budget: number;
  issued: number;
  redeemed: number;
  /** Issued, never redeemed, and past their expiry. */
  expired: number;
  budgetLeft: number;
}

export interface CodeView {
  code: string;
  offerId: string;
  discount: Discount;
  issuedAt: string;
  expiresAt: string;
  redeemedAt: string | null;
  /** Usable at checkout now: neither redeemed nor expired. */
  valid: boolean;
}

interface OfferRow {
  offer_id: string;
  name: string;
  kind: OfferKind;
  status: 'active' | 'paused';
  discount: Discount;
  code_prefix: string;
  validity_days: number;
  budget: number;
  issued: number;
}

// No 0/O or 1/I: codes get read aloud and typed in.
const CODE_ALPHABET = 'ABCDEFGHJKLMNPQRSTUVWXYZ23456789';
const CODE_LENGTH = 10;

export function newCode(prefix: string): string {
  const bytes = randomBytes(CODE_LENGTH);
  let s = '';
  for (const b of bytes) s += CODE_ALPHABET[b & 31];
  return `${prefix}-${s}`;
}

/** TypeORM answers an UPDATE or DELETE with [rows, count] and anything else with the rows. */
export function rowsOf<T>(result: unknown): T[] {
  if (Array.isArray(result) && result.length === 2 && Array.isArray(result[0]) && typeof result[1] === 'number') return result[0] as T[];
  return result as T[];
}

const toView = (r: OfferRow): OfferView => ({
  offerId: r.offer_id,
  name: r.name,
  kind: r.kind,
  status: r.status,
  discount: r.discount,
  codePrefix: r.code_prefix,
  validityDays: r.validity_days,
  budget: r.budget,
  issued: r.issued,
});

const OFFER_COLUMNS = `"offer_id", "name", "kind", "status", "discount", "code_prefix", "validity_days", "budget", "issued"`;

/**
 * Offers and their single-use codes. One code per shopper per offer, and one live (unexpired,
 * unredeemed) offer per shopper at a time; the budget is the most codes an offer ever hands out.
 */
@Injectable()
export class OffersService {
  constructor(@InjectDataSource() private readonly db: DataSource) {}

  /**
   * The shopper's code for this offer: issued now, or the one they were given before. Refused when
   * the offer is not for them (its kind's guard), its budget is spent, or they hold a live code of
   * another offer. Call inside the transaction that uses the code, so a refusal after it leaves no code.
   */
  async issue(tx: EntityManager, storeId: string, offerId: string, profileId: string): Promise<IssueResult> {
    // One shopper's issuing runs one at a time (two tabs, two replicas): "never two competing offers" holds under concurrency.
    await tx.query(`SELECT pg_advisory_xact_lock(hashtext('campaign.offers'), hashtext($1))`, [`${storeId}:${profileId}`]);
    const [offer]: OfferRow[] = await tx.query(`SELECT ${OFFER_COLUMNS} FROM "campaign"."offers" WHERE "store_id" = $1 AND "offer_id" = $2`, [storeId, offerId]);
    if (!offer) return { ok: false, reason: 'unknown offer' };
    const held: { code: string; offer_id: string; expires_at: Date; redeemed_at: Date | null }[] = await tx.query(
      `SELECT "code", "offer_id", "expires_at", "redeemed_at" FROM "campaign"."offer_codes"
       WHERE "store_id" = $1 AND "profile_id" = $2 AND ("offer_id" = $3 OR ("redeemed_at" IS NULL AND "expires_at" > now()))`,
      [storeId, profileId, offerId],
    );
    const own = held.find((h) => h.offer_id === offerId);
    if (own) {
      if (own.redeemed_at) return { ok: false, reason: 'the shopper has used this offer' };
      if (own.expires_at.getTime() <= Date.now()) return { ok: false, reason: "the shopper's code for this offer has expired" };
      return { ok: true, code: own.code, discount: offer.discount, expiresAt: own.expires_at.toISOString() };
    }
    if (held.length > 0) return { ok: false, reason: 'the shopper holds a competing offer' };
    if (offer.status !== 'active') return { ok: false, reason: 'offer paused' };
    const allowed = offerAllowed(offer.kind, await readShopper(tx, storeId, profileId));
    if (!allowed.ok) return allowed;
    // The row lock of this update queues concurrent issuers of the offer, so the count never passes the budget.
    const took = rowsOf(
      await tx.query(`UPDATE "campaign"."offers" SET "issued" = "issued" + 1 WHERE "store_id" = $1 AND "offer_id" = $2 AND "issued" < "budget" RETURNING "issued"`, [storeId, offerId]),
    );
    if (took.length === 0) return { ok: false, reason: 'offer budget spent' };
    for (;;) {
      const [row]: { code: string; expires_at: Date }[] = await tx.query(
        `INSERT INTO "campaign"."offer_codes" ("store_id", "code", "offer_id", "profile_id", "expires_at")
         VALUES ($1, $2, $3, $4, now() + make_interval(days => $5)) ON CONFLICT ("store_id", "code") DO NOTHING RETURNING "code", "expires_at"`,
        [storeId, newCode(offer.code_prefix), offerId, profileId, offer.validity_days],
      );
      // 50 random bits: a clash is rare enough that trying again is the whole answer.
      if (row) return { ok: true, code: row.code, discount: offer.discount, expiresAt: row.expires_at.toISOString() };
    }
  }

  async create(storeId: string, o: Offer): Promise<OfferView> {
    const [row]: OfferRow[] = await this.db.query(
      `INSERT INTO "campaign"."offers" ("store_id", "offer_id", "name", "kind", "status", "discount", "code_prefix", "validity_days", "budget")
       VALUES ($1, $2, $3, $4, $5, $6, $7, $8, $9) ON CONFLICT ("store_id", "offer_id") DO NOTHING RETURNING ${OFFER_COLUMNS}`,
      [storeId, o.offerId, o.name, o.kind, o.status, JSON.stringify(o.discount), o.codePrefix, o.validityDays, o.budget],
    );
    if (!row) throw new ConflictException({ statusCode: 409, error: 'Conflict', message: `Offer ${o.offerId} exists; PUT replaces it` });
    return toView(row);
  }

  /** Replaces the definition (or creates it); codes issued so far keep counting against the budget. */
  async replace(storeId: string, o: Offer): Promise<OfferView> {
    const [row]: OfferRow[] = await this.db.query(
      `INSERT INTO "campaign"."offers" AS o ("store_id", "offer_id", "name", "kind", "status", "discount", "code_prefix", "validity_days", "budget")
       VALUES ($1, $2, $3, $4, $5, $6, $7, $8, $9)
       ON CONFLICT ("store_id", "offer_id") DO UPDATE SET "name" = EXCLUDED."name", "kind" = EXCLUDED."kind", "status" = EXCLUDED."status", "discount" = EXCLUDED."discount",
         "code_prefix" = EXCLUDED."code_prefix", "validity_days" = EXCLUDED."validity_days", "budget" = EXCLUDED."budget", "updated_at" = now()
       RETURNING ${OFFER_COLUMNS}`,
      [storeId, o.offerId, o.name, o.kind, o.status, JSON.stringify(o.discount), o.codePrefix, o.validityDays, o.budget],
    );
    return toView(row);
  }

  async list(storeId: string): Promise<{ offers: OfferView[] }> {
    const rows: OfferRow[] = await this.db.query(`SELECT ${OFFER_COLUMNS} FROM "campaign"."offers" WHERE "store_id" = $1 ORDER BY "offer_id" LIMIT 1000`, [storeId]);
    return { offers: rows.map(toView) };
  }

  async get(storeId: string, offerId: string): Promise<OfferView> {
    const [row]: OfferRow[] = await this.db.query(`SELECT ${OFFER_COLUMNS} FROM "campaign"."offers" WHERE "store_id" = $1 AND "offer_id" = $2`, [storeId, offerId]);
    if (!row) throw notFound(offerId);
    return toView(row);
  }

  /** Only an offer that never issued a code: issued codes must stay checkable. Pause it instead. */
  async remove(storeId: string, offerId: string): Promise<{ offerId: string; deleted: true }> {
    const offer = await this.get(storeId, offerId);
    if (offer.issued > 0) throw new ConflictException({ statusCode: 409, error: 'Conflict', message: `Offer ${offerId} has issued codes; set its status to paused instead` });
    await this.db.query(`DELETE FROM "campaign"."offers" WHERE "store_id" = $1 AND "offer_id" = $2 AND "issued" = 0`, [storeId, offerId]);
    return { offerId, deleted: true };
  }

  async report(storeId: string, offerId: string): Promise<OfferReport> {
    const offer = await this.get(storeId, offerId);
    const [counts]: { redeemed: number; expired: number }[] = await this.db.query(
      `SELECT count(*) FILTER (WHERE "redeemed_at" IS NOT NULL)::int AS "redeemed",
              count(*) FILTER (WHERE "redeemed_at" IS NULL AND "expires_at" <= now())::int AS "expired"
       FROM "campaign"."offer_codes" WHERE "store_id" = $1 AND "offer_id" = $2`,
      [storeId, offerId],
    );
    return { offerId, budget: offer.budget, issued: offer.issued, redeemed: counts.redeemed, expired: counts.expired, budgetLeft: Math.max(0, offer.budget - offer.issued) };
  }

  /** A code as a checkout would check it. */
  async code(storeId: string, code: string): Promise<CodeView> {
    const [row]: { code: string; offer_id: string; discount: Discount; issued_at: Date; expires_at: Date; redeemed_at: Date | null }[] = await this.db.query(
      `SELECT c."code", c."offer_id", o."discount", c."issued_at", c."expires_at", c."redeemed_at"
       FROM "campaign"."offer_codes" c JOIN "campaign"."offers" o ON o."store_id" = c."store_id" AND o."offer_id" = c."offer_id"
       WHERE c."store_id" = $1 AND c."code" = $2`,
      [storeId, code],
    );
    if (!row) throw new NotFoundException({ statusCode: 404, error: 'Not Found', message: 'Unknown code' });
    return {
      code: row.code,
      offerId: row.offer_id,
      discount: row.discount,
      issuedAt: row.issued_at.toISOString(),
      expiresAt: row.expires_at.toISOString(),
      redeemedAt: row.redeemed_at?.toISOString() ?? null,
      valid: row.redeemed_at === null && row.expires_at.getTime() > Date.now(),
    };
  }

  /** Kinds and whether each offer is live, for the guards of a decision. */
  async states(storeId: string, offerIds: readonly string[]): Promise<Map<string, { kind: OfferKind; active: boolean }>> {
    if (offerIds.length === 0) return new Map();
    const rows: { offer_id: string; kind: OfferKind; status: string }[] = await this.db.query(
      `SELECT "offer_id", "kind", "status" FROM "campaign"."offers" WHERE "store_id" = $1 AND "offer_id" = ANY($2)`,
      [storeId, offerIds],
    );
    // A spent offer stays "active" here: shoppers who hold its code still see it again; issue() refuses newcomers.
    return new Map(rows.map((r) => [r.offer_id, { kind: r.kind, active: r.status === 'active' }]));
  }
}

const notFound = (offerId: string) => new NotFoundException({ statusCode: 404, error: 'Not Found', message: `Unknown offer ${offerId}` });
