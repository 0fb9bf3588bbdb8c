import { TOPICS, TOPIC_SPECS, profileIdFor } from '../index';

describe('topics', () => {
  it('are named <domain>.<entity>.<version> and all specified', () => {
    for (const name of Object.values(TOPICS)) {
      expect(name).toMatch(/^[a-z]+\.[a-z]+\.v\d+$/);
      expect(TOPIC_SPECS.find((s) => s.name === name)).toBeDefined();
    }
  });
});

describe('profileIdFor', () => {
  it('is stable, scoped to the store, and prefers the customer', () => {
    const a = profileIdFor('s1', { anonymousId: 'a' });
    expect(profileIdFor('s1', { anonymousId: 'a' })).toBe(a);
    expect(profileIdFor('s2', { anonymousId: 'a' })).not.toBe(a);
    expect(profileIdFor('s1', { anonymousId: 'a', customerId: 'c' })).toBe(profileIdFor('s1', { anonymousId: 'zzz', customerId: 'c' }));
    expect(a).toMatch(/^[0-9a-f]{8}-[0-9a-f]{4}-[0-9a-f]{4}-[0-9a-f]{4}-[0-9a-f]{12}$/);
  });
});
