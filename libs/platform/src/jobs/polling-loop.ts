import type { Logger } from '@nestjs/common';
import { isTransientInfrastructureError } from '../kafka/transient-errors';

/**
 * Background work that polls Postgres (due journey runs, profiles due for re-evaluation): `work`
 * runs `intervalMs` after the previous run ended, never two at once, until `stop`. A failure is
 * logged (a database or broker that is briefly away as a warning) and the next round tries again.
 */
export class PollingLoop {
  private timer?: NodeJS.Timeout;
  private running?: Promise<void>;
  private isStopped = false;

  constructor(
    private readonly o: {
      intervalMs: number;
      work: () => Promise<void>;
      log: Logger;
      /** Logged with the error: "Journey runs failed; will retry". */
      failure: string;
    },
  ) {}

  /** True once `stop` was called: long rounds check it between pages. */
  get stopped(): boolean {
    return this.isStopped;
  }

  start(): void {
    if (this.isStopped) return;
    this.timer = setTimeout(() => {
      this.running = this.o
        .work()
        .catch((err: unknown) => this.o.log[isTransientInfrastructureError(err) ? 'warn' : 'error']({ err }, this.o.failure))
        .finally(() => this.start());
    }, this.o.intervalMs);
    this.timer.unref();
  }

  /** No new round starts; resolves when the one in progress, if any, has ended. */
  async stop(): Promise<void> {
    this.isStopped = true;
    clearTimeout(this.timer);
    await this.running;
  }
}
