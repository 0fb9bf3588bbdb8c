import { mkdtempSync, mkdirSync, writeFileSync } from 'node:fs';
import { createServer, type AddressInfo } from 'node:net';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { prng } from '../../common';
import type { EvalQuery, QuerySetName } from '../../search-eval/queries';
import type { LoggedSearch } from '../../search-eval/searchlog';
import { loadBuilders, ndjson } from '../builder';
import { pidListeningOn } from '../procs';
import { compare, median, ratio, schedule, summarize, type Phase, type Sample } from '../stats';
import { autocompleteRequests, searchRequests, typedPrefix } from '../workload';

const q = (set: QuerySetName, text: string): EvalQuery => ({ set, productId: 'p', intended: text, q: text, changed: [] });
const sets: Record<QuerySetName, EvalQuery[]> = {
  exact: [q('exact', 'white metal lantern')],
  typo1: [q('typo1', 'white metal lanterb')],
  typo2: [q('typo2', 'whie metal lanterb')],
  misspelling: [q('misspelling', 'white metal lanter')],
};
const logged = (query: string): LoggedSearch => ({ at: 0, productId: 'p', query, kind: 'short', sale: { at: 0, invoiceNo: '1', productId: 'p', quantity: 1, price: 1 } });
const log = [logged('heart'), logged('hanging heart')];

describe('search-serve workload', () => {
  it('draws searches half from the log, half from the four query sets, deterministically', () => {
    const a = searchRequests(sets, log, 4000, prng(1));
    expect(a).toEqual(searchRequests(sets, log, 4000, prng(1)));
    const bySource = a.reduce<Record<string, number>>((m, r) => ((m[r.source] = (m[r.source] ?? 0) + 1), m), {});
    expect(bySource.log / 4000).toBeGreaterThan(0.45);
    expect(bySource.log / 4000).toBeLessThan(0.55);
    for (const s of ['exact', 'typo1', 'typo2', 'misspelling']) expect(bySource[s] / 4000).toBeGreaterThan(0.1);
    expect(a.every((r) => r.endpoint === 'search')).toBe(true);
    expect(searchRequests({ ...sets, exact: [], typo1: [], typo2: [], misspelling: [] }, log, 10, prng(1)).every((r) => r.source === 'log')).toBe(true);
    expect(() => searchRequests({ exact: [], typo1: [], typo2: [], misspelling: [] }, [], 1, prng(1))).toThrow();
  });

  it('cuts a query after 1 .. maxChars characters, never ending in a space', () => {
    const r = prng(2);
    const lengths = new Set<number>();
    for (let i = 0; i < 500; i++) {
      const p = typedPrefix('white metal lantern', 8, r);
      expect('white metal lantern'.startsWith(p)).toBe(true);
      expect(p).toBe(p.trimEnd());
      expect(p.length).toBeGreaterThanOrEqual(1);
      expect(p.length).toBeLessThanOrEqual(8);
      lengths.add(p.length);
    }
    expect(lengths.size).toBeGreaterThanOrEqual(7); // "white" + space: 6 is cut back to 5
    expect(typedPrefix('ab', 12, prng(3)).length).toBeLessThanOrEqual(2);
  });

  it('types prefixes of logged queries, titles and typo titles', () => {
    const a = autocompleteRequests(sets, log, 2000, 12, prng(4));
    const bySource = a.reduce<Record<string, number>>((m, r) => ((m[r.source] = (m[r.source] ?? 0) + 1), m), {});
    expect(bySource.log / 2000).toBeCloseTo(0.5, 1);
    expect(bySource.exact / 2000).toBeCloseTo(0.25, 1);
    expect(bySource.typo1 / 2000).toBeCloseTo(0.25, 1);
    expect(a.every((r) => r.endpoint === 'autocomplete' && r.q.length >= 1 && r.q.length <= 12)).toBe(true);
  });
});

describe('search-serve stats', () => {
  it('interleaves the phases ABBA so drift hits both paths', () => {
    const s = schedule(2);
    expect(s.map((p) => `${p.round}:${p.endpoint}:${p.target}`)).toEqual([
      '0:search:service',
      '0:search:opensearch',
      '0:autocomplete:service',
      '0:autocomplete:opensearch',
      '1:autocomplete:opensearch',
      '1:autocomplete:service',
      '1:search:opensearch',
      '1:search:service',
    ]);
  });

  it('summarizes latencies with failures as infinitely slow', () => {
    const samples: Sample[] = Array.from({ length: 100 }, (_, i) => ({ ms: i + 1, ok: true }));
    const s = summarize(samples, 10);
    expect(s).toMatchObject({ requests: 100, errors: 0, p50: 50, p95: 95, p99: 99, max: 100, mean: 50.5, rps: 10 });
    const failing = summarize([...samples.slice(0, 98), { ms: 1, ok: false }, { ms: 1, ok: false }], 10);
    expect(failing.errors).toBe(2);
    expect(failing.p99).toBe(Infinity);
    expect(failing.max).toBe(98);
  });

  it('compares the service with OpenSearch on pooled samples and per round', () => {
    const mk = (round: number, endpoint: 'search' | 'autocomplete', target: 'service' | 'opensearch', base: number) => ({
      phase: { round, endpoint, target } as Phase,
      samples: Array.from({ length: 100 }, (_, i) => ({ ms: base + i / 10, ok: true })),
      seconds: 10,
    });
    const phases = [mk(0, 'search', 'service', 12), mk(0, 'search', 'opensearch', 10), mk(1, 'search', 'opensearch', 10), mk(1, 'search', 'service', 20)];
    const c = compare('search', phases, 1.5);
    expect(c.service.requests).toBe(200);
    expect(c.opensearch.rps).toBe(10);
    expect(c.roundP99Ratios).toEqual([ratio(21.8, 19.8), ratio(29.8, 19.8)]);
    expect([c.service.p99, c.opensearch.p99]).toEqual([29.7, 19.8]); // nearest rank 198 of 200
    expect(c.p99Ratio).toBe(ratio(29.7, 19.8));
    expect(c.met).toBe(true);
    expect(compare('search', phases, 1.4).met).toBe(false);
    expect(ratio(3, 2)).toBe(1.5);
    expect(ratio(Infinity, 2)).toBe(Infinity);
    expect(median([3, 1, 2])).toBe(2);
    expect(median([4, 1, 2, 3])).toBe(2.5);
  });
});

describe('search-serve builders', () => {
  const tree = (files: Record<string, string>) => {
    const dist = mkdtempSync(join(tmpdir(), 'search-serve-'));
    mkdirSync(join(dist, 'apps/search/src/query'), { recursive: true });
    for (const [f, text] of Object.entries(files)) writeFileSync(join(dist, 'apps/search/src/query', f), text);
    return dist;
  };
  const complete = {
    'normalize.js': 'exports.normalizeQuery = (s) => s.toLowerCase();',
    'variants.js': 'exports.queryVariants = (n) => [{ text: n, boost: 1, why: "query" }];',
    'search-request.js': 'exports.buildSearchRequest = (i) => ({ index: i.index, body: { size: i.size } });',
    'autocomplete-request.js': 'exports.buildAutocompleteRequests = () => [{ index: "q" }, { size: 1 }];',
  };

  it('loads the service builders from a dist tree', () => {
    const b = loadBuilders(tree(complete));
    expect(b.normalizeQuery('HEART')).toBe('heart');
    expect(ndjson(b.buildAutocompleteRequests({} as never))).toBe('{"index":"q"}\n{"size":1}\n');
  });

  it('names the module or the function that is missing', () => {
    const { 'autocomplete-request.js': _, ...three } = complete;
    expect(() => loadBuilders(tree(three))).toThrow(/cannot load .*autocomplete-request\.js/);
    expect(() => loadBuilders(tree({ ...complete, 'autocomplete-request.js': 'exports.somethingElse = 1;' }))).toThrow(/does not export a function buildAutocompleteRequests/);
  });
});

describe('search-serve processes', () => {
  it('finds the process listening on a port', async () => {
    const server = createServer();
    await new Promise<void>((ok) => server.listen(0, '127.0.0.1', ok));
    try {
      const port = (server.address() as AddressInfo).port;
      expect(pidListeningOn(port)).toBe(process.pid);
    } finally {
      await new Promise((ok) => server.close(ok));
    }
    expect(pidListeningOn(1)).toBe(0);
  });
});
