import { Injectable } from '@nestjs/common';
import { InjectDataSource } from '@nestjs/typeorm';
import type { DataSource, EntityManager } from 'typeorm';
import type { QuizDefinition } from './quiz-definition';

export interface QuizRecord {
  quizId: string;
  version: number;
  createdAt: string;
  updatedAt: string;
  definition: QuizDefinition;
}

interface QuizRow {
  quiz_id: string;
  definition: QuizDefinition;
  version: number;
  created_at: Date;
  updated_at: Date;
}

const record = (r: QuizRow): QuizRecord => ({
  quizId: r.quiz_id,
  version: r.version,
  createdAt: r.created_at.toISOString(),
  updatedAt: r.updated_at.toISOString(),
  definition: r.definition,
});

/** The key of a quiz in definitionsFor's answer. */
export const quizKey = (storeId: string, quizId: string): string => `${storeId}\u0000${quizId}`;

export interface IssuedCode {
  code: string;
  issuedAt: Date;
}

/** Postgres unique_violation: here, a fresh code that another shopper of the store already holds. */
const UNIQUE_VIOLATION = '23505';
const CODE_ATTEMPTS = 5;
const isUniqueViolation = (e: unknown): boolean => typeof e === 'object' && e !== null && (e as { code?: unknown }).code === UNIQUE_VIOLATION;

/** Quiz definitions and the discount codes their finishers were given. */
@Injectable()
export class QuizzesRepository {
  constructor(@InjectDataSource() private readonly db: DataSource) {}

  async list(storeId: string): Promise<QuizRecord[]> {
    const rows: QuizRow[] = await this.db.query(`SELECT * FROM "profile"."quizzes" WHERE "store_id" = $1 ORDER BY "quiz_id"`, [storeId]);
    return rows.map(record);
  }

  async get(storeId: string, quizId: string): Promise<QuizRecord | null> {
    const [row]: QuizRow[] = await this.db.query(`SELECT * FROM "profile"."quizzes" WHERE "store_id" = $1 AND "quiz_id" = $2`, [storeId, quizId]);
    return row ? record(row) : null;
  }

  /** Null when the id is taken. */
  async create(storeId: string, quizId: string, definition: QuizDefinition): Promise<QuizRecord | null> {
    const [row]: QuizRow[] = await this.db.query(
      `INSERT INTO "profile"."quizzes" ("store_id", "quiz_id", "definition") VALUES ($1, $2, $3) ON CONFLICT DO NOTHING RETURNING *`,
      [storeId, quizId, JSON.stringify(definition)],
    );
    return row ? record(row) : null;
  }

  /** Replaces a definition as a new version; null when there is no such quiz. */
  async replace(storeId: string, quizId: string, definition: QuizDefinition): Promise<QuizRecord | null> {
    const [rows]: [QuizRow[], number] = await this.db.query(
      `UPDATE "profile"."quizzes" SET "definition" = $3, "version" = "version" + 1, "updated_at" = now()
       WHERE "store_id" = $1 AND "quiz_id" = $2 RETURNING *`,
      [storeId, quizId, JSON.stringify(definition)],
    );
    const [row] = rows;
    return row ? record(row) : null;
  }

  /** Codes already issued stay valid (and in quiz_rewards): a shopper keeps what they were promised. */
  async delete(storeId: string, quizId: string): Promise<boolean> {
    const [, n]: [unknown, number] = await this.db.query(`DELETE FROM "profile"."quizzes" WHERE "store_id" = $1 AND "quiz_id" = $2`, [storeId, quizId]);
    return n > 0;
  }

  /** The definitions behind a batch of quiz answers, in one query, by quizKey; unknown quizzes are absent. */
  async definitionsFor(tx: EntityManager, refs: readonly { storeId: string; quizId: string }[]): Promise<Map<string, QuizDefinition>> {
    const unique = new Map(refs.map((r) => [quizKey(r.storeId, r.quizId), r]));
    if (unique.size === 0) return new Map();
    const wanted = [...unique.values()];
    const rows: { store_id: string; quiz_id: string; definition: QuizDefinition }[] = await tx.query(
      `SELECT q."store_id", q."quiz_id", q."definition" FROM "profile"."quizzes" q
       JOIN unnest($1::varchar[], $2::varchar[]) AS w("store_id", "quiz_id") ON w."store_id" = q."store_id" AND w."quiz_id" = q."quiz_id"`,
      [wanted.map((r) => r.storeId), wanted.map((r) => r.quizId)],
    );
    return new Map(rows.map((r) => [quizKey(r.store_id, r.quiz_id), r.definition]));
  }

  /**
   * The holder's code for this quiz: the one issued before if any (however often they finish it),
   * else a new one from `newCode`, drawn again when it collides with a code of another shopper.
   */
  async issueReward(storeId: string, quizId: string, holder: string, profileId: string, newCode: () => string): Promise<IssuedCode> {
    for (let attempt = 1; ; attempt++) {
      try {
        const [issued]: { code: string; issued_at: Date }[] = await this.db.query(
          `INSERT INTO "profile"."quiz_rewards" ("store_id", "quiz_id", "holder", "code", "profile_id") VALUES ($1, $2, $3, $4, $5)
           ON CONFLICT ("store_id", "quiz_id", "holder") DO NOTHING RETURNING "code", "issued_at"`,
          [storeId, quizId, holder, newCode(), profileId],
        );
        if (issued) return { code: issued.code, issuedAt: issued.issued_at };
        // A concurrent or earlier finish won; its row is committed by now (ON CONFLICT waited for it).
        const [existing]: { code: string; issued_at: Date }[] = await this.db.query(
          `SELECT "code", "issued_at" FROM "profile"."quiz_rewards" WHERE "store_id" = $1 AND "quiz_id" = $2 AND "holder" = $3`,
          [storeId, quizId, holder],
        );
        if (existing) return { code: existing.code, issuedAt: existing.issued_at };
        // Only reachable if the row was deleted in between (an erasure): issue afresh.
      } catch (e) {
        // The holder conflict is the arbiter, so a unique violation here can only be UNIQUE (store_id, code).
        if (!isUniqueViolation(e) || attempt >= CODE_ATTEMPTS) throw e;
      }
      if (attempt >= CODE_ATTEMPTS) throw new Error(`Could not issue a quiz reward code after ${CODE_ATTEMPTS} attempts`);
    }
  }
}
