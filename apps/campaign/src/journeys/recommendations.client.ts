import { Inject, Injectable, Logger } from '@nestjs/common';
import { CAMPAIGN_CONFIG, type CampaignConfig } from '../config';

/** A message waits for its recommendations no longer than this; it goes without them after. */
export const RECOMMENDATIONS_TIMEOUT_MS = 300;

export interface RecommendationAsk {
  storeId: string;
  placement: string;
  customerId: string | null;
  anonymousId: string | null;
  productId?: string | null;
  limit: number;
}

/** Products for a message from the recommender's HTTP API; an empty list on any failure. */
@Injectable()
export class RecommendationsClient {
  private readonly log = new Logger(RecommendationsClient.name);
  private readonly base: string;

  constructor(@Inject(CAMPAIGN_CONFIG) config: CampaignConfig) {
    this.base = config.RECOMMENDER_URL.replace(/\/+$/, '');
  }

  async productIds(ask: RecommendationAsk): Promise<string[]> {
    const q = new URLSearchParams({ placement: ask.placement, limit: String(ask.limit) });
    if (ask.customerId) q.set('customerId', ask.customerId);
    else if (ask.anonymousId) q.set('anonymousId', ask.anonymousId);
    if (ask.productId) q.set('productId', ask.productId);
    try {
      const res = await fetch(`${this.base}/v1/stores/${encodeURIComponent(ask.storeId)}/recommendations?${q}`, { signal: AbortSignal.timeout(RECOMMENDATIONS_TIMEOUT_MS) });
      if (!res.ok) throw new Error(`HTTP ${res.status}`);
      const body = (await res.json()) as { items?: { productId?: unknown }[] };
      return (body.items ?? []).map((i) => i.productId).filter((id): id is string => typeof id === 'string');
    } catch (e) {
      this.log.warn({ err: e, storeId: ask.storeId, placement: ask.placement }, 'Recommendations unavailable; the message goes without them');
      return [];
    }
  }
}
