#!/usr/bin/env node
// End-to-end check of what the project needs from the local (or your own) Kafka and OpenSearch.
//   node deploy/local/smoke.mjs        (or: deploy/local/infra.sh smoke)
// Uses KAFKA_BROKERS (default 127.0.0.1:9092) and OPENSEARCH_URL (default http://127.0.0.1:9200).
// Creates and deletes its own index/topic named infra-smoke-<timestamp>. Exit 0 when all pass.
import assert from 'node:assert/strict';
import kafkajs from 'kafkajs';

const { Kafka, logLevel } = kafkajs;
const OS = (process.env.OPENSEARCH_URL || 'http://127.0.0.1:9200').replace(/\/+$/, '');
const BROKERS = (process.env.KAFKA_BROKERS || '127.0.0.1:9092').split(',');
const name = `infra-smoke-${Date.now()}`;

async function os(method, path, body) {
  const url = new URL(OS + path);
  const headers = { 'content-type': 'application/json' };
  if (url.username) {
    headers.authorization = 'Basic ' + Buffer.from(`${decodeURIComponent(url.username)}:${decodeURIComponent(url.password)}`).toString('base64');
    url.username = '';
    url.password = '';
  }
  const res = await fetch(url, { method, headers, body: body === undefined ? undefined : JSON.stringify(body) });
  const json = await res.json();
  if (!res.ok) throw new Error(`${method} ${path} -> ${res.status} ${JSON.stringify(json)}`);
  return json;
}

const ok = (msg) => console.log(`ok   ${msg}`);

async function opensearch() {
  const info = await os('GET', '/');
  ok(`opensearch ${info.version.number} (cluster ${info.cluster_name})`);
  const nodes = await os('GET', '/_nodes/plugins');
  const names = Object.values(nodes.nodes).flatMap((n) => [...(n.modules || []), ...(n.plugins || [])].map((p) => p.name));
  for (const needed of ['CommonAnalysisPlugin', 'MapperExtrasPlugin', 'PainlessPlugin']) {
    assert.ok(names.some((n) => n.includes(needed)), `module ${needed} not loaded: ${names.join(', ')}`);
  }
  ok(`modules/plugins loaded: ${names.map((n) => n.split('.').pop()).join(', ')}`);

  await os('PUT', `/${name}`, {
    settings: {
      number_of_shards: 1,
      number_of_replicas: 0,
      analysis: {
        tokenizer: { edge: { type: 'edge_ngram', min_gram: 2, max_gram: 10, token_chars: ['letter', 'digit'] } },
        filter: { edge_f: { type: 'edge_ngram', min_gram: 1, max_gram: 10 } },
        analyzer: {
          autocomplete: { type: 'custom', tokenizer: 'edge', filter: ['lowercase'] },
          autocomplete_f: { type: 'custom', tokenizer: 'standard', filter: ['lowercase', 'asciifolding', 'edge_f'] },
        },
      },
    },
    mappings: {
      properties: {
        title: { type: 'text', analyzer: 'autocomplete', search_analyzer: 'standard' },
        title_f: { type: 'text', analyzer: 'autocomplete_f', search_analyzer: 'standard' },
        name: { type: 'search_as_you_type' },
        suggest: { type: 'completion' },
        popularity: { type: 'integer' },
      },
    },
  });
  ok(`index ${name} created (edge_ngram tokenizer + filter analyzers, search_as_you_type, completion)`);
  const docs = [
    { title: 'Red running sneakers', title_f: 'Crème running', name: 'red running sneakers', suggest: ['red running sneakers', 'sneakers'], popularity: 42 },
    { title: 'Blue sandals', title_f: 'blue sandals', name: 'blue sandals', suggest: ['blue sandals'], popularity: 7 },
  ];
  for (const [i, d] of docs.entries()) await os('PUT', `/${name}/_doc/${i + 1}?refresh=true`, d);
  ok('2 docs indexed');

  let r = await os('POST', `/${name}/_search`, { query: { match: { title: 'snea' } } });
  assert.deepEqual(r.hits.hits.map((h) => h._id), ['1']);
  r = await os('POST', `/${name}/_search`, { query: { match: { title_f: 'crem' } } });
  assert.deepEqual(r.hits.hits.map((h) => h._id), ['1']);
  ok('edge_ngram prefix match (tokenizer "snea", filter+asciifolding "crem")');

  r = await os('POST', `/${name}/_search`, {
    query: { multi_match: { query: 'red runn', type: 'bool_prefix', fields: ['name', 'name._2gram', 'name._3gram'] } },
  });
  assert.equal(r.hits.hits[0]._id, '1');
  ok('search_as_you_type bool_prefix "red runn"');

  r = await os('POST', `/${name}/_search`, { suggest: { s: { prefix: 'sn', completion: { field: 'suggest' } } } });
  assert.deepEqual(r.suggest.s[0].options.map((o) => o.text), ['sneakers']);
  ok('completion suggest "sn" -> sneakers');

  r = await os('POST', `/${name}/_search`, {
    query: {
      script_score: {
        query: { match_all: {} },
        script: { lang: 'painless', source: "Math.log(2 + doc['popularity'].value) * params.w", params: { w: 2 } },
      },
    },
  });
  assert.equal(r.hits.hits[0]._id, '1');
  assert.ok(Math.abs(r.hits.hits[0]._score - Math.log(44) * 2) < 1e-3, `unexpected score ${r.hits.hits[0]._score}`);
  ok(`painless script_score (top score ${r.hits.hits[0]._score.toFixed(4)})`);

  await os('DELETE', `/${name}`);
  ok(`index ${name} deleted`);

  // k-NN with the Lucene engine (search by image): an HNSW cosine index and a filtered query.
  const knn = `${name}-knn`;
  await os('PUT', `/${knn}`, {
    settings: { index: { knn: true, number_of_shards: 1, number_of_replicas: 0 } },
    mappings: {
      properties: {
        store: { type: 'keyword' },
        v: { type: 'knn_vector', dimension: 3, method: { name: 'hnsw', engine: 'lucene', space_type: 'cosinesimil' } },
      },
    },
  });
  const vectors = { a: ['s1', [1, 0, 0]], b: ['s1', [0.9, 0.1, 0]], c: ['s1', [0, 1, 0]], d: ['s2', [1, 0.05, 0]] };
  for (const [id, [store, v]] of Object.entries(vectors)) await os('PUT', `/${knn}/_doc/${id}?refresh=true`, { store, v });
  r = await os('POST', `/${knn}/_search`, {
    size: 2,
    query: { knn: { v: { vector: [1, 0, 0], k: 2, filter: { bool: { filter: [{ term: { store: 's1' } }], must_not: [{ ids: { values: ['a'] } }] } } } } },
  });
  assert.deepEqual(r.hits.hits.map((h) => h._id), ['b', 'c']);
  await os('DELETE', `/${knn}`);
  ok('k-NN knn_vector (lucene hnsw, cosinesimil) with a filtered query');
}

async function kafka() {
  const k = new Kafka({ clientId: 'infra-smoke', brokers: BROKERS, logLevel: logLevel.NOTHING });
  const admin = k.admin();
  await admin.connect();
  const producer = k.producer();
  const consumer = k.consumer({ groupId: `${name}-group` });
  try {
    await admin.createTopics({ topics: [{ topic: name, numPartitions: 3, replicationFactor: 1 }], waitForLeaders: true });
    ok(`topic ${name} created (3 partitions)`);
    await producer.connect();
    const messages = [1, 2, 3].map((i) => ({ key: `k${i}`, value: JSON.stringify({ i }) }));
    await producer.send({ topic: name, messages, acks: -1 });
    ok('3 messages produced (acks=all)');

    await consumer.connect();
    await consumer.subscribe({ topic: name, fromBeginning: true });
    const seen = [];
    const done = new Promise((resolve, reject) => {
      const timer = setTimeout(() => reject(new Error(`consumed only ${seen.length}/3 messages in 30 s`)), 30000);
      consumer.run({
        eachMessage: async ({ message }) => {
          seen.push(JSON.parse(message.value.toString()).i);
          if (seen.length === 3) {
            clearTimeout(timer);
            resolve();
          }
        },
      });
    });
    const t0 = Date.now();
    await done;
    assert.deepEqual([...seen].sort(), [1, 2, 3]);
    ok(`3 messages consumed by group ${name}-group in ${Date.now() - t0} ms`);
  } finally {
    await consumer.disconnect().catch(() => {});
    await producer.disconnect().catch(() => {});
    await admin.deleteTopics({ topics: [name] }).catch(() => {});
    await admin.deleteGroups([`${name}-group`]).catch(() => {});
    await admin.disconnect().catch(() => {});
  }
  ok(`topic ${name} deleted`);
}

try {
  await opensearch();
  await kafka();
  console.log('smoke: all checks passed');
  process.exit(0);
} catch (e) {
  console.error(`FAIL ${e && e.stack ? e.stack : e}`);
  process.exit(1);
}
