import { Inject, Injectable, Logger } from '@nestjs/common';
import type { Client } from '@opensearch-project/opensearch';
import { OPENSEARCH, UnprocessableMessageError, type ConsumedMessage } from '@signal/platform';
import type { FieldError } from '@signal/contracts';
import { IndexAdmin } from '../indices/index-admin';
import { SEARCH_INDICES, docId, type IndexNames } from '../indices/index-names';
import { BEHAVIOUR_CONFIG, type BehaviourSettings } from './behaviour-config';
import { parseBehaviourMessage, type BehaviourEvent } from './behaviour-event';
import { bulkWithRetries, describeItem, isMissing, type BulkOutcome } from './bulk';
import { aggregate, learnedRewriteOps, productPopularityOps, queryStatsOps, rewriteCandidateOps, type BulkOp, type TeachDelta } from './effects';
import { applyEvents, hasOpenSearches, settleIdle, type Effect, type SessionDoc, type SessionResult, type SessionRules } from './session';

/** Rounds of read-apply-write for sessions another writer changed meanwhile. */
const SESSION_ROUNDS = 5;
/** Sessions read per sweep page. */
const SWEEP_PAGE = 500;

interface Stored {
  doc: SessionDoc | null;
  seqNo?: number;
  primaryTerm?: number;
}

export interface SweepResult {
  scanned: number;
  settled: number;
}

/**
 * events.enriched.v1 → what search learns from behaviour: query statistics (searches, trending
 * heat, zero results, clicks, carts, purchases, exits, what sells for the query), product
 * popularity (heat, units sold) and learned rewrites.
 *
 * Per batch: the shoppers' session documents are read with one mget, the events applied to them
 * in memory (session.ts), and written back with one bulk, conditionally (if_seq_no): a document
 * another writer changed meanwhile is read and applied again. Only then are the effects of the
 * sessions written applied to the shared documents, summed per document (effects.ts). The session
 * records the event ids and the Kafka offset it applied, so a redelivered batch (the platform
 * retries a batch message by message after a failure) changes nothing; the price is that effects
 * of an applied session are lost, never doubled, if writing them fails after the retries.
 */
@Injectable()
export class BehaviourService {
  private readonly log = new Logger(BehaviourService.name);
  private readonly rules: SessionRules;

  constructor(
    @Inject(OPENSEARCH) private readonly os: Client,
    @Inject(SEARCH_INDICES) private readonly names: IndexNames,
    @Inject(BEHAVIOUR_CONFIG) private readonly config: BehaviourSettings,
    private readonly admin: IndexAdmin,
  ) {
    this.rules = { windowMs: config.SEARCH_SESSION_WINDOW_MINUTES * 60_000, rewriteWindowMs: config.SEARCH_REWRITE_WINDOW_SECONDS * 1_000 };
  }

  async record(messages: ConsumedMessage[]): Promise<void> {
    const bySession = new Map<string, BehaviourEvent[]>();
    let invalid: FieldError[] | undefined;
    for (const m of messages) {
      const parsed = parseBehaviourMessage(m);
      if (!parsed.ok) {
        invalid ??= parsed.errors;
        continue;
      }
      const id = docId(parsed.event.storeId, parsed.event.profileId);
      const list = bySession.get(id);
      if (list) list.push(parsed.event);
      else bySession.set(id, [parsed.event]);
    }
    for (const events of bySession.values()) events.sort((a, b) => a.partition - b.partition || (BigInt(a.offset) < BigInt(b.offset) ? -1 : BigInt(a.offset) > BigInt(b.offset) ? 1 : 0));
    if (bySession.size) await this.applyToSessions(bySession, (stored, events, nowIso) => (events.length ? applyEvents(stored, events, this.rules, nowIso) : null), true);
    // The platform retries a failed batch message by message, which dead-letters just the bad one;
    // the good ones are skipped then, as their sessions recorded them.
    if (invalid) throw new UnprocessableMessageError('invalid_enriched_event', invalid);
  }

  /**
   * Settles the searches of shoppers who did not come back (their window has passed at `now`):
   * sessions last written between `from` and `now − window`. Idempotent and safe on several
   * replicas at once (conditional writes).
   */
  async sweep(from: Date, now = new Date()): Promise<SweepResult> {
    const until = new Date(now.getTime() - this.rules.windowMs);
    const result: SweepResult = { scanned: 0, settled: 0 };
    if (until <= from) return result;
    let after: unknown[] | undefined;
    for (;;) {
      // Only whether a search is open is read here; the open sessions are then read whole (mget).
      const res = await this.os.search({
        index: this.names.sessions,
        body: {
          size: SWEEP_PAGE,
          query: { range: { updatedAt: { gte: from.toISOString(), lte: until.toISOString() } } },
          sort: [{ updatedAt: 'asc' }, { _id: 'asc' }],
          _source: ['searches.settled'],
          ...(after ? { search_after: after } : {}),
        } as never,
      });
      const hits = (res.body as { hits: { hits: { _id: string; _source: Pick<SessionDoc, 'searches'>; sort: unknown[] }[] } }).hits.hits;
      result.scanned += hits.length;
      const open = hits.filter((h) => hasOpenSearches(h._source)).map((h) => h._id);
      if (open.length) {
        const groups = new Map(open.map((id) => [id, [] as BehaviourEvent[]]));
        result.settled += await this.applyToSessions(groups, (stored, _events, nowIso) => (stored ? settleIdle(stored, now.getTime(), this.rules, nowIso) : null), false);
      }
      if (hits.length < SWEEP_PAGE) return result;
      after = hits[hits.length - 1].sort;
    }
  }

  /** Deletes sessions idle longer than the retention. */
  async expireSessions(now = new Date()): Promise<number> {
    const before = new Date(now.getTime() - this.config.SEARCH_SESSION_RETENTION_HOURS * 3_600_000).toISOString();
    const res = await this.os.deleteByQuery({ index: this.names.sessions, conflicts: 'proceed', body: { query: { range: { updatedAt: { lt: before } } } } as never });
    return (res.body as { deleted?: number }).deleted ?? 0;
  }

  /**
   * Read (mget) → apply → conditional write, again for the sessions another
   * writer changed meanwhile; then the effects of the sessions written. Returns how many were written.
   */
  private async applyToSessions(
    groups: Map<string, BehaviourEvent[]>,
    apply: (stored: SessionDoc | null, events: BehaviourEvent[], nowIso: string) => SessionResult | null,
    createMissing: boolean,
  ): Promise<number> {
    const effects: Effect[] = [];
    let pending = [...groups.keys()];
    let written = 0;
    let conflicts = 0;
    for (let round = 1; pending.length > 0 && round <= SESSION_ROUNDS; round++) {
      const stored = await this.readSessions(pending);
      const nowIso = new Date().toISOString();
      const ops: BulkOp[] = [];
      const results: { id: string; result: SessionResult }[] = [];
      for (const id of pending) {
        const s = stored.get(id) ?? { doc: null };
        if (!s.doc && !createMissing) continue;
        const result = apply(s.doc, groups.get(id) ?? [], nowIso);
        if (!result?.changed) continue;
        const meta = s.doc ? { index: { _index: this.names.sessions, _id: id, if_seq_no: s.seqNo, if_primary_term: s.primaryTerm } } : { create: { _index: this.names.sessions, _id: id } };
        ops.push(meta, result.doc as unknown as BulkOp);
        results.push({ id, result });
      }
      if (!ops.length) {
        pending = [];
        break;
      }
      const outcomes = await bulkWithRetries(this.os, ops, { attempts: 1 });
      const retry: string[] = [];
      outcomes.forEach(({ item }, i) => {
        const { id, result } = results[i];
        if (!item.error) {
          written++;
          effects.push(...result.effects);
        } else if (item.status === 409) retry.push(id);
        else if (item.status === 429 || item.status >= 500) retry.push(id);
        else this.log.error(`session ${id} not written: ${describeItem(item)}`);
      });
      conflicts += retry.length;
      pending = retry;
    }
    if (effects.length) await this.applyEffects(effects);
    if (pending.length) throw new Error(`${pending.length} session documents kept changing (${conflicts} conflicts); retrying the batch`);
    return written;
  }

  private async readSessions(ids: string[]): Promise<Map<string, Stored>> {
    const res = await this.os.mget({ index: this.names.sessions, body: { ids } as never });
    const docs = (res.body as { docs: { _id: string; found?: boolean; _source?: SessionDoc; _seq_no?: number; _primary_term?: number }[] }).docs;
    return new Map(docs.map((d) => [d._id, d.found && d._source ? { doc: d._source, seqNo: d._seq_no, primaryTerm: d._primary_term } : { doc: null }]));
  }

  /** Query statistics, product popularity, rewrite support; then the learned rewrites that changed. */
  private async applyEffects(effects: Effect[]): Promise<void> {
    const deltas = aggregate(effects);
    const nowIso = new Date().toISOString();
    const ops: BulkOp[] = [];
    for (const q of deltas.queries) ops.push(...queryStatsOps(this.names.queries, q));
    if (deltas.products.length) {
      const targets = await this.admin.writeTargets();
      for (const p of deltas.products) ops.push(...productPopularityOps(targets, p));
    }
    const candidatesAt = ops.length / 2;
    for (const t of deltas.teaches) ops.push(...rewriteCandidateOps(this.names.rewrites, t, nowIso));
    if (!ops.length) return;
    const outcomes = await this.bulkLogged(ops);
    const learned = deltas.teaches.flatMap((t, i): TeachDelta[] => {
      const item = outcomes[candidatesAt + i].item;
      const source = item.get?._source;
      if (item.error || !source || source.kind !== 'candidate') return [];
      return [{ ...t, support: Number(source.support) }];
    });
    if (learned.length) await this.bulkLogged(learned.flatMap((t) => learnedRewriteOps(this.names.rewrites, t, this.config.SEARCH_REWRITE_MIN_SUPPORT, nowIso)));
  }

  /** Missing products are fine (events may name products not in the catalog); other failures are logged. */
  private async bulkLogged(ops: BulkOp[]): Promise<BulkOutcome[]> {
    const outcomes = await bulkWithRetries(this.os, ops, { attempts: 6 });
    for (const { item } of outcomes) if (item.error && !isMissing(item)) this.log.error(`behaviour update failed: ${describeItem(item)}`);
    return outcomes;
  }
}
