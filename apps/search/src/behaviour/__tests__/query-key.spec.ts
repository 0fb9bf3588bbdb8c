import { MAX_QUERY_KEY_BYTES, clampQueryKey, queryKey } from '../query-key';

describe('queryKey', () => {
  it('normalizes', () => {
    expect(queryKey('  Crème  BRÛLÉE!! ')).toBe('creme brulee');
    expect(queryKey('!!!')).toBe('');
  });

  it('keeps a key within the id budget, cutting at a character boundary', () => {
    const long = '日本'.repeat(200);
    const key = clampQueryKey(long);
    expect(Buffer.byteLength(key)).toBeLessThanOrEqual(MAX_QUERY_KEY_BYTES);
    expect(long.startsWith(key)).toBe(true);
    expect(key).not.toContain('\uFFFD');
    expect(clampQueryKey('short one')).toBe('short one');
  });
});
