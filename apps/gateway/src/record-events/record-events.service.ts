import { Inject, Injectable } from '@nestjs/common';
import { TOPICS, shopperKey, validateTrackedEvent, type FieldError, type RawEvent } from '@signal/contracts';
import { KafkaPublisher } from '@signal/platform';
import { GATEWAY_CONFIG, type GatewayConfig } from '../config';

export interface RequestFacts {
  ip?: string;
  userAgent?: string;
}

export type IndexedError = FieldError & { index: number };

/** A stamped event and its JSON, as it goes to Kafka. */
export interface PreparedEvent {
  event: RawEvent;
  json: string;
}

export class BatchRejected extends Error {
  constructor(
    readonly status: 400 | 413,
    message: string,
    readonly errors: IndexedError[],
  ) {
    super(message);
  }
}

/** Shape-checks a batch, stamps it with the store and the server time, and hands it to Kafka. */
@Injectable()
export class RecordEventsService {
  constructor(
    private readonly publisher: KafkaPublisher,
    @Inject(GATEWAY_CONFIG) private readonly config: GatewayConfig,
  ) {}

  /** Rejects the whole batch when one event is bad, so a sender never has to guess what landed. */
  prepare(storeId: string, body: unknown, facts: RequestFacts, now = new Date()): PreparedEvent[] {
    const events = (body as { events?: unknown } | null)?.events;
    if (!Array.isArray(events)) throw new BatchRejected(400, 'Body must be {"events": [...]}', [{ index: -1, field: 'events', message: 'Expected an array of events' }]);
    if (events.length === 0) throw new BatchRejected(400, 'No events', [{ index: -1, field: 'events', message: 'Expected at least 1 event' }]);
    if (events.length > this.config.EVENTS_MAX_BATCH) {
      throw new BatchRejected(413, `Too many events: ${events.length} > ${this.config.EVENTS_MAX_BATCH}`, [
        { index: -1, field: 'events', message: `At most ${this.config.EVENTS_MAX_BATCH} events per request` },
      ]);
    }
    const window = { now, maxFutureMs: this.config.EVENT_MAX_FUTURE_MINUTES * 60_000, maxAgeMs: this.config.EVENT_MAX_AGE_DAYS * 86_400_000 };
    const receivedAt = now.toISOString();
    const errors: IndexedError[] = [];
    const accepted: PreparedEvent[] = [];
    events.forEach((input: unknown, index) => {
      const result = validateTrackedEvent(input, window);
      if (!result.ok) {
        errors.push(...result.errors.map((e) => ({ index, ...e })));
        return;
      }
      // The parsed body belongs to this request: stamp it in place and serialize it once,
      // for both the size limit and Kafka (the hot path's main costs, see docs/benchmarks.md).
      const event = result.value as RawEvent;
      const context = (event.context ??= {});
      context.ip ??= facts.ip;
      context.userAgent ??= facts.userAgent?.slice(0, 1024);
      event.storeId = storeId;
      event.receivedAt = receivedAt;
      const json = JSON.stringify(event);
      // A UTF-8 byte is at most 3 per UTF-16 unit: skip the exact count for nearly every event.
      const size = json.length * 3 <= this.config.EVENT_MAX_BYTES ? json.length : Buffer.byteLength(json);
      if (size > this.config.EVENT_MAX_BYTES) {
        errors.push({ index, field: '(event)', message: `Event is ${size} bytes; at most ${this.config.EVENT_MAX_BYTES}` });
        return;
      }
      accepted.push({ event, json });
    });
    if (errors.length) throw new BatchRejected(400, `${new Set(errors.map((e) => e.index)).size} invalid event(s); nothing was accepted`, errors.slice(0, 100));
    return accepted;
  }

  async record(events: PreparedEvent[]): Promise<void> {
    await this.publisher.publish(
      TOPICS.EventsRaw,
      events.map(({ event, json }) => ({ key: shopperKey(event.storeId, event.anonymousId), value: event, json })),
    );
  }
}
