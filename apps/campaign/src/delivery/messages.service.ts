import { Injectable } from '@nestjs/common';
import { InjectDataSource } from '@nestjs/typeorm';
import type { DataSource } from 'typeorm';

/** One message as support sees it: its state and why, without its content or secrets. */
export interface MessageSummary {
  messageId: string;
  profileId: string;
  campaignId: string;
  kind: string;
  step: string | null;
  channel: string;
  state: string;
  reason: string | null;
  holdout: boolean;
  triggeredBy: string | null;
  attempts: number;
  nextAttemptAt: string | null;
  lastError: string | null;
  providerId: string | null;
  createdAt: string;
  sentAt: string | null;
}

@Injectable()
export class MessagesService {
  constructor(@InjectDataSource() private readonly db: DataSource) {}

  async list(storeId: string, q: { profileId?: string; campaignId?: string; limit: number }): Promise<MessageSummary[]> {
    const rows: {
      message_id: string;
      profile_id: string;
      campaign_id: string;
      kind: string;
      step: string | null;
      channel: string;
      state: string;
      reason: string | null;
      holdout: boolean;
      triggered_by: string | null;
      attempts: number;
      next_attempt_at: Date;
      last_error: string | null;
      provider_id: string | null;
      created_at: Date;
      sent_at: Date | null;
    }[] = await this.db.query(
      `SELECT "message_id", "profile_id", "campaign_id", "kind", "step", "channel", "state", "reason", "holdout", "triggered_by", "attempts",
         "next_attempt_at", "last_error", "provider_id", "created_at", "sent_at"
       FROM "campaign"."messages"
       WHERE "store_id" = $1 AND ($2::varchar IS NULL OR "profile_id" = $2) AND ($3::varchar IS NULL OR "campaign_id" = $3)
       ORDER BY "created_at" DESC, "message_id" LIMIT $4`,
      [storeId, q.profileId ?? null, q.campaignId ?? null, q.limit],
    );
    return rows.map((r) => ({
      messageId: r.message_id,
      profileId: r.profile_id,
      campaignId: r.campaign_id,
      kind: r.kind,
      step: r.step,
      channel: r.channel,
      state: r.state,
      reason: r.reason,
      holdout: r.holdout,
      triggeredBy: r.triggered_by,
      attempts: r.attempts,
      // While sending, next_attempt_at is the lease's end, not a planned attempt.
      nextAttemptAt: r.state === 'queued' ? r.next_attempt_at.toISOString() : null,
      lastError: r.last_error,
      providerId: r.provider_id,
      createdAt: r.created_at.toISOString(),
      sentAt: r.sent_at?.toISOString() ?? null,
    }));
  }
}
