/**
 * The `size` best ids by a score, kept sorted as scores change (best first; ties by smaller id).
 * Built for scores that only grow, such as heat and order counts: then it is exact. A score that
 * falls out of the top cannot bring back the one it displaced; a full reload of the cache heals it.
 */
export class Leaderboard {
  private ids: string[] = [];
  private scores: number[] = [];
  private readonly members = new Map<string, number>();

  constructor(private readonly size: number) {}

  /** Where (score, id) belongs: the first index holding something it beats. */
  private position(score: number, id: string): number {
    let lo = 0;
    let hi = this.ids.length;
    while (lo < hi) {
      const mid = (lo + hi) >> 1;
      const s = this.scores[mid];
      if (s > score || (s === score && this.ids[mid] < id)) lo = mid + 1;
      else hi = mid;
    }
    return lo;
  }

  update(id: string, score: number): void {
    const old = this.members.get(id);
    if (old === score) return;
    if (old !== undefined) {
      const at = this.position(old, id);
      this.ids.splice(at, 1);
      this.scores.splice(at, 1);
      this.members.delete(id);
    }
    const at = this.position(score, id);
    if (at >= this.size) return;
    this.ids.splice(at, 0, id);
    this.scores.splice(at, 0, score);
    this.members.set(id, score);
    if (this.ids.length > this.size) {
      this.members.delete(this.ids.pop() as string);
      this.scores.pop();
    }
  }

  /** Best first. The array is the board's own: callers must not change it. */
  top(): readonly string[] {
    return this.ids;
  }
}
