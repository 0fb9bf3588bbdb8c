import { Inject, Injectable, Logger, type OnApplicationBootstrap, type OnModuleDestroy } from '@nestjs/common';
import { InjectDataSource } from '@nestjs/typeorm';
import { TOPICS, type CampaignMessage, type TopicName } from '@signal/contracts';
import { KafkaPublisher } from '@signal/platform';
import type { DataSource } from 'typeorm';
import { CAMPAIGN_CONFIG, type CampaignConfig } from '../config';
import { MessageLog } from '../message-log';

const BATCH = 500;

/**
 * Publishes what delivery_events holds (message statuses, consent after a bounce) and deletes it
 * in the same transaction, so a record goes out at least once and only for committed changes. A
 * crash between Kafka's ack and the commit publishes it again, with the same record id.
 */
@Injectable()
export class DeliveryRelay implements OnApplicationBootstrap, OnModuleDestroy {
  private readonly logger = new Logger(DeliveryRelay.name);
  private timer: NodeJS.Timeout | undefined;
  private running: Promise<void> | null = null;
  private again = false;
  private stopped = false;

  constructor(
    @InjectDataSource() private readonly db: DataSource,
    @Inject(CAMPAIGN_CONFIG) private readonly config: CampaignConfig,
    private readonly log: MessageLog,
    private readonly publisher: KafkaPublisher,
  ) {}

  onApplicationBootstrap(): void {
    this.timer = setInterval(() => this.kick(), this.config.OUTBOX_POLL_MS);
    this.timer.unref();
  }

  async onModuleDestroy(): Promise<void> {
    // What is still in the table goes out from the next replica to run (or this one, restarted).
    this.stopped = true;
    clearInterval(this.timer);
    this.timer = undefined;
    await this.running;
  }

  /** Publish soon; a call during a run makes it go round once more. */
  kick(): void {
    if (this.stopped) return;
    if (this.running) {
      this.again = true;
      return;
    }
    this.running = this.drain()
      .catch((e: unknown) => this.logger.warn({ err: e }, 'Publishing delivery records failed; retrying on the next poll'))
      .finally(() => {
        this.running = null;
        if (this.again && !this.stopped) {
          this.again = false;
          this.kick();
        }
      });
  }

  private async drain(): Promise<void> {
    for (let n = BATCH; n === BATCH; ) n = await this.publishBatch();
  }

  private async publishBatch(): Promise<number> {
    return this.db.transaction(async (tx) => {
      const rows: { seq: string; topic: TopicName; key: string; value: object }[] = await tx.query(
        `SELECT "seq", "topic", "key", "value" FROM "campaign"."delivery_events" ORDER BY "seq" LIMIT ${BATCH} FOR UPDATE SKIP LOCKED`,
      );
      if (rows.length === 0) return 0;
      const statuses = rows.filter((r) => r.topic === TOPICS.CampaignMessages).map((r) => r.value as CampaignMessage);
      const others = new Map<TopicName, { key: string; value: object }[]>();
      for (const r of rows) if (r.topic !== TOPICS.CampaignMessages) others.set(r.topic, [...(others.get(r.topic) ?? []), { key: r.key, value: r.value }]);
      await Promise.all([this.log.record(statuses), ...[...others].map(([topic, messages]) => this.publisher.publish(topic, messages))]);
      await tx.query(`DELETE FROM "campaign"."delivery_events" WHERE "seq" = ANY($1::bigint[])`, [rows.map((r) => r.seq)]);
      return rows.length;
    });
  }
}
