/** Exact nearest neighbours by cosine (vectors are unit length) and precision@k against labels. */

export interface Neighbour {
  index: number;
  score: number;
}

export function dot(a: ArrayLike<number>, b: ArrayLike<number>): number {
  let s = 0;
  for (let i = 0; i < a.length; i++) s += a[i] * b[i];
  return s;
}

/** The `k` gallery entries most similar to `query`, best first, leaving out `exclude`. Ties: lower index. */
export function nearest(query: ArrayLike<number>, gallery: readonly ArrayLike<number>[], k: number, exclude: number): Neighbour[] {
  const top: Neighbour[] = [];
  for (let i = 0; i < gallery.length; i++) {
    if (i === exclude) continue;
    const score = dot(query, gallery[i]);
    if (top.length === k && score <= top[k - 1].score) continue;
    let at = top.length;
    while (at > 0 && top[at - 1].score < score) at--;
    top.splice(at, 0, { index: i, score });
    if (top.length > k) top.pop();
  }
  return top;
}

/** Share of the retrieved entries whose label is the query's, averaged over queries. */
export function precisionAtK(results: { label: number; retrieved: number[] }[], labels: readonly number[], k: number): number {
  if (!results.length) return 0;
  let sum = 0;
  for (const r of results) sum += r.retrieved.slice(0, k).filter((i) => labels[i] === r.label).length / k;
  return sum / results.length;
}

/** Share of `exact`'s entries that `approximate` found too (recall of an ANN index against a scan). */
export function overlap(approximate: readonly number[], exact: readonly number[]): number {
  if (!exact.length) return 1;
  const found = new Set(approximate);
  return exact.filter((i) => found.has(i)).length / exact.length;
}
