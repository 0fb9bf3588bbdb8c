/**
 * Generated typos for the search evaluation: the edits people make on a keyboard (a key pressed
 * twice or next to the right one, a key missed, two keys swapped), seeded so every run asks the
 * same questions.
 */

const ROWS = ['qwertyuiop', 'asdfghjkl', 'zxcvbnm'];

/** Letters next to each letter on a QWERTY keyboard (same row and the rows above and below). */
export const KEYBOARD_NEIGHBOURS: ReadonlyMap<string, string> = (() => {
  const at = new Map<string, [number, number]>();
  ROWS.forEach((row, r) => [...row].forEach((c, i) => at.set(c, [r, i])));
  const out = new Map<string, string>();
  for (const [c, [r, i]] of at) {
    let near = '';
    for (const [d, [r2, i2]] of at) if (d !== c && Math.abs(r - r2) <= 1 && Math.abs(i + r * 0.5 - (i2 + r2 * 0.5)) <= 1) near += d;
    out.set(c, near);
  }
  return out;
})();

export type EditKind = 'insert' | 'delete' | 'substitute' | 'transpose';
const KINDS: readonly EditKind[] = ['insert', 'delete', 'substitute', 'transpose'];

/** Optimal string alignment distance (Damerau-Levenshtein without repeated edits of one substring). */
export function editDistance(a: string, b: string): number {
  const d: number[][] = Array.from({ length: a.length + 1 }, (_, i) => Array.from({ length: b.length + 1 }, (_, j) => (i === 0 ? j : j === 0 ? i : 0)));
  for (let i = 1; i <= a.length; i++) {
    for (let j = 1; j <= b.length; j++) {
      const cost = a[i - 1] === b[j - 1] ? 0 : 1;
      d[i][j] = Math.min(d[i - 1][j] + 1, d[i][j - 1] + 1, d[i - 1][j - 1] + cost);
      if (i > 1 && j > 1 && a[i - 1] === b[j - 2] && a[i - 2] === b[j - 1]) d[i][j] = Math.min(d[i][j], d[i - 2][j - 2] + 1);
    }
  }
  return d[a.length][b.length];
}

const pick = <T>(xs: readonly T[] | string, rand: () => number): T | string => xs[Math.floor(rand() * xs.length)];

/** One keyboard edit of `word` at a random position; letters only change into letters. */
export function edit(word: string, kind: EditKind, rand: () => number): string {
  const i = Math.floor(rand() * word.length);
  const c = word[i];
  const near = KEYBOARD_NEIGHBOURS.get(c) || 'etaoinshr';
  switch (kind) {
    case 'insert':
      return word.slice(0, i + 1) + (rand() < 0.5 ? c : pick(near, rand)) + word.slice(i + 1);
    case 'delete':
      return word.slice(0, i) + word.slice(i + 1);
    case 'substitute':
      return word.slice(0, i) + pick(near, rand) + word.slice(i + 1);
    case 'transpose': {
      const j = Math.min(i, word.length - 2);
      return j < 0 ? word : word.slice(0, j) + word[j + 1] + word[j] + word.slice(j + 2);
    }
  }
}

/**
 * A misspelling of `word` exactly `edits` keyboard edits away (by edit distance), or null when the
 * word is too short to take them (a 2-edit typo of a 3-letter word is another word). Deterministic
 * for a given `rand`.
 */
export function typo(word: string, edits: 1 | 2, rand: () => number, tries = 50): string | null {
  if (word.length < 2 * edits + 1) return null;
  for (let t = 0; t < tries; t++) {
    let w = word;
    for (let e = 0; e < edits; e++) w = edit(w, pick(KINDS, rand) as EditKind, rand);
    if (editDistance(word, w) === edits) return w;
  }
  return null;
}
