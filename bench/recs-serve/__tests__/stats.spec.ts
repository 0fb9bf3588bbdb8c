import { metricSum } from '../../ingest/probes';
import { burstiness, dueOffsets, lagOf, pausesBetween, runClosedLoop, runOpenLoop, summarize, summarizeBy, type Clock, type Outcome, type Timed } from '../stats';

const ok = (items = 10, extra: Partial<Outcome> = {}): Outcome => ({ status: 200, items, fallback: false, personalized: true, ...extra });

/** A virtual clock: sleep advances time; pending sends resolve when time reaches them. */
class FakeClock implements Clock {
  t = 1_000;
  private timers: { at: number; fire: () => void }[] = [];
  now = () => this.t;
  sleep = (ms: number) => new Promise<void>((r) => this.after(ms, r));
  after(ms: number, fire: () => void): void {
    this.timers.push({ at: this.t + Math.max(0, ms), fire });
  }
  /** Runs timers in time order until none is left. */
  async drain(): Promise<void> {
    for (let guard = 0; guard < 1_000_000; guard++) {
      await new Promise((r) => setImmediate(r));
      if (this.timers.length === 0) return;
      this.timers.sort((a, b) => a.at - b.at);
      const next = this.timers.shift() as { at: number; fire: () => void };
      this.t = Math.max(this.t, next.at);
      next.fire();
    }
  }
}

const timed = (due: number, done: number, value: Outcome, sent = due): Timed<Outcome> => ({ index: 0, due, sent, done, value });

describe('recs-serve schedule and runners', () => {
  it('spaces an open loop evenly', () => {
    expect(dueOffsets(200, 5)).toEqual([0, 5, 10, 15, 20]);
    expect(dueOffsets(3, 3)).toEqual([0, 1000 / 3, 2000 / 3]);
    expect(() => dueOffsets(0, 1)).toThrow();
  });

  it('open loop: a slow answer does not delay later sends, and latency counts from the scheduled time', async () => {
    const clock = new FakeClock();
    const sentAt: number[] = [];
    const run = runOpenLoop({
      rate: 100, // every 10 ms
      count: 10,
      clock,
      startDelayMs: 0,
      send: (i) => {
        sentAt.push(clock.now());
        // Request 2 takes 100 ms; the others 3 ms.
        return new Promise<Outcome>((r) => clock.after(i === 2 ? 100 : 3, () => r(ok())));
      },
    });
    await clock.drain();
    const { start, results } = await run;
    expect(sentAt.map((t) => t - start)).toEqual([0, 10, 20, 30, 40, 50, 60, 70, 80, 90]);
    const lat = results.sort((a, b) => a.index - b.index).map((r) => r.done - r.due);
    expect(lat).toEqual([3, 3, 100, 3, 3, 3, 3, 3, 3, 3]);
  });

  it('open loop: when the client falls behind, the waiting time is part of the latency', async () => {
    const clock = new FakeClock();
    const run = runOpenLoop({
      rate: 1000,
      count: 5,
      clock,
      startDelayMs: 1,
      send: () => new Promise<Outcome>((r) => clock.after(1, () => r(ok()))),
    });
    // The client is stalled for 10 ms before its first send (a GC pause, a busy core).
    clock.t += 11;
    await clock.drain();
    const { results } = await run;
    const byIndex = results.sort((a, b) => a.index - b.index);
    // All five were due by then and go out at once; each one's latency starts at its own due time.
    expect(byIndex.map((r) => r.sent - r.due)).toEqual([10, 9, 8, 7, 6]);
    expect(byIndex.map((r) => r.done - r.due)).toEqual([11, 10, 9, 8, 7]);
  });

  it('closed loop: each client sends its next request when the last one answered', async () => {
    const clock = new FakeClock();
    const run = runClosedLoop({ concurrency: 2, durationMs: 100, clock, send: () => new Promise<Outcome>((r) => clock.after(10, () => r(ok()))) });
    await clock.drain();
    const { results, start, end } = await run;
    expect(results).toHaveLength(20);
    expect(end - start).toBe(100);
    expect(new Set(results.map((r) => r.index)).size).toBe(20);
  });

  it('runs for real with timers', async () => {
    const { results } = await runOpenLoop({ rate: 500, count: 20, send: async () => ok() });
    expect(results).toHaveLength(20);
    for (const r of results) expect(r.done).toBeGreaterThanOrEqual(r.due);
  });
});

describe('recs-serve summaries', () => {
  it('takes nearest-rank percentiles of the latencies', () => {
    const results = Array.from({ length: 100 }, (_, i) => timed(0, i + 1, ok()));
    const s = summarize(results);
    expect(s).toMatchObject({ requests: 100, ok: 100, non200: 0, p50: 50, p90: 90, p99: 99, max: 100, mean: 50.5 });
    expect(s.throughput).toBeCloseTo(100 / 0.1);
  });

  it('counts failures as infinitely slow, and fallbacks, empty and personalized answers', () => {
    const results = [
      ...Array.from({ length: 97 }, (_, i) => timed(0, 1 + i / 10, ok(i < 5 ? 0 : 10, { fallback: i < 10, personalized: i % 2 === 0 }))),
      timed(0, 50, { status: 503, items: 0, fallback: false, personalized: false }),
      timed(0, 60, { status: 0, items: 0, fallback: false, personalized: false }),
      timed(0, 70, { status: 502, items: 0, fallback: false, personalized: false }),
    ];
    const s = summarize(results);
    expect(s).toMatchObject({ requests: 100, ok: 97, non200: 3, noAnswer: 1, fallback: 10, empty: 5, personalized: 49 });
    expect(s.p99).toBe(Infinity);
    expect(s.p90).toBeCloseTo(1 + 89 / 10);
    expect(s.max).toBeCloseTo(1 + 96 / 10);
    expect(s.statuses).toEqual({ 200: 97, 503: 1, 0: 1, 502: 1 });
  });

  it('reports how late the client sent', () => {
    const results = Array.from({ length: 100 }, (_, i) => timed(0, 5, ok(), i === 99 ? 4 : 0));
    expect(summarize(results).sendLagP99).toBe(0);
    expect(summarize(results.slice(90)).sendLagP99).toBe(4);
  });

  it('summarizes empty input without throwing', () => {
    const s = summarize([]);
    expect(s.requests).toBe(0);
    expect(s.p99).toBeNaN();
    expect(s.throughput).toBeNaN();
  });

  it('groups results, a result possibly in several groups', () => {
    const results = [timed(0, 1, ok()), timed(0, 2, ok()), timed(0, 3, ok())].map((r, index) => ({ ...r, index }));
    const { overall, groups } = summarizeBy(results, (r) => (r.index === 0 ? ['home', 'home (new visitor)'] : r.index === 1 ? ['home'] : ['also_viewed']));
    expect(overall.requests).toBe(3);
    expect(groups.home.requests).toBe(2);
    expect(groups['home (new visitor)'].requests).toBe(1);
    expect(groups.also_viewed.max).toBe(3);
  });
});

describe('recs-serve consumer lag', () => {
  it('sums end minus committed offset per partition, from the low offset when nothing is committed', () => {
    const ends = [
      { partition: 0, high: '100', low: '0' },
      { partition: 1, high: '50', low: '10' },
      { partition: 2, high: '7', low: '0' },
    ];
    expect(lagOf(ends, [{ partition: 0, offset: '100' }, { partition: 1, offset: '-1' }, { partition: 2, offset: '5' }])).toBe(0 + 40 + 2);
    expect(lagOf(ends, [])).toBe(100 + 40 + 7);
    expect(lagOf(ends, [{ partition: 0, offset: '100' }, { partition: 1, offset: '50' }, { partition: 2, offset: '7' }])).toBe(0);
  });
});

describe('recs-serve pause probes', () => {
  const metrics = (minorSum: number, majorSum: number, count: number, under10: number, lagMax: number) =>
    [
      `nodejs_eventloop_lag_max_seconds ${lagMax}`,
      `nodejs_gc_duration_seconds_bucket{le="0.001",kind="minor"} 0`,
      `nodejs_gc_duration_seconds_bucket{le="0.01",kind="minor"} ${under10}`,
      `nodejs_gc_duration_seconds_bucket{le="0.01",kind="major"} 0`,
      `nodejs_gc_duration_seconds_sum{kind="minor"} ${minorSum}`,
      `nodejs_gc_duration_seconds_count{kind="minor"} ${count}`,
      `nodejs_gc_duration_seconds_sum{kind="major"} ${majorSum}`,
      `nodejs_gc_duration_seconds_count{kind="major"} 0`,
    ].join('\n');

  it('reports GC time by kind, pauses of 10 ms or more and the loop delay over a phase', () => {
    const p = pausesBetween(metrics(0.5, 0, 10, 9, 0.2), metrics(0.8, 0, 14, 11, 0.045), metricSum);
    expect(p.gcMs.minor).toBeCloseTo(300);
    expect(p.gcMs.major).toBeUndefined();
    expect(p.gcOver10ms).toBe(2);
    expect(p.loopMaxMs).toBeCloseTo(45);
  });

  it('tells bursts from slowness spread evenly', () => {
    const at = (due: number, ms: number): Timed<null> => ({ index: 0, due, sent: due, done: due + ms, value: null });
    const bursty = [...Array.from({ length: 20 }, (_, i) => at(3_000 + i, 80)), ...Array.from({ length: 10 }, (_, s) => at(s * 1000 + 500, 2))];
    expect(burstiness(bursty, 25)).toEqual({ slow: 20, seconds: 1, inWorst5s: 1 });
    const even = Array.from({ length: 10 }, (_, s) => at(s * 1000, 30));
    expect(burstiness(even, 25)).toEqual({ slow: 10, seconds: 10, inWorst5s: 0.5 });
  });
});
