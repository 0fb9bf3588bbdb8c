import type { FieldError } from '@signal/contracts';

/** A Kafka message as handlers receive it: value parsed from JSON, headers as text. */
export interface ConsumedMessage<T = unknown> {
  topic: string;
  partition: number;
  offset: string;
  key: string | null;
  value: T;
  /** The original bytes as UTF-8, kept for dead-lettering. */
  raw: string | null;
  headers: Record<string, string>;
  timestamp: string;
}

/** Options for `@EventPattern(topic, extras)`. */
export interface HandlerExtras {
  /** The handler takes `ConsumedMessage[]` (up to `batchSize`) instead of one message. */
  batch?: boolean;
}

/**
 * Thrown by a handler for a message that will never succeed (bad shape, unknown
 * reference): it is dead-lettered at once instead of being retried.
 */
export class UnprocessableMessageError extends Error {
  constructor(
    readonly reason: string,
    readonly errors: FieldError[] = [],
  ) {
    super(`${reason}${errors.length ? `: ${errors.map((e) => `${e.field} ${e.message}`).join('; ')}` : ''}`);
    this.name = 'UnprocessableMessageError';
  }
}
