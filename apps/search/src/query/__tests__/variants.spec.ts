import type { LearnedRewriteDoc, SynonymsDoc } from '../../indices/documents';
import { MAX_VARIANTS, queryVariants } from '../variants';

const synonyms = (sets: string[][], oneWay: SynonymsDoc['oneWay'] = []): SynonymsDoc => ({ storeId: 's', kind: 'synonyms', sets, oneWay, updatedAt: '' });
const learned = (from: string, to: string, active = true): LearnedRewriteDoc => ({ storeId: 's', kind: 'learned', from, to, support: 3, active, updatedAt: '' });
const texts = (v: ReturnType<typeof queryVariants>) => v.map((x) => x.text);

describe('queryVariants', () => {
  it('keeps the query first, at full weight', () => {
    expect(queryVariants('red mug', null, null)[0]).toEqual({ text: 'red mug', boost: 1, why: 'query' });
  });

  it('joins adjacent words of short queries', () => {
    expect(texts(queryVariants('t shirt blue', null, null))).toEqual(['t shirt blue', 'tshirt blue', 't shirtblue']);
    expect(texts(queryVariants('a b c d e', null, null))).toEqual(['a b c d e']);
  });

  it('replaces words and phrases by their synonyms, both ways for sets, one way for oneWay', () => {
    const s = synonyms([['tee', 't-shirt']], [{ from: 'sofa', to: ['couch'] }]);
    expect(texts(queryVariants('black tee', s, null))).toContain('black t-shirt');
    expect(texts(queryVariants('black t-shirt', s, null))).toContain('black tee');
    expect(texts(queryVariants('sofa bed', s, null))).toContain('couch bed');
    expect(texts(queryVariants('couch bed', s, null))).not.toContain('sofa bed');
    expect(queryVariants('black tee', s, null)[1]).toMatchObject({ boost: 0.8, why: 'synonym: tee → t-shirt' });
  });

  it('matches multi-word synonym phrases', () => {
    expect(texts(queryVariants('cell phone case', synonyms([['cell phone', 'mobile']]), null))).toContain('mobile case');
  });

  it('adds an active learned rewrite, and not an inactive one', () => {
    expect(queryVariants('tshrt', null, learned('tshrt', 't-shirt'))[1]).toMatchObject({ text: 't-shirt', why: 'learned: tshrt → t-shirt' });
    expect(texts(queryVariants('tshrt', null, learned('tshrt', 't-shirt', false)))).toEqual(['tshrt']);
  });

  it('caps the variants and never repeats one', () => {
    const many = synonyms([['a', 'b', 'c', 'd', 'e', 'f', 'g', 'h', 'i', 'j']]);
    const v = queryVariants('a x', many, null);
    expect(v.length).toBe(MAX_VARIANTS);
    expect(new Set(texts(v)).size).toBe(v.length);
  });
});
