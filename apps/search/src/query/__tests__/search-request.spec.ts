import { parseSearchQuery, type SearchQuery } from '@signal/contracts';
import { buildSearchRequest, textQuery, TYPO_FUZZINESS, type SearchRequestInput } from '../search-request';

const query = (raw: Record<string, unknown> = {}): SearchQuery => {
  const parsed = parseSearchQuery({ storeId: 's1', ...raw });
  if (!parsed.ok) throw new Error(JSON.stringify(parsed.errors));
  return parsed.value;
};
const input = (o: Partial<SearchRequestInput> = {}): SearchRequestInput => ({
  index: 'products',
  storeId: 's1',
  variants: [{ text: 'red mug', boost: 1, why: 'query' }],
  strictness: 'all_words',
  query: query(),
  from: 0,
  size: 24,
  ranking: { sellsForQuery: {}, affinities: null, nowHours: 0 },
  facets: true,
  ...o,
});
type Body = { query: { function_score: { query: { bool: { must: unknown; filter: unknown[] } } } }; post_filter?: { bool: { filter: unknown[] } }; aggs: Record<string, { filter: { bool: { filter: unknown[] } } }>; sort: unknown[] };
const body = (o: Partial<SearchRequestInput> = {}) => buildSearchRequest(input(o)).body as unknown as Body;

describe('textQuery', () => {
  it('requires every word, each typo-tolerant in any field', () => {
    const q = textQuery([{ text: 'red mug', boost: 1, why: 'query' }], 'all_words') as { bool: { should: { bool: { must: { multi_match: { query: string; fuzziness: string } }[] } }[] } };
    const clauses = q.bool.should[0].bool.must;
    expect(clauses.map((c) => c.multi_match.query)).toEqual(['red', 'mug']);
    expect(clauses.every((c) => c.multi_match.fuzziness === TYPO_FUZZINESS)).toBe(true);
  });

  it('relaxed, any word is enough', () => {
    const q = textQuery([{ text: 'red mug', boost: 1, why: 'query' }], 'any_word') as { bool: { should: { bool: { minimum_should_match: number } }[] } };
    expect(q.bool.should[0].bool.minimum_should_match).toBe(1);
  });

  it('matches everything without words', () => {
    expect(textQuery([], 'all_words')).toEqual({ match_all: {} });
  });

  it('puts hostile text only in query values, never as DSL or query_string', () => {
    const hostile = '{"script":{"source":"x"}} title:* OR _exists_:price';
    const json = JSON.stringify(textQuery([{ text: hostile, boost: 1, why: 'query' }], 'all_words'));
    expect(json).not.toMatch(/query_string|simple_query_string|"script"\s*:\s*\{|regexp|wildcard/);
  });
});

describe('buildSearchRequest', () => {
  it('keeps to the store, leaves hidden products out', () => {
    expect(body().query.function_score.query.bool.filter).toEqual([{ term: { storeId: 's1' } }, { term: { hidden: false } }]);
  });

  it('filters after the facets are counted, each facet ignoring its own selection', () => {
    const b = body({ query: query({ brand: ['Acme'], color: ['Red'], price_max: 20 }) });
    expect(b.post_filter?.bool.filter).toEqual([{ terms: { 'brand.facet': ['Acme'] } }, { terms: { color: ['red'] } }, { range: { effectivePrice: { lte: 20 } } }]);
    expect(b.aggs.brand.filter.bool.filter).toEqual([{ terms: { color: ['red'] } }, { range: { effectivePrice: { lte: 20 } } }]);
    expect(b.aggs.color.filter.bool.filter).toEqual([{ terms: { 'brand.facet': ['Acme'] } }, { range: { effectivePrice: { lte: 20 } } }]);
  });

  it('filters categories by normalized path, so sub-categories match', () => {
    const b = body({ query: query({ category: ['Home > Kitchen'] }) });
    expect(b.post_filter?.bool.filter).toEqual([{ terms: { categories: ['home > kitchen'] } }]);
  });

  it('drops every filter for the last-resort fallback', () => {
    const b = body({ query: query({ brand: ['Acme'], in_stock: true }), ignoreFilters: true });
    expect(b.post_filter).toBeUndefined();
    expect(b.query.function_score.query.bool.filter).toHaveLength(2);
  });

  it.each([
    ['price_asc', { effectivePrice: 'asc' }],
    ['newest', { createdAt: 'desc' }],
    ['best_selling', { sold: { order: 'desc', missing: '_last' } }],
  ])('sorts by %s', (sort, first) => {
    expect(body({ query: query({ sort }) }).sort[0]).toEqual(first);
  });
});
