/**
 * The measuring parts of the recommendation serving benchmark that need no services: the open-loop
 * schedule, the open- and closed-loop runners (given a `send`), and the latency summaries.
 */
import { percentile } from '../ingest/probes';

/** What one request gave. `status` 0: no HTTP answer (connection error, client timeout). */
export interface Outcome {
  status: number;
  /** Items in a 200 answer. */
  items: number;
  /** The answer named a fallback. */
  fallback: boolean;
  personalized: boolean;
}

/** An outcome with its timing (ms, from the runner's clock). */
export interface Timed<T> {
  index: number;
  /** When the schedule said to send it (open loop), or when it was sent (closed loop). */
  due: number;
  sent: number;
  done: number;
  value: T;
}

/** Offsets (ms from the start) at which an open loop at `rate` requests/s sends its `count` requests. */
export function dueOffsets(rate: number, count: number): number[] {
  if (!(rate > 0)) throw new Error('rate must be positive');
  const interval = 1000 / rate;
  return Array.from({ length: count }, (_, i) => i * interval);
}

export interface Clock {
  now(): number;
  sleep(ms: number): Promise<void>;
}

export const realClock: Clock = {
  now: () => performance.now(),
  sleep: (ms) => new Promise((r) => setTimeout(r, Math.max(0, ms))),
};

/**
 * Open loop: request i is sent at start + i / rate, whatever happened to the earlier ones (a slow
 * answer never delays the next request), and its latency is taken from that scheduled time, so
 * time a request spent waiting because the client fell behind is counted (no coordinated omission).
 * `send` must not throw: it turns failures into an outcome.
 */
export async function runOpenLoop<T>(o: { rate: number; count: number; send: (index: number) => Promise<T>; clock?: Clock; startDelayMs?: number }): Promise<{ start: number; end: number; results: Timed<T>[] }> {
  const clock = o.clock ?? realClock;
  const offsets = dueOffsets(o.rate, o.count);
  const start = clock.now() + (o.startDelayMs ?? 5);
  const inflight: Promise<Timed<T>>[] = [];
  let i = 0;
  while (i < o.count) {
    const wait = start + offsets[i] - clock.now();
    if (wait > 0) await clock.sleep(wait);
    const now = clock.now();
    // Everything due by now goes out at once (the timer fires late now and then).
    while (i < o.count && start + offsets[i] <= now) {
      const index = i++;
      const due = start + offsets[index];
      const sent = clock.now();
      inflight.push(o.send(index).then((value) => ({ index, due, sent, done: clock.now(), value })));
    }
  }
  const results = await Promise.all(inflight);
  return { start, end: results.reduce((m, r) => Math.max(m, r.done), start), results };
}

/** Closed loop: `concurrency` clients, each sending its next request when the previous answered, until `durationMs` passed. */
export async function runClosedLoop<T>(o: { concurrency: number; durationMs: number; send: (index: number) => Promise<T>; clock?: Clock }): Promise<{ start: number; end: number; results: Timed<T>[] }> {
  const clock = o.clock ?? realClock;
  const start = clock.now();
  const until = start + o.durationMs;
  const results: Timed<T>[] = [];
  let next = 0;
  const client = async () => {
    while (clock.now() < until) {
      const index = next++;
      const sent = clock.now();
      const value = await o.send(index);
      results.push({ index, due: sent, sent, done: clock.now(), value });
    }
  };
  await Promise.all(Array.from({ length: Math.max(1, o.concurrency) }, client));
  return { start, end: clock.now(), results };
}

export interface LatencySummary {
  requests: number;
  ok: number;
  /** Answers other than 200, and requests without an answer (status 0). */
  non200: number;
  noAnswer: number;
  fallback: number;
  /** 200 answers with no item. */
  empty: number;
  personalized: number;
  /** Latency percentiles (ms) over all requests; a request without a 200 answer counts as infinitely slow. */
  p50: number;
  p90: number;
  p99: number;
  /** Slowest 200 answer. */
  max: number;
  /** Mean over the 200 answers. */
  mean: number;
  /** Answers per second: requests / (last answer − first scheduled send). */
  throughput: number;
  /** Open loop: how late the client sent, p99 (ms; large values mean the load generator itself was short of CPU). */
  sendLagP99: number;
  statuses: Record<string, number>;
}

export function summarize(results: readonly Timed<Outcome>[]): LatencySummary {
  const latencies: number[] = [];
  const okLatencies: number[] = [];
  const lags: number[] = [];
  const statuses: Record<string, number> = {};
  let ok = 0;
  let noAnswer = 0;
  let fallback = 0;
  let empty = 0;
  let personalized = 0;
  let first = Infinity;
  let last = -Infinity;
  for (const r of results) {
    const l = r.done - r.due;
    first = Math.min(first, r.due);
    last = Math.max(last, r.done);
    lags.push(r.sent - r.due);
    statuses[r.value.status] = (statuses[r.value.status] ?? 0) + 1;
    if (r.value.status === 200) {
      ok++;
      latencies.push(l);
      okLatencies.push(l);
      if (r.value.fallback) fallback++;
      if (r.value.items === 0) empty++;
      if (r.value.personalized) personalized++;
    } else {
      latencies.push(Infinity);
      if (r.value.status === 0) noAnswer++;
    }
  }
  const byNumber = (a: number, b: number) => a - b;
  latencies.sort(byNumber);
  okLatencies.sort(byNumber);
  lags.sort(byNumber);
  return {
    requests: results.length,
    ok,
    non200: results.length - ok,
    noAnswer,
    fallback,
    empty,
    personalized,
    p50: percentile(latencies, 50),
    p90: percentile(latencies, 90),
    p99: percentile(latencies, 99),
    max: okLatencies.length ? okLatencies[okLatencies.length - 1] : NaN,
    mean: okLatencies.length ? okLatencies.reduce((a, b) => a + b, 0) / okLatencies.length : NaN,
    throughput: results.length && last > first ? results.length / ((last - first) / 1000) : NaN,
    sendLagP99: percentile(lags, 99),
    statuses,
  };
}

/** Summaries of `results` overall and grouped by `keys` (a result may fall in several groups). */
export function summarizeBy<T extends Outcome>(results: readonly Timed<T>[], keys: (r: Timed<T>) => string[]): { overall: LatencySummary; groups: Record<string, LatencySummary> } {
  const groups = new Map<string, Timed<T>[]>();
  for (const r of results) {
    for (const k of keys(r)) {
      let xs = groups.get(k);
      if (!xs) groups.set(k, (xs = []));
      xs.push(r);
    }
  }
  return { overall: summarize(results), groups: Object.fromEntries([...groups].map(([k, xs]) => [k, summarize(xs)])) };
}

/** Consumer lag: per partition, end offset − committed offset (a partition without a commit counts from its low offset). */
export function lagOf(ends: readonly { partition: number; high: string; low: string }[], committed: readonly { partition: number; offset: string }[]): number {
  let sum = 0;
  for (const p of ends) {
    const c = committed.find((x) => x.partition === p.partition);
    const at = c && Number(c.offset) >= 0 ? Number(c.offset) : Number(p.low);
    sum += Math.max(0, Number(p.high) - at);
  }
  return sum;
}

/** Pauses of one service over a phase, from its /metrics scraped before and after (prom-client defaults). */
export interface Pauses {
  /** Milliseconds spent in GC during the phase, by kind (minor = scavenge, major = mark-compact). */
  gcMs: Record<string, number>;
  /** GC pauses of 10 ms or longer during the phase. */
  gcOver10ms: number;
  /** The longest event-loop delay seen since the `before` scrape (prom-client resets it on each scrape). */
  loopMaxMs: number;
}

const GC = 'nodejs_gc_duration_seconds';

/** What changed between two /metrics texts of one process; `sum` is a metric reader (metricSum of bench/ingest/probes). */
export function pausesBetween(before: string, after: string, sum: (text: string, name: string, match?: Record<string, string>) => number): Pauses {
  const gcMs: Record<string, number> = {};
  for (const kind of ['minor', 'major', 'incremental', 'weakcb']) {
    const ms = (sum(after, `${GC}_sum`, { kind }) - sum(before, `${GC}_sum`, { kind })) * 1000;
    if (ms > 0) gcMs[kind] = ms;
  }
  const over = (t: string) => sum(t, `${GC}_count`) - sum(t, `${GC}_bucket`, { le: '0.01' });
  return { gcMs, gcOver10ms: over(after) - over(before), loopMaxMs: sum(after, 'nodejs_eventloop_lag_max_seconds') * 1000 };
}

/**
 * How bursty the late answers are: of the answers slower than `slowMs`, the share that fell in the
 * 5 worst seconds of the phase (by `due` time). Near 1: a few pauses set the tail; near 5/seconds:
 * slowness is spread evenly (each request's own work).
 */
export function burstiness(results: readonly Timed<unknown>[], slowMs: number): { slow: number; seconds: number; inWorst5s: number } {
  if (results.length === 0) return { slow: 0, seconds: 0, inWorst5s: 0 };
  const t0 = Math.min(...results.map((r) => r.due));
  const perSecond = new Map<number, number>();
  let slow = 0;
  for (const r of results) {
    if (r.done - r.due < slowMs) continue;
    slow++;
    const s = Math.floor((r.due - t0) / 1000);
    perSecond.set(s, (perSecond.get(s) ?? 0) + 1);
  }
  const worst = [...perSecond.values()].sort((a, b) => b - a).slice(0, 5);
  return { slow, seconds: perSecond.size, inWorst5s: slow ? worst.reduce((a, b) => a + b, 0) / slow : 0 };
}
