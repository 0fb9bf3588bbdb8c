import { topOf, type Neighbours } from './co-occurrence';

/** What content similarity reads of a product. */
export interface ProductText {
  title: string;
  brand: string | null;
  categories: readonly string[];
  attributes: Readonly<Record<string, string>>;
}

/** Categories say what kind of product it is: they count double against title words. */
const CATEGORY_WEIGHT = 2;
const MIN_MAX_DF = 200;

const STOP = new Set(['a', 'an', 'and', 'the', 'of', 'for', 'with', 'in', 'on', 'to', 'by', 'set', 'pack', 'x']);

/**
 * The features of a product: title words, every category level, the brand and attribute values,
 * each prefixed by what it is (so the brand "apple" and the word "apple" stay apart). Colours and
 * sizes are left out on purpose: "similar" should offer the other colours, not only the same one.
 */
export function featuresOf(p: ProductText): string[] {
  const words = p.title
    .toLowerCase()
    .split(/[^\p{L}\p{N}]+/u)
    .filter((w) => w.length > 1 && !STOP.has(w));
  const attrs = Object.entries(p.attributes)
    .filter(([k]) => !/^(colou?r|size)$/i.test(k))
    .map(([k, v]) => `attr:${k.toLowerCase()}=${v.toLowerCase()}`);
  return [...new Set([...words.map((w) => `w:${w}`), ...p.categories.map((c) => `cat:${c}`), ...(p.brand ? [`brand:${p.brand.toLowerCase()}`] : []), ...attrs])];
}

export interface ContentOptions {
  topK: number;
  /** Features on more than this share of products are dropped: too common to say anything, and too costly to scan. */
  maxDocumentShare: number;
}

/**
 * TF-IDF cosine between products over their features, via an inverted index, one product at a
 * time. Category features weigh like any other, so "same kind" dominates through the deepest,
 * rarest category levels and the title words it shares.
 */
export function contentNeighbours(products: readonly ProductText[], o: ContentOptions): (Neighbours | null)[] {
  const n = products.length;
  const ids = new Map<string, number>();
  const docs: number[][] = products.map((p) => featuresOf(p).map((f) => ids.get(f) ?? (ids.set(f, ids.size), ids.size - 1)));
  const names = [...ids.keys()];
  const df = new Int32Array(ids.size);
  for (const d of docs) for (const f of d) df[f]++;
  // Small catalogs keep every feature; the cut only matters where postings get long.
  const maxDf = Math.max(MIN_MAX_DF, Math.floor(n * o.maxDocumentShare));
  const idf = Float64Array.from(df, (x) => Math.log((n + 1) / (x + 1)) + 1);
  const weight = Float64Array.from(names, (f, i) => idf[i] * (f.startsWith('cat:') ? CATEGORY_WEIGHT : 1));
  const postings: number[][] = Array.from({ length: ids.size }, () => []);
  docs.forEach((d, i) => {
    for (const f of d) if (df[f] <= maxDf) postings[f].push(i);
  });
  const norm = Float64Array.from(docs, (d) => Math.sqrt(d.reduce((s, f) => s + (df[f] <= maxDf ? weight[f] ** 2 : 0), 0)) || 1);
  const acc = new Float64Array(n);
  const out: (Neighbours | null)[] = new Array(n).fill(null);
  for (let a = 0; a < n; a++) {
    const touched: number[] = [];
    for (const f of docs[a]) {
      if (df[f] > maxDf) continue;
      const w = weight[f] ** 2;
      for (const b of postings[f]) {
        if (b === a) continue;
        if (acc[b] === 0) touched.push(b);
        acc[b] += w;
      }
    }
    out[a] = touched.length ? topOf(touched, (b) => acc[b] / (norm[a] * norm[b]), o.topK) : null;
    for (const b of touched) acc[b] = 0;
  }
  return out;
}
