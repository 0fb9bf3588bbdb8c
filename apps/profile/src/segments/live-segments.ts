import { Injectable, Logger } from '@nestjs/common';
import type { EntityManager } from 'typeorm';
import type { StoreSettings } from '../settings/store-settings';
import type { LiveSegment } from './memberships';
import { compileRule } from './rules';
import { SegmentsRepository } from './segments.repository';

/** How often a replica checks whether a store's segments changed elsewhere. */
const CHECK_MS = 1_000;

interface Entry {
  /** Definitions and the settings they were compiled with (the half-life, sensitive categories). */
  fingerprint: string;
  segments: LiveSegment[];
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

  async forStores(tx: EntityManager, settings: ReadonlyMap<string, StoreSettings>): Promise<Map<string, LiveSegment[]>> {
    const now = Date.now();
    const out = new Map<string, LiveSegment[]>();
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
            segments.push({ segmentId: r.segmentId, version: r.version, rule: compileRule(r.definition, settings.get(id) as StoreSettings) });
          } catch (e) {
            // Definitions are checked when saved; one that no longer compiles (a newer rule checker) is skipped, not fatal.
            this.log.error({ err: e, storeId: id, segmentId: r.segmentId }, 'Segment definition does not compile; skipped');
          }
        }
        this.cache.set(id, { fingerprint: prints.get(id) as string, segments, checkedAt: now });
        out.set(id, segments);
      }
    }
    return out;
  }
}
