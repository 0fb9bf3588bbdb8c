import { specific } from '../autocomplete.service';
import { buildAutocompleteRequests, type AutocompleteInput } from '../autocomplete-request';

const input = (o: Partial<AutocompleteInput> = {}): AutocompleteInput => ({
  queriesIndex: 'q',
  productsIndex: 'p',
  storeId: 's',
  typed: 're',
  limit: 8,
  productLimit: 4,
  ranking: { sellsForQuery: {}, affinities: null, nowHours: 0 },
  preferCategories: [],
  ...o,
});

describe('buildAutocompleteRequests', () => {
  it('asks for suggestions and products in one msearch', () => {
    const r = buildAutocompleteRequests(input());
    expect(r).toHaveLength(4);
    expect(r[0]).toEqual({ index: 'q' });
    expect(r[2]).toEqual({ index: 'p' });
  });

  it('with nothing typed, asks only for trending searches', () => {
    const r = buildAutocompleteRequests(input({ typed: '' }));
    expect(r).toHaveLength(2);
    expect(JSON.stringify(r[1])).toContain('heatShort');
  });

  it('never suggests a searched query that last found nothing', () => {
    expect(JSON.stringify(buildAutocompleteRequests(input())[1])).toContain('"lastResultsCount":0');
  });
});

describe('specific', () => {
  it('drops a parent category that holds no more than its biggest child', () => {
    const b = [
      { key: 'home', doc_count: 5 },
      { key: 'home > kitchen', doc_count: 5 },
      { key: 'garden', doc_count: 4 },
      { key: 'garden > tools', doc_count: 2 },
    ];
    expect(specific(b)).toEqual([
      { value: 'home > kitchen', count: 5 },
      { value: 'garden', count: 4 },
      { value: 'garden > tools', count: 2 },
    ]);
  });
});

describe('suggestion order', () => {
  it('multiplies the score of a suggestion that starts with what was typed, on top of popularity', () => {
    const fs = (buildAutocompleteRequests(input({ typed: 'cal' }))[1] as { query: { function_score: { functions: object[]; score_mode: string } } }).query.function_score;
    expect(fs.score_mode).toBe('multiply');
    expect(fs.functions).toContainEqual({ filter: { prefix: { query: { value: 'cal' } } }, weight: expect.any(Number) });
  });
});
