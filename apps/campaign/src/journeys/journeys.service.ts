import { Injectable, NotFoundException } from '@nestjs/common';
import { InjectDataSource } from '@nestjs/typeorm';
import { randomUUID } from 'node:crypto';
import type { DataSource } from 'typeorm';
import type { JourneyDefinition } from './definition';

export interface Journey extends JourneyDefinition {
  journeyId: string;
  storeId: string;
  version: number;
  createdAt: string;
  updatedAt: string;
}

export interface GroupReport {
  entered: number;
  converted: number;
  conversionRate: number | null;
}

export interface JourneyReport {
  journeyId: string;
  version: number;
  runs: Record<string, number>;
  /** Messages by state, from the outbox (queued, sent, held_out, suppressed, failed, ...). */
  messages: Record<string, number>;
  treatment: GroupReport;
  holdout: GroupReport;
  /** Relative lift of the treatment's conversion rate over the holdout's; null without both. */
  lift: number | null;
}

interface JourneyRow {
  store_id: string;
  journey_id: string;
  version: number;
  definition: JourneyDefinition;
  created_at: Date;
  updated_at: Date;
}

const toJourney = (r: JourneyRow): Journey => ({
  journeyId: r.journey_id,
  storeId: r.store_id,
  version: r.version,
  ...r.definition,
  createdAt: r.created_at.toISOString(),
  updatedAt: r.updated_at.toISOString(),
});

const notFound = (journeyId: string) => new NotFoundException({ statusCode: 404, error: 'Not Found', message: `No journey '${journeyId}'` });

/** Journey definitions of a store; every version saved, so runs finish on the version they began. */
@Injectable()
export class JourneysService {
  constructor(@InjectDataSource() private readonly db: DataSource) {}

  async create(storeId: string, d: JourneyDefinition): Promise<Journey> {
    const journeyId = randomUUID();
    return this.db.transaction(async (tx) => {
      const [row]: JourneyRow[] = await tx.query(
        `INSERT INTO "campaign"."journeys" ("store_id", "journey_id", "version", "name", "trigger", "status", "definition") VALUES ($1, $2, 1, $3, $4, $5, $6) RETURNING *`,
        [storeId, journeyId, d.name, d.trigger.type, d.status, JSON.stringify(d)],
      );
      await tx.query(`INSERT INTO "campaign"."journey_versions" ("store_id", "journey_id", "version", "definition") VALUES ($1, $2, 1, $3)`, [storeId, journeyId, JSON.stringify(d)]);
      return toJourney(row as JourneyRow);
    });
  }

  async list(storeId: string): Promise<Journey[]> {
    const rows: JourneyRow[] = await this.db.query(`SELECT * FROM "campaign"."journeys" WHERE "store_id" = $1 AND "deleted_at" IS NULL ORDER BY "created_at", "journey_id"`, [storeId]);
    return rows.map(toJourney);
  }

  async get(storeId: string, journeyId: string): Promise<Journey> {
    const [row]: JourneyRow[] = await this.db.query(`SELECT * FROM "campaign"."journeys" WHERE "store_id" = $1 AND "journey_id" = $2 AND "deleted_at" IS NULL`, [storeId, journeyId]);
    if (!row) throw notFound(journeyId);
    return toJourney(row);
  }

  /** A new version; runs under way keep the steps they started with. */
  async update(storeId: string, journeyId: string, d: JourneyDefinition): Promise<Journey> {
    return this.db.transaction(async (tx) => {
      const [[row]]: [JourneyRow[]] = await tx.query(
        `UPDATE "campaign"."journeys" SET "version" = "version" + 1, "name" = $3, "trigger" = $4, "status" = $5, "definition" = $6, "updated_at" = now()
         WHERE "store_id" = $1 AND "journey_id" = $2 AND "deleted_at" IS NULL RETURNING *`,
        [storeId, journeyId, d.name, d.trigger.type, d.status, JSON.stringify(d)],
      );
      if (!row) throw notFound(journeyId);
      await tx.query(`INSERT INTO "campaign"."journey_versions" ("store_id", "journey_id", "version", "definition") VALUES ($1, $2, $3, $4)`, [
        storeId,
        journeyId,
        row.version,
        JSON.stringify(d),
      ]);
      return toJourney(row);
    });
  }

  /** Ends the journey's waiting runs too; the runs stay for the report. */
  async remove(storeId: string, journeyId: string): Promise<void> {
    await this.db.transaction(async (tx) => {
      const [rows]: [unknown[]] = await tx.query(
        `UPDATE "campaign"."journeys" SET "deleted_at" = now(), "updated_at" = now() WHERE "store_id" = $1 AND "journey_id" = $2 AND "deleted_at" IS NULL RETURNING 1`,
        [storeId, journeyId],
      );
      if (rows.length === 0) throw notFound(journeyId);
      await tx.query(
        `UPDATE "campaign"."journey_runs" SET "state" = 'exited', "reason" = 'journey deleted', "due_at" = NULL, "updated_at" = now()
         WHERE "store_id" = $1 AND "journey_id" = $2 AND "state" = 'waiting'`,
        [storeId, journeyId],
      );
    });
  }

  async report(storeId: string, journeyId: string): Promise<JourneyReport> {
    const journey = await this.get(storeId, journeyId);
    const states: { state: string; n: string }[] = await this.db.query(
      `SELECT "state", count(*) AS n FROM "campaign"."journey_runs" WHERE "store_id" = $1 AND "journey_id" = $2 GROUP BY "state"`,
      [storeId, journeyId],
    );
    const groups: { holdout: boolean; entered: string; converted: string }[] = await this.db.query(
      `SELECT "holdout", count(*) AS entered, count("converted_at") AS converted FROM "campaign"."journey_runs" WHERE "store_id" = $1 AND "journey_id" = $2 GROUP BY "holdout"`,
      [storeId, journeyId],
    );
    const group = (holdout: boolean): GroupReport => {
      const g = groups.find((x) => x.holdout === holdout);
      const entered = Number(g?.entered ?? 0);
      const converted = Number(g?.converted ?? 0);
      return { entered, converted, conversionRate: entered ? converted / entered : null };
    };
    const treatment = group(false);
    const holdout = group(true);
    const lift = treatment.conversionRate !== null && holdout.conversionRate ? treatment.conversionRate / holdout.conversionRate - 1 : null;
    return {
      journeyId,
      version: journey.version,
      runs: Object.fromEntries(states.map((s) => [s.state, Number(s.n)])),
      messages: await this.messagesByStatus(storeId, journeyId),
      treatment,
      holdout,
      lift,
    };
  }

  /** Messages of this journey by state, from delivery's outbox table (held_out ones included). */
  private async messagesByStatus(storeId: string, journeyId: string): Promise<Record<string, number>> {
    const rows: { state: string; n: string }[] = await this.db.query(
      `SELECT "state", count(*) AS n FROM "campaign"."messages" WHERE "store_id" = $1 AND "campaign_id" = $2 AND "kind" = 'journey' GROUP BY "state"`,
      [storeId, journeyId],
    );
    return Object.fromEntries(rows.map((r) => [r.state, Number(r.n)]));
  }
}
