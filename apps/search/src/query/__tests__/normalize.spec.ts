import { MAX_QUERY_CHARS, normalizeQuery, words } from '../normalize';

describe('normalizeQuery', () => {
  it.each([
    ['  Crème  BRÛLÉE!! ', 'creme brulee'],
    ['T-Shirt', 't-shirt'],
    ["Kids' Mug", 'kids mug'],
    ["O'Neill", "o'neill"],
    ['--x--', 'x'],
    ['<script>alert(1)</script>', 'script alert 1 script'],
    ['{"match_all":{}}', 'match all'],
    ['\u0000\u0001abc\u007f', 'abc'],
    ['ＷＩＤＥ', 'wide'],
    ['', ''],
  ])('%j → %j', (raw, expected) => {
    expect(normalizeQuery(raw)).toBe(expected);
  });

  it('cuts at 256 characters before anything else', () => {
    expect(normalizeQuery('a'.repeat(10_000)).length).toBe(MAX_QUERY_CHARS);
  });

  it('splits into words', () => {
    expect(words('red  mug'.replace('  ', ' '))).toEqual(['red', 'mug']);
    expect(words('')).toEqual([]);
  });
});
