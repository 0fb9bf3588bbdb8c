import type { EventType } from '@signal/contracts';
import { topAffinities } from '../../profiles/affinities';
import type { HistoryEntry, ProfileState } from '../../profiles/profile-state';
import { stageAt } from '../../profiles/stage';
import type { AffinityDimension, StoreSettings } from '../../settings/store-settings';

export type StageAt = ReturnType<typeof stageAt>;

/**
 * One profile at one instant, shared by every segment of its store. Whatever several rules need
 * (history by type, the stage, affinity ranks) is worked out on first use and then reused.
 */
export interface EvaluationContext {
  readonly profile: ProfileState;
  readonly now: number;
  /** Remembered entries of one type, newest first. */
  history(type: EventType): readonly HistoryEntry[];
  /** All remembered entries, newest first. */
  allHistory(): readonly HistoryEntry[];
  stage(thresholds: StoreSettings['stages']): StageAt;
  /** 1 for the strongest value of the dimension, 0 when the value has no score. */
  affinityRank(dimension: AffinityDimension, value: string): number;
}

const NONE: readonly HistoryEntry[] = [];
const newestFirst = (a: HistoryEntry, b: HistoryEntry) => b.at - a.at;

function sorted(history: readonly HistoryEntry[]): readonly HistoryEntry[] {
  for (let i = 1; i < history.length; i++) if (history[i].at > history[i - 1].at) return [...history].sort(newestFirst);
  return history;
}

class Context implements EvaluationContext {
  private entries: readonly HistoryEntry[] | undefined;
  private byType: Map<EventType, HistoryEntry[]> | undefined;
  private stageFor: StoreSettings['stages'] | undefined;
  private stageNow: StageAt | undefined;
  private readonly ranks = new Map<AffinityDimension, Map<string, number>>();

  constructor(
    readonly profile: ProfileState,
    readonly now: number,
  ) {}

  // Window scans stop at the first entry that is too old, so order must hold even if a writer slipped.
  allHistory(): readonly HistoryEntry[] {
    return (this.entries ??= sorted(this.profile.history));
  }

  history(type: EventType): readonly HistoryEntry[] {
    if (this.byType === undefined) {
      this.byType = new Map();
      for (const e of this.allHistory()) {
        const list = this.byType.get(e.type);
        if (list) list.push(e);
        else this.byType.set(e.type, [e]);
      }
    }
    return this.byType.get(type) ?? NONE;
  }

  stage(thresholds: StoreSettings['stages']): StageAt {
    if (this.stageNow === undefined || this.stageFor !== thresholds) {
      this.stageNow = stageAt(this.profile, this.now, thresholds);
      this.stageFor = thresholds;
    }
    return this.stageNow;
  }

  affinityRank(dimension: AffinityDimension, value: string): number {
    let ranks = this.ranks.get(dimension);
    if (ranks === undefined) {
      // Every score decays by the same factor, so the order as of the scores' own time is the order now.
      const top = topAffinities(this.profile.affinities, dimension, this.profile.affinities.at, 1);
      ranks = new Map(top.map((t, i) => [t.value, i + 1]));
      this.ranks.set(dimension, ranks);
    }
    return ranks.get(value) ?? 0;
  }
}

/** Build once per (profile, now) and pass to every compiled rule of the store. */
export const evaluationContext = (profile: ProfileState, now: number): EvaluationContext => new Context(profile, now);
