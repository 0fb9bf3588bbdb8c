import { Injectable, Logger } from '@nestjs/common';
import type { EntityManager } from 'typeorm';
import type { StoreSettings } from '../settings/store-settings';
import type { EventType } from '@signal/contracts';
import type { LiveSegment } from './memberships';
import type { HistoryEntry } from '../profiles/profile-state';
import { AFFINITY_DIMENSIONS } from '../settings/store-settings';
import { affinityValues, relevanceOf } from './relevance';
import { compileRule } from './rules';
import { SegmentsRepository } from './segments.repository';

/** How often a replica checks whether a store's segments changed elsewhere. */
const CHECK_MS = 1_000;

/** A store's active segments, indexed by what can change them. */
export class StoreSegments {
  private readonly anyEvent: LiveSegment[] = [];
  private readonly byType = new Map<EventType, LiveSegment[]>();
  private readonly byEntryType = new Map<EventType, { segment: LiveSegment; matches: (e: HistoryEntry) => boolean }[]>();
  private readonly byAffinity = new Map<string, LiveSegment[]>();
  private readonly index = new Map<LiveSegment, number>();
  private readonly stamps: Uint32Array;
  private generation = 0;

  constructor(readonly all: readonly LiveSegment[]) {
    all.forEach((s, i) => this.index.set(s, i));
    this.stamps = new Uint32Array(all.length);
    const add = <K, V>(map: Map<K, V[]>, k: K, v: V) => map.set(k, [...(map.get(k) ?? []), v]);
    for (const s of all) {
      const r = s.relevance;
      if (r.anyEvent) {
        this.anyEvent.push(s);
        continue;
      }
      for (const t of r.types) add(this.byType, t, s);
      for (const e of r.entries) for (const t of e.types) add(this.byEntryType, t, { segment: s, matches: e.matches });
      for (const a of r.affinities) add(this.byAffinity, `${a.dimension}\u0000${a.value ?? ''}`, s);
    }
  }

  /** The segments the batch's events for one profile can change, in no particular order. */
  changedBy(types: ReadonlySet<EventType>, entries: readonly HistoryEntry[]): LiveSegment[] {
    // A stamp per segment instead of a Set: this runs for every profile of every batch.
    const gen = ++this.generation;
    const picked = this.anyEvent.slice();
    const pick = (s: LiveSegment) => {
      const i = this.index.get(s) as number;
      if (this.stamps[i] === gen) return;
      this.stamps[i] = gen;
      picked.push(s);
    };
    for (const s of this.anyEvent) this.stamps[this.index.get(s) as number] = gen;
    for (const t of types) for (const s of this.byType.get(t) ?? []) pick(s);
    for (const e of entries) {
      for (const c of this.byEntryType.get(e.type) ?? []) if (this.stamps[this.index.get(c.segment) as number] !== gen && c.matches(e)) pick(c.segment);
      if (this.byAffinity.size === 0) continue;
      for (const d of AFFINITY_DIMENSIONS) {
        const values = affinityValues(e, d);
        if (values.length === 0) continue;
        for (const s of this.byAffinity.get(`${d}\u0000`) ?? []) pick(s);
        for (const v of values) for (const s of this.byAffinity.get(`${d}\u0000${v}`) ?? []) pick(s);
      }
    }
    return picked;
  }
}

interface Entry {
  /** Definitions and the settings they were compiled with (the half-life, sensitive categories). */
  fingerprint: string;
  segments: StoreSegments;
  checkedAt: number;
}

/**
 * Compiled active segments per store, for evaluation on every event. A cache only: each replica
 * notices definition changes within a second by a cheap fingerprint query, and recompiles then.
 */
@Injectable()
export class LiveSegments {
  private readonly log = new Logger(LiveSegments.name);
  private readonly cache = new Map<string, Entry>();

  constructor(private readonly repository: SegmentsRepository) {}

  invalidate(storeId: string): void {
    this.cache.delete(storeId);
  }

  async forStores(tx: EntityManager, settings: ReadonlyMap<string, StoreSettings>): Promise<Map<string, StoreSegments>> {
    const now = Date.now();
    const out = new Map<string, StoreSegments>();
    const stale = [...settings.keys()].filter((id) => {
      const hit = this.cache.get(id);
      if (hit && now - hit.checkedAt < CHECK_MS) out.set(id, hit.segments);
      return !out.has(id);
    });
    if (stale.length === 0) return out;
    const defs = await this.repository.fingerprints(stale, tx);
    const prints = new Map(stale.map((id) => [id, `${defs.get(id) ?? 'none'}|${JSON.stringify(settings.get(id))}`]));
    const reload = stale.filter((id) => {
      const hit = this.cache.get(id);
      const print = prints.get(id);
      if (hit && hit.fingerprint === print) {
        hit.checkedAt = now;
        out.set(id, hit.segments);
        return false;
      }
      return true;
    });
    if (reload.length) {
      const records = await this.repository.active(reload, tx);
      for (const id of reload) {
        const segments: LiveSegment[] = [];
        for (const r of records.filter((x) => x.storeId === id)) {
          try {
            segments.push({ segmentId: r.segmentId, version: r.version, rule: compileRule(r.definition, settings.get(id) as StoreSettings), relevance: relevanceOf(r.definition) });
          } catch (e) {
            // Definitions are checked when saved; one that no longer compiles (a newer rule checker) is skipped, not fatal.
            this.log.error({ err: e, storeId: id, segmentId: r.segmentId }, 'Segment definition does not compile; skipped');
          }
        }
        const compiled = new StoreSegments(segments);
        this.cache.set(id, { fingerprint: prints.get(id) as string, segments: compiled, checkedAt: now });
        out.set(id, compiled);
      }
    }
    return out;
  }
}
