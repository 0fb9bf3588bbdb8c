import { holdoutBucket, inHoldout } from '../holdout';

describe('holdout assignment', () => {
  it('is deterministic per journey and shopper', () => {
    expect(holdoutBucket('j-1', 'p-1')).toBe(holdoutBucket('j-1', 'p-1'));
    expect(inHoldout('j-1', 'p-1', 30)).toBe(inHoldout('j-1', 'p-1', 30));
    // Postgres gives the same first 32 bits of md5("a:b"): 3625323675 (see holdoutSql).
    expect(holdoutBucket('a', 'b')).toBeCloseTo((3625323675 / 2 ** 32) * 100, 10);
  });

  it.each([0, 5, 10, 25, 50])('holds out about %i%% of 10,000 shoppers', (percent) => {
    let held = 0;
    for (let i = 0; i < 10_000; i++) if (inHoldout('journey-x', `profile-${i}`, percent)) held++;
    expect(held / 100).toBeGreaterThanOrEqual(percent - 1.5);
    expect(held / 100).toBeLessThanOrEqual(percent + 1.5);
  });

  it('assigns independently per journey', () => {
    let both = 0;
    for (let i = 0; i < 10_000; i++) if (inHoldout('a', `p${i}`, 50) && inHoldout('b', `p${i}`, 50)) both++;
    expect(both / 10_000).toBeGreaterThan(0.22);
    expect(both / 10_000).toBeLessThan(0.28);
  });
});
