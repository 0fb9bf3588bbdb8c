import { Injectable } from '@nestjs/common';
import { TOPICS, type DeadLetter, type FieldError } from '@signal/contracts';
import { Counter } from 'prom-client';
import { metricsRegistry } from '../metrics/registry';
import type { ConsumedMessage } from './consumed-message';
import { KafkaPublisher } from './kafka-publisher';

const deadLettered = new Counter({ name: 'kafka_dead_lettered_total', help: 'Messages sent to the dead-letter topic', labelNames: ['topic', 'reason'], registers: [metricsRegistry] });

export interface DeadLetterEntry {
  message: Pick<ConsumedMessage, 'topic' | 'partition' | 'offset' | 'key' | 'raw'>;
  reason: string;
  errors: FieldError[];
  attempts: number;
}

/** Sends what cannot be processed to `events.dlq.v1`, with the reason and the original payload. */
@Injectable()
export class DeadLetterPublisher {
  constructor(private readonly publisher: KafkaPublisher) {}

  async send(consumerGroup: string, entries: DeadLetterEntry[]): Promise<void> {
    if (entries.length === 0) return;
    const failedAt = new Date().toISOString();
    await this.publisher.publish(
      TOPICS.EventsDeadLetter,
      entries.map(({ message, reason, errors, attempts }) => {
        deadLettered.inc({ topic: message.topic, reason });
        const value: DeadLetter = {
          reason,
          errors,
          sourceTopic: message.topic,
          partition: message.partition,
          offset: message.offset,
          consumerGroup,
          attempts,
          key: message.key,
          payload: message.raw,
          failedAt,
        };
        return { key: message.key, value };
      }),
    );
  }
}
