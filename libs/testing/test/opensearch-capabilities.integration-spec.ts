import { Client } from '@opensearch-project/opensearch';
import { randomUUID } from 'node:crypto';

/**
 * The search features later work relies on must be present in the node we run:
 * analysis-common (edge_ngram), mapper-extras (search_as_you_type), the completion
 * suggester, and lang-painless (script_score). A missing module fails here first.
 */
describe('OpenSearch capabilities', () => {
  const client = new Client({ node: process.env.OPENSEARCH_URL as string });
  const index = `capabilities-test-${randomUUID().slice(0, 8)}`;

  beforeAll(async () => {
    await client.indices.create({
      index,
      body: {
        settings: {
          number_of_shards: 1,
          number_of_replicas: 0,
          analysis: {
            tokenizer: { prefixes: { type: 'edge_ngram', min_gram: 2, max_gram: 10, token_chars: ['letter', 'digit'] } },
            analyzer: { prefix: { type: 'custom', tokenizer: 'prefixes', filter: ['lowercase'] } },
          },
        },
        mappings: {
          properties: {
            title: { type: 'text', analyzer: 'prefix', search_analyzer: 'standard' },
            title_sayt: { type: 'search_as_you_type' },
            suggest: { type: 'completion' },
            sales: { type: 'integer' },
          },
        },
      },
    });
    const docs = [
      { title: 'Red running sneakers', sales: 5 },
      { title: 'Blue running shorts', sales: 50 },
    ];
    for (const [i, d] of docs.entries()) {
      await client.index({ index, id: String(i), body: { ...d, title_sayt: d.title, suggest: { input: [d.title] } } });
    }
    await client.indices.refresh({ index });
  });

  afterAll(async () => {
    await client.indices.delete({ index });
    await client.close();
  });

  it('analyzes with an edge_ngram tokenizer', async () => {
    const res = await client.indices.analyze({ index, body: { analyzer: 'prefix', text: 'Sneakers' } });
    expect(res.body.tokens?.map((t) => t.token)).toEqual(expect.arrayContaining(['sn', 'sne', 'sneakers']));
    const hits = await client.search({ index, body: { query: { match: { title: 'snea' } } } });
    expect(hits.body.hits.hits.map((h) => h._id)).toEqual(['0']);
  });

  it('matches prefixes on a search_as_you_type field', async () => {
    const res = await client.search({
      index,
      body: { query: { multi_match: { query: 'red runn', type: 'bool_prefix', fields: ['title_sayt', 'title_sayt._2gram', 'title_sayt._3gram'] } } },
    });
    expect(res.body.hits.hits[0]._id).toBe('0');
  });

  it('suggests with the completion suggester', async () => {
    const res = await client.search({ index, body: { suggest: { s: { prefix: 'blue r', completion: { field: 'suggest' } } } } });
    const options = (res.body.suggest?.s?.[0]?.options ?? []) as Array<{ text: string }>;
    expect(options.map((o) => o.text)).toEqual(['Blue running shorts']);
  });

  it('scores with a painless script_score', async () => {
    const res = await client.search({
      index,
      body: {
        query: {
          script_score: {
            query: { match: { title: 'running' } },
            script: { lang: 'painless', source: "Math.log(2 + doc['sales'].value) * params.boost", params: { boost: 2 } },
          },
        },
      },
    });
    const hits = res.body.hits.hits;
    expect(hits[0]._id).toBe('1');
    expect(hits[0]._score).toBeCloseTo(Math.log(52) * 2, 3);
  });
});
