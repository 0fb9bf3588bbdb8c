import { Leaderboard } from '../leaderboard';

/** A seeded PRNG, so a failure replays. */
function prng(seed: number): () => number {
  let s = seed >>> 0;
  return () => ((s = (Math.imul(s, 1664525) + 1013904223) >>> 0) / 2 ** 32);
}

describe('Leaderboard', () => {
  it('matches a full sort after any sequence of growing scores', () => {
    const rand = prng(7);
    const board = new Leaderboard(50);
    const scores = new Map<string, number>();
    for (let step = 0; step < 20_000; step++) {
      const id = `p${Math.floor(rand() * 400)}`;
      // Growing scores, with ties on purpose (whole numbers).
      const score = (scores.get(id) ?? 0) + Math.floor(rand() * 3);
      scores.set(id, score);
      board.update(id, score);
      if (step % 997 === 0 || step === 19_999) {
        const expected = [...scores].sort(([a, x], [b, y]) => y - x || (a < b ? -1 : 1)).slice(0, 50).map(([i]) => i);
        expect(board.top()).toEqual(expected);
      }
    }
  });

  it('moves an id rather than listing it twice, and drops the worst past its size', () => {
    const board = new Leaderboard(2);
    board.update('a', 1);
    board.update('b', 2);
    board.update('a', 3);
    expect(board.top()).toEqual(['a', 'b']);
    board.update('c', 2.5);
    expect(board.top()).toEqual(['a', 'c']);
    board.update('d', 0.5);
    expect(board.top()).toEqual(['a', 'c']);
    board.update('b', 2); // unchanged and outside: still outside
    expect(board.top()).toEqual(['a', 'c']);
  });
});
