import type { Logger } from '@nestjs/common';
import { PollingLoop } from '../polling-loop';

const sleep = (ms: number) => new Promise((r) => setTimeout(r, ms));

/** A loop polling every millisecond, and the lines it logged. */
function loopOf(work: () => Promise<void>) {
  const lines: [string, string][] = [];
  const log = { warn: (_: unknown, msg: string) => lines.push(['warn', msg]), error: (_: unknown, msg: string) => lines.push(['error', msg]) } as unknown as Logger;
  return { lines, loop: new PollingLoop({ intervalMs: 1, log, failure: 'Journey runs failed; will retry', work }) };
}

describe('PollingLoop', () => {
  it('runs the work again after each round ends, never two rounds at once', async () => {
    let active = 0;
    let most = 0;
    let rounds = 0;
    const { loop } = loopOf(async () => {
      active++;
      most = Math.max(most, active);
      await sleep(5);
      rounds++;
      active--;
    });
    loop.start();
    await sleep(60);
    await loop.stop();
    expect(rounds).toBeGreaterThan(2);
    expect(most).toBe(1);
  });

  it('logs a failed round and goes on', async () => {
    let calls = 0;
    const { lines, loop } = loopOf(async () => {
      calls++;
      if (calls === 1) throw new Error('a bug');
    });
    loop.start();
    await sleep(30);
    await loop.stop();
    expect(lines[0]).toEqual(['error', 'Journey runs failed; will retry']);
    expect(calls).toBeGreaterThan(1);
  });

  it('stop waits for the round in progress and starts no other', async () => {
    let started = 0;
    let finished = 0;
    const { loop } = loopOf(async () => {
      started++;
      await sleep(20);
      finished++;
    });
    loop.start();
    await sleep(5);
    expect(loop.stopped).toBe(false);
    await loop.stop();
    expect(loop.stopped).toBe(true);
    expect(finished).toBe(1);
    await sleep(30);
    expect(started).toBe(1);
  });
});
