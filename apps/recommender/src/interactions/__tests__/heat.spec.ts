import { HEAT_EPOCH_MS, heatOf, logAdd2, logAdd2Sql, scoreAt } from '../heat';

const HOUR = 3_600_000;

/** A small seeded PRNG (mulberry32), so shuffles are the same on every run. */
function prng(seed: number): () => number {
  let a = seed >>> 0;
  return () => {
    a = (a + 0x6d2b79f5) >>> 0;
    let t = a;
    t = Math.imul(t ^ (t >>> 15), t | 1);
    t ^= t + Math.imul(t ^ (t >>> 7), t | 61);
    return ((t ^ (t >>> 14)) >>> 0) / 4294967296;
  };
}

function shuffled<T>(xs: readonly T[], rand: () => number): T[] {
  const out = [...xs];
  for (let i = out.length - 1; i > 0; i--) {
    const j = Math.floor(rand() * (i + 1));
    [out[i], out[j]] = [out[j], out[i]];
  }
  return out;
}

const fold = (heats: readonly number[]) => heats.reduce(logAdd2, -Infinity);

describe('heat', () => {
  it('heatOf is log2(weight) plus elapsed half-lives since the epoch', () => {
    expect(heatOf(1, HEAT_EPOCH_MS, 24)).toBe(0);
    expect(heatOf(8, HEAT_EPOCH_MS, 24)).toBe(3);
    expect(heatOf(1, HEAT_EPOCH_MS + 48 * HOUR, 24)).toBe(2);
    expect(heatOf(4, HEAT_EPOCH_MS + 12 * HOUR, 24)).toBe(2.5);
    expect(heatOf(1, HEAT_EPOCH_MS - 24 * HOUR, 24)).toBe(-1);
  });

  it('scoreAt gives the weight back at the event time and halves it every half-life', () => {
    const at = Date.UTC(2024, 5, 1);
    const h = heatOf(10, at, 24);
    expect(scoreAt(h, at, 24)).toBeCloseTo(10, 9);
    expect(scoreAt(h, at + 24 * HOUR, 24)).toBeCloseTo(5, 9);
    expect(scoreAt(h, at + 72 * HOUR, 24)).toBeCloseTo(1.25, 9);
    expect(scoreAt(h, at + 12 * HOUR, 24)).toBeCloseTo(10 / Math.SQRT2, 9);
    // Before the event: it was "worth more" by the same law (the ordering never depends on now).
    expect(scoreAt(h, at - 24 * HOUR, 24)).toBeCloseTo(20, 9);
  });

  it('the score of a sum of events is the sum of their decayed weights', () => {
    const now = Date.UTC(2025, 0, 10);
    const events: [number, number][] = [
      [1, now - 5 * HOUR],
      [4, now - 30 * HOUR],
      [10, now - 200 * HOUR],
      [2, now],
    ];
    const heat = fold(events.map(([w, at]) => heatOf(w, at, 48)));
    const expected = events.reduce((s, [w, at]) => s + w * 2 ** (-(now - at) / HOUR / 48), 0);
    expect(scoreAt(heat, now, 48)).toBeCloseTo(expected, 9);
  });

  it('folding events in any order gives the same heat (within 1e-9)', () => {
    const rand = prng(42);
    const base = Date.UTC(2023, 3, 1);
    const heats = Array.from({ length: 200 }, () => heatOf(1 + Math.floor(rand() * 10), base + Math.floor(rand() * 90 * 24) * HOUR, 168));
    const reference = fold(heats);
    for (let round = 0; round < 20; round++) expect(Math.abs(fold(shuffled(heats, rand)) - reference)).toBeLessThan(1e-9);
    // Merging partial sums (two batches upserted separately) gives the same too.
    const [a, b] = [fold(heats.slice(0, 77)), fold(heats.slice(77))];
    expect(Math.abs(logAdd2(a, b) - reference)).toBeLessThan(1e-9);
    expect(Math.abs(logAdd2(b, a) - reference)).toBeLessThan(1e-9);
  });

  it('logAdd2 is log2(2^a + 2^b), with -Infinity as the empty sum', () => {
    expect(logAdd2(0, 0)).toBe(1);
    expect(logAdd2(3, 3)).toBe(4);
    expect(logAdd2(1, 0)).toBeCloseTo(Math.log2(3), 12);
    expect(logAdd2(0, 1)).toBeCloseTo(Math.log2(3), 12);
    expect(logAdd2(-Infinity, 5)).toBe(5);
    expect(logAdd2(5, -Infinity)).toBe(5);
    expect(logAdd2(-Infinity, -Infinity)).toBe(-Infinity);
    // Far apart: the smaller term vanishes, without NaN.
    expect(logAdd2(2000, 0)).toBe(2000);
    expect(logAdd2(0, 2000)).toBe(2000);
  });

  it('does not overflow for timestamps decades after the epoch, even with a one-hour half-life', () => {
    const late = Date.UTC(2090, 0, 1);
    const h1 = heatOf(10, late, 1);
    const h2 = heatOf(10, late - HOUR, 1);
    // 2^(hours since 2020) alone would be Infinity; the log form stays finite.
    expect(2 ** h1).toBe(Infinity);
    expect(Number.isFinite(h1)).toBe(true);
    const sum = logAdd2(h1, h2);
    expect(Number.isFinite(sum)).toBe(true);
    expect(scoreAt(sum, late, 1)).toBeCloseTo(15, 6);
    expect(scoreAt(sum, late + 2 * HOUR, 1)).toBeCloseTo(3.75, 6);
    // Order-independent out there too.
    const hs = [h1, h2, heatOf(1, late - 5 * HOUR, 1), heatOf(6, late - 3 * HOUR, 1)];
    expect(Math.abs(fold(hs) - fold([...hs].reverse()))).toBeLessThan(1e-9);
  });

  it('heat orders products as their scores do, at any moment', () => {
    const t0 = Date.UTC(2024, 0, 1);
    const recent = heatOf(1, t0 + 100 * HOUR, 24);
    const old = heatOf(10, t0, 24);
    expect(recent > old).toBe(scoreAt(recent, t0 + 200 * HOUR, 24) > scoreAt(old, t0 + 200 * HOUR, 24));
    expect(recent > old).toBe(scoreAt(recent, t0 + 2000 * HOUR, 24) > scoreAt(old, t0 + 2000 * HOUR, 24));
  });

  it('logAdd2Sql is the same formula in SQL', () => {
    const sql = logAdd2Sql('"s"."heat"', 'EXCLUDED."heat"');
    expect(typeof sql).toBe('string');
    expect(sql).toBe(
      '(greatest("s"."heat", EXCLUDED."heat") + log(2::numeric, (1 + power(2::double precision, least("s"."heat", EXCLUDED."heat") - greatest("s"."heat", EXCLUDED."heat")))::numeric)::double precision)',
    );
  });
});
