/**
 * The `k` highest-scoring values, best first; ties by smaller id. A bounded min-heap: O(n log k),
 * so ranking 50,000 products for a top 500 takes a few milliseconds instead of a full sort.
 */
export function topK<T>(values: Iterable<T>, k: number, score: (v: T) => number, id: (v: T) => string): T[] {
  if (k <= 0) return [];
  const heap: { v: T; s: number; id: string }[] = [];
  // "a is worse than b": the heap's root is the worst kept value.
  const worse = (a: { s: number; id: string }, b: { s: number; id: string }) => a.s < b.s || (a.s === b.s && a.id > b.id);
  const swap = (i: number, j: number) => ([heap[i], heap[j]] = [heap[j], heap[i]]);
  for (const v of values) {
    const s = score(v);
    if (!(s > -Infinity)) continue;
    const e = { v, s, id: id(v) };
    if (heap.length < k) {
      heap.push(e);
      for (let i = heap.length - 1; i > 0; ) {
        const p = (i - 1) >> 1;
        if (!worse(heap[i], heap[p])) break;
        swap(i, p);
        i = p;
      }
    } else if (worse(heap[0], e)) {
      heap[0] = e;
      for (let i = 0; ; ) {
        const l = 2 * i + 1;
        const r = l + 1;
        let m = i;
        if (l < heap.length && worse(heap[l], heap[m])) m = l;
        if (r < heap.length && worse(heap[r], heap[m])) m = r;
        if (m === i) break;
        swap(i, m);
        i = m;
      }
    }
  }
  return heap.sort((a, b) => (worse(a, b) ? 1 : worse(b, a) ? -1 : 0)).map((e) => e.v);
}
