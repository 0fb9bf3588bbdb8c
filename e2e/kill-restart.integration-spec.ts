import { eventually } from '@signal/testing';
import { Platform, Store } from './support';

const SHOPPERS = 10;
const BATCHES = 30;
const PER_BATCH = 50;

/**
 * Every accepted event is counted exactly once in the profiles, even when a service
 * dies mid-stream (SIGKILL: no chance to commit) or is stopped (SIGTERM: graceful).
 */
describe('a service killed mid-stream and restarted', () => {
  let platform: Platform;
  beforeAll(async () => {
    platform = await Platform.start();
  });
  afterAll(() => platform?.stop());

  async function streamWhile(store: Store, disrupt: () => Promise<void>): Promise<number> {
    let sent = 0;
    for (let b = 0; b < BATCHES; b++) {
      const events = Array.from({ length: PER_BATCH }, (_, i) => store.event({ anonymousId: `shopper-${(b * PER_BATCH + i) % SHOPPERS}` }));
      await store.send(events);
      sent += events.length;
      // Replays from the storefront side (a retry after a lost 202) must not count twice either.
      if (b % 7 === 3) await store.send(events.slice(0, 10));
      if (b === 8) await disrupt();
    }
    return sent;
  }

  async function countedEvents(store: Store): Promise<number> {
    let total = 0;
    for (let s = 0; s < SHOPPERS; s++) total += (await store.profile({ anonymousId: `shopper-${s}` }))?.eventCount ?? 0;
    return total;
  }

  async function expectExactlyOnce(store: Store, sent: number): Promise<void> {
    await eventually(async () => (await countedEvents(store)) === sent || Promise.reject(new Error(`counted ${await countedEvents(store)} of ${sent}`)), { timeoutMs: 90_000, intervalMs: 500 });
    // Still exact after the dust settles: nothing arrives twice late.
    await new Promise((r) => setTimeout(r, 2_000));
    expect(await countedEvents(store)).toBe(sent);
  }

  it.each([
    ['ingest', 'SIGKILL'],
    ['profile', 'SIGKILL'],
    ['ingest', 'SIGTERM'],
  ] as const)('%s (%s): every accepted event counted exactly once', async (service, signal) => {
    const store = await platform.issueKeys(Store.newId());
    const victim = platform[service];
    const sent = await streamWhile(store, async () => {
      await victim.stop(signal);
      // Events keep arriving at the gateway while it is down; restart a moment later.
      setTimeout(() => void victim.start(), 1_500);
    });
    await eventually(async () => (await fetch(`${victim.url}/health/ready`)).ok, { timeoutMs: 60_000 });
    await expectExactlyOnce(store, sent);
  });
});
