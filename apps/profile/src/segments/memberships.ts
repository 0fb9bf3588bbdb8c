import type { SegmentMembershipChange } from '@signal/contracts';
import { personalizationWithdrawn } from '../profiles/stage';
import type { ProfileState } from '../profiles/profile-state';
import type { Relevance } from './relevance';
import { evaluationContext, type CompiledRule } from './rules';

/** An active segment, compiled for evaluation. */
export interface LiveSegment {
  segmentId: string;
  version: number;
  rule: CompiledRule;
  /** Which new events can change its answer. */
  relevance: Relevance;
}

export interface Membership {
  segmentId: string;
  version: number;
}

export interface MembershipDiff {
  entered: { segmentId: string; version: number; because: string }[];
  exited: { segmentId: string; version: number; because: string }[];
  /** When time alone may change a membership or the stage; null when only a new event can. */
  nextEvaluationAt: number | null;
}

/**
 * A profile's memberships against the store's segments at `now`: who enters, who exits, and when
 * to look again. A quiz answer can assign a segment outright; withdrawn personalization consent
 * leaves every segment. Memberships of segments no longer active are cleaned up when the segment is deleted.
 */
export function diffMemberships(profile: ProfileState, now: number, segments: readonly LiveSegment[], current: ReadonlyMap<string, Membership>, stageChangeAt: number | null): MembershipDiff {
  const entered: MembershipDiff['entered'] = [];
  const exited: MembershipDiff['exited'] = [];
  let next = stageChangeAt;
  const withdrawn = personalizationWithdrawn(profile);
  const ctx = withdrawn ? null : evaluationContext(profile, now);
  const assigned = Object.keys(profile.assignedSegments).length > 0 ? profile.assignedSegments : null;
  for (const s of segments) {
    const was = current.size > 0 ? current.get(s.segmentId) : undefined;
    if (ctx === null) {
      if (was) exited.push({ segmentId: s.segmentId, version: s.version, because: 'personalization consent withdrawn' });
      continue;
    }
    if (assigned !== null && assigned[s.segmentId] !== undefined) {
      if (!was) entered.push({ segmentId: s.segmentId, version: s.version, because: 'assigned by a quiz answer' });
      continue;
    }
    const r = s.rule.evaluate(ctx);
    if (r.nextChangeAt !== null && (next === null || r.nextChangeAt < next)) next = r.nextChangeAt;
    // `because` is built only when read: only for a change.
    if (r.match && !was) entered.push({ segmentId: s.segmentId, version: s.version, because: r.because });
    else if (!r.match && was) exited.push({ segmentId: s.segmentId, version: s.version, because: r.because });
  }
  return { entered, exited, nextEvaluationAt: next };
}

export type MembershipTrigger = SegmentMembershipChange['trigger'];
