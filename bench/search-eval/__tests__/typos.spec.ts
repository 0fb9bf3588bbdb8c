import { prng } from '../../common';
import { KEYBOARD_NEIGHBOURS, edit, editDistance, typo } from '../typos';
import { catalogMisspellings } from '../misspellings';

describe('keyboard typos', () => {
  it('knows which keys are neighbours', () => {
    expect(KEYBOARD_NEIGHBOURS.get('s')).toEqual(expect.stringContaining('a'));
    expect(KEYBOARD_NEIGHBOURS.get('s')).toEqual(expect.stringContaining('d'));
    expect(KEYBOARD_NEIGHBOURS.get('s')).toEqual(expect.stringContaining('w'));
    expect(KEYBOARD_NEIGHBOURS.get('s')).not.toContain('p');
  });

  it('measures edit distance with transpositions as one edit', () => {
    expect(editDistance('candle', 'candle')).toBe(0);
    expect(editDistance('candle', 'cnadle')).toBe(1);
    expect(editDistance('candle', 'candl')).toBe(1);
    expect(editDistance('candle', 'cxndle')).toBe(1);
    expect(editDistance('candle', 'cnadel')).toBe(2);
  });

  it('makes each kind of edit', () => {
    const r = prng(3);
    for (const kind of ['insert', 'delete', 'substitute', 'transpose'] as const) {
      const w = edit('lantern', kind, r);
      expect({ kind, d: editDistance('lantern', w) <= 1, len: w.length - 7 }).toEqual({ kind, d: true, len: kind === 'insert' ? 1 : kind === 'delete' ? -1 : 0 });
    }
  });

  it('makes typos exactly 1 or 2 edits away, the same for the same seed, none for words too short', () => {
    const a = prng(42);
    const b = prng(42);
    for (const word of ['heart', 'christmas', 'doormat', 'lunchbox']) {
      const one = typo(word, 1, a);
      expect(one).toBe(typo(word, 1, b));
      expect(editDistance(word, one as string)).toBe(1);
      const two = typo(word, 2, a);
      expect(two).toBe(typo(word, 2, b));
      expect(editDistance(word, two as string)).toBe(2);
    }
    expect(typo('mug', 2, a)).toBeNull();
    expect(typo('a', 1, a)).toBeNull();
  });
});

describe('real misspellings', () => {
  it('keeps the ones whose single correction is a catalog word', () => {
    const vocabulary = new Set(['christmas', 'decoration', 'ache', 'cache']);
    const pairs = catalogMisspellings(vocabulary);
    expect(pairs).toEqual(expect.arrayContaining([['chirstmas', 'christmas']]));
    for (const [wrong, right] of pairs) {
      expect(vocabulary.has(right)).toBe(true);
      expect(vocabulary.has(wrong)).toBe(false);
    }
    // "aache->ache, cache" is ambiguous: left out.
    expect(pairs.find(([w]) => w === 'aache')).toBeUndefined();
  });
});
