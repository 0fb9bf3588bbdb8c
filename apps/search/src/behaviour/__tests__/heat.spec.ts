import { heatOf, heatScoreAt, logAdd2 } from '../heat';

describe('heat', () => {
  const HL = 6;
  const t0 = Date.UTC(2026, 0, 1);

  it('log-adds exactly for small values and stably for huge ones', () => {
    expect(logAdd2(1, 1)).toBeCloseTo(2, 12);
    expect(logAdd2(3, 0)).toBeCloseTo(Math.log2(9), 12);
    expect(logAdd2(null, 5)).toBe(5);
    expect(logAdd2(undefined, 5)).toBe(5);
    // 2^90000 overflows a double; the log-add does not.
    expect(logAdd2(90_000, 90_000)).toBeCloseTo(90_001, 9);
    expect(logAdd2(90_000, 10)).toBe(90_000);
    expect(Number.isFinite(logAdd2(1e6, 1e6 - 0.5))).toBe(true);
  });

  it('adds events in any order to the same heat, and decays by half per half-life', () => {
    const events = [
      [1, t0],
      [3, t0 + 3_600_000],
      [5, t0 - 7_200_000],
    ] as const;
    const forward = events.reduce<number | null>((h, [w, at]) => logAdd2(h, heatOf(w, at, HL)), null) as number;
    const backward = [...events].reverse().reduce<number | null>((h, [w, at]) => logAdd2(h, heatOf(w, at, HL)), null) as number;
    expect(forward).toBeCloseTo(backward, 9);
    // At t0 the weights are 1, 3·2^(1/6), 5·2^(-2/6).
    expect(heatScoreAt(forward, t0, HL)).toBeCloseTo(1 + 3 * 2 ** (1 / 6) + 5 * 2 ** (-2 / 6), 6);
    const one = heatOf(1, t0, HL);
    expect(heatScoreAt(one, t0 + HL * 3_600_000, HL)).toBeCloseTo(0.5, 9);
  });

  it('orders a rising query above a bigger but older one', () => {
    const old = [0, 1, 2, 3, 4, 5, 6, 7, 8, 9].reduce<number | null>((h, i) => logAdd2(h, heatOf(1, t0 - 48 * 3_600_000 + i, HL)), null) as number;
    const fresh = logAdd2(heatOf(1, t0, HL), heatOf(1, t0 - 60_000, HL));
    expect(fresh).toBeGreaterThan(old);
  });
});
