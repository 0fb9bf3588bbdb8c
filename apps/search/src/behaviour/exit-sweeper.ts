import { Inject, Injectable, Logger, type OnApplicationBootstrap, type OnApplicationShutdown } from '@nestjs/common';
import { BEHAVIOUR_CONFIG, type BehaviourSettings } from './behaviour-config';
import { BehaviourService } from './behaviour.service';

/** How far back a replica looks for idle sessions when it starts. */
const START_LOOKBACK_MS = 6 * 3_600_000;
const EXPIRY_EVERY_MS = 3_600_000;

/**
 * Counts the exits of shoppers who searched and never came back: every
 * SEARCH_EXIT_SWEEP_INTERVAL_S, sessions that went idle (last written more than the window ago)
 * since the previous sweep are settled. Shoppers who do come back are settled by their next event
 * anyway. Every replica sweeps; conditional writes make a session count once. Once an hour it also
 * deletes sessions idle past SEARCH_SESSION_RETENTION_HOURS.
 */
@Injectable()
export class ExitSweeper implements OnApplicationBootstrap, OnApplicationShutdown {
  private readonly log = new Logger(ExitSweeper.name);
  private timer?: NodeJS.Timeout;
  private from = new Date(Date.now() - START_LOOKBACK_MS);
  private lastExpiry = 0;
  private running?: Promise<void>;

  constructor(
    private readonly behaviour: BehaviourService,
    @Inject(BEHAVIOUR_CONFIG) private readonly config: BehaviourSettings,
  ) {}

  onApplicationBootstrap(): void {
    const every = this.config.SEARCH_EXIT_SWEEP_INTERVAL_S * 1_000;
    if (every <= 0) return;
    this.timer = setInterval(() => {
      this.running ??= this.tick().finally(() => (this.running = undefined));
    }, every);
    this.timer.unref();
  }

  async onApplicationShutdown(): Promise<void> {
    clearInterval(this.timer);
    await this.running;
  }

  /** One sweep (exposed for tests and tools). */
  async tick(now = new Date()): Promise<void> {
    try {
      const until = new Date(now.getTime() - this.config.SEARCH_SESSION_WINDOW_MINUTES * 60_000);
      const { scanned, settled } = await this.behaviour.sweep(this.from, now);
      if (settled) this.log.log(`exit sweep: ${settled} of ${scanned} idle sessions settled`);
      if (until > this.from) this.from = until;
      if (now.getTime() - this.lastExpiry >= EXPIRY_EVERY_MS) {
        this.lastExpiry = now.getTime();
        const deleted = await this.behaviour.expireSessions(now);
        if (deleted) this.log.log(`deleted ${deleted} expired search sessions`);
      }
    } catch (e) {
      this.log.warn({ err: e }, 'exit sweep failed; the next one retries');
    }
  }
}
