/**
 * The measuring parts of the search serving benchmark that need no services: the interleaved phase
 * schedule, latency summaries and the service / OpenSearch ratios. Pure.
 */
import { percentile } from '../ingest/probes';

export type Endpoint = 'search' | 'autocomplete';
export type Target = 'service' | 'opensearch';

export interface Phase {
  round: number;
  endpoint: Endpoint;
  target: Target;
}

/**
 * Rounds of four phases; within a round the endpoints and, per endpoint, the targets alternate
 * order from one round to the next (ABBA), so a drift of the machine (another process waking up,
 * OpenSearch merging segments, caches warming) hits the service and the bare OpenSearch alike.
 *
 *   round 0: search service, search opensearch, autocomplete service, autocomplete opensearch
 *   round 1: autocomplete opensearch, autocomplete service, search opensearch, search service
 */
export function schedule(rounds: number): Phase[] {
  const out: Phase[] = [];
  for (let round = 0; round < rounds; round++) {
    const forward = round % 2 === 0;
    const endpoints: Endpoint[] = forward ? ['search', 'autocomplete'] : ['autocomplete', 'search'];
    const targets: Target[] = forward ? ['service', 'opensearch'] : ['opensearch', 'service'];
    for (const endpoint of endpoints) for (const target of targets) out.push({ round, endpoint, target });
  }
  return out;
}

/** One request's result: latency (ms) from send to the end of the answer; ok = a 200 with a usable body. */
export interface Sample {
  ms: number;
  ok: boolean;
}

export interface LatencyStats {
  requests: number;
  errors: number;
  /** Nearest-rank percentiles over all requests; a failed request counts as infinitely slow. */
  p50: number;
  p95: number;
  p99: number;
  max: number;
  mean: number;
  /** Requests per second of measured time. */
  rps: number;
}

export function summarize(samples: readonly Sample[], seconds: number): LatencyStats {
  const all = samples.map((s) => (s.ok ? s.ms : Infinity)).sort((a, b) => a - b);
  const ok = samples.filter((s) => s.ok).map((s) => s.ms);
  const r1 = (x: number) => (Number.isFinite(x) ? Math.round(x * 10) / 10 : x);
  return {
    requests: samples.length,
    errors: samples.length - ok.length,
    p50: r1(percentile(all, 50)),
    p95: r1(percentile(all, 95)),
    p99: r1(percentile(all, 99)),
    max: r1(ok.length ? ok.reduce((a, b) => Math.max(a, b), -Infinity) : NaN),
    mean: r1(ok.length ? ok.reduce((a, b) => a + b, 0) / ok.length : NaN),
    rps: seconds > 0 ? Math.round((samples.length / seconds) * 10) / 10 : NaN,
  };
}

/** service / opensearch, rounded to 0.01 (NaN when either is missing or OpenSearch's is 0). */
export function ratio(service: number, opensearch: number): number {
  if (!Number.isFinite(service) || !Number.isFinite(opensearch) || opensearch <= 0) return service === Infinity ? Infinity : NaN;
  return Math.round((service / opensearch) * 100) / 100;
}

export function median(xs: readonly number[]): number {
  const s = xs.filter((x) => !Number.isNaN(x)).sort((a, b) => a - b);
  if (s.length === 0) return NaN;
  const m = s.length >> 1;
  return s.length % 2 ? s[m] : (s[m - 1] + s[m]) / 2;
}

export interface Comparison {
  endpoint: Endpoint;
  service: LatencyStats;
  opensearch: LatencyStats;
  /** Over all rounds pooled. */
  p50Ratio: number;
  p99Ratio: number;
  /** Per round (adjacent phases), and their median. */
  roundP99Ratios: number[];
  medianRoundP99Ratio: number;
  /** p99 ratio ≤ target on the pooled samples. */
  met: boolean;
}

/** Pools each (endpoint, target)'s samples over the rounds and compares service with OpenSearch. */
export function compare(endpoint: Endpoint, phases: readonly { phase: Phase; samples: readonly Sample[]; seconds: number }[], target: number): Comparison {
  const of = (t: Target) => phases.filter((p) => p.phase.endpoint === endpoint && p.phase.target === t);
  const pooled = (t: Target) => {
    const ps = of(t);
    return summarize(
      ps.flatMap((p) => p.samples),
      ps.reduce((s, p) => s + p.seconds, 0),
    );
  };
  const service = pooled('service');
  const opensearch = pooled('opensearch');
  const rounds = [...new Set(phases.map((p) => p.phase.round))].sort((a, b) => a - b);
  const roundP99Ratios = rounds.flatMap((r) => {
    const s = of('service').filter((p) => p.phase.round === r);
    const o = of('opensearch').filter((p) => p.phase.round === r);
    if (!s.length || !o.length) return [];
    return [ratio(summarize(s.flatMap((p) => p.samples), 1).p99, summarize(o.flatMap((p) => p.samples), 1).p99)];
  });
  const p99Ratio = ratio(service.p99, opensearch.p99);
  return { endpoint, service, opensearch, p50Ratio: ratio(service.p50, opensearch.p50), p99Ratio, roundP99Ratios, medianRoundP99Ratio: Math.round(median(roundP99Ratios) * 100) / 100, met: p99Ratio <= target };
}
