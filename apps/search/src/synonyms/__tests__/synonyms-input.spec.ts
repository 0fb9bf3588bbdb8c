import { SYNONYM_LIMITS, checkSynonyms } from '../synonyms-input';

const fields = (body: unknown): string[] => {
  const r = checkSynonyms(body);
  return r.ok ? [] : r.errors.map((e) => e.field);
};

describe('checkSynonyms', () => {
  it('normalizes terms and drops repeats, one-term sets and repeated sets', () => {
    const r = checkSynonyms({
      sets: [
        ['Sofa', 'couch', 'SOFA', 'Settee!'],
        ['Couch', 'settee', 'sofa'],
        ['T-Shirt', 't-shirt'],
        ['Crème', 'cream'],
      ],
      oneWay: [
        { from: 'Laptop', to: ['Notebook', 'laptop'] },
        { from: 'laptop', to: ['ultrabook', 'notebook'] },
        { from: 'tv', to: ['TV'] },
      ],
    });
    expect(r).toEqual({
      ok: true,
      value: {
        sets: [
          ['sofa', 'couch', 'settee'],
          ['creme', 'cream'],
        ],
        oneWay: [{ from: 'laptop', to: ['notebook', 'ultrabook'] }],
      },
    });
    expect(checkSynonyms({ sets: [] })).toEqual({ ok: true, value: { sets: [], oneWay: [] } });
  });

  it('refuses bad input, naming the field', () => {
    expect(fields(null)).toEqual(['(body)']);
    expect(fields([['a', 'b']])).toEqual(['(body)']);
    expect(fields({})).toContain('sets');
    expect(fields({ sets: [['a', 'b']], extra: 1 })).toContain('extra');
    expect(fields({ sets: [['a']] })).toContain('sets.0');
    expect(fields({ sets: [['a', '']] })).toContain('sets.0.1');
    expect(fields({ sets: [['a', 'x'.repeat(65)]] })).toContain('sets.0.1');
    expect(fields({ sets: [['a', 7]] })).toContain('sets.0.1');
    expect(fields({ sets: [['a', '!!!']] })).toEqual(['sets.0.1']);
    expect(fields({ sets: [Array.from({ length: SYNONYM_LIMITS.maxTerms + 1 }, (_, i) => `t${i}`)] })).toContain('sets.0');
    expect(fields({ sets: Array.from({ length: SYNONYM_LIMITS.maxSets + 1 }, (_, i) => [`a${i}`, `b${i}`]) })).toContain('sets');
    expect(fields({ sets: [], oneWay: [{ from: 'a' }] })).toContain('oneWay.0.to');
    expect(fields({ sets: [], oneWay: [{ from: '...', to: ['b'] }] })).toEqual(['oneWay.0.from']);
    const many = (from: string, n: number, k: number) => ({ from, to: Array.from({ length: n }, (_, i) => `${k}-${i}`) });
    expect(fields({ sets: [], oneWay: [many('a', 15, 1), many('A', 15, 2)] })).toEqual(['oneWay.1.to']);
    expect(fields(JSON.parse('{"sets":[],"__proto__":{"polluted":true}}'))).toEqual(['__proto__']);
    expect(({} as { polluted?: boolean }).polluted).toBeUndefined();
  });
});
