import { Injectable, Logger } from '@nestjs/common';
import type { EntityManager } from 'typeorm';
import type { StoreSettings } from '../settings/store-settings';
import type { EventType } from '@signal/contracts';
import type { LiveSegment } from './memberships';
import { triggersOf } from './relevance';
import { compileRule } from './rules';
import { SegmentsRepository } from './segments.repository';

/** How often a replica checks whether a store's segments changed elsewhere. */
const CHECK_MS = 1_000;

/** A store's active segments, and the ones each event type can change. */
export class StoreSegments {
  private readonly anyEvent: LiveSegment[];
  private readonly byType = new Map<EventType, LiveSegment[]>();

  constructor(readonly all: readonly LiveSegment[]) {
    this.anyEvent = all.filter((s) => s.triggers === 'any');
    for (const s of all) {
      if (s.triggers === 'any') continue;
      for (const t of s.triggers) this.byType.set(t, [...(this.byType.get(t) ?? []), s]);
    }
  }

  /** The segments whose answer events of these types can change, in definition order. */
  changedBy(types: ReadonlySet<EventType>): readonly LiveSegment[] {
    if (types.size === 1) {
      const [only] = types;
      const typed = this.byType.get(only as EventType) ?? [];
      return typed.length === 0 ? this.anyEvent : this.anyEvent.length === 0 ? typed : [...this.anyEvent, ...typed];
    }
    const picked = new Set<LiveSegment>(this.anyEvent);
    for (const t of types) for (const s of this.byType.get(t) ?? []) picked.add(s);
    return [...picked];
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
            segments.push({ segmentId: r.segmentId, version: r.version, rule: compileRule(r.definition, settings.get(id) as StoreSettings), triggers: triggersOf(r.definition) });
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
