import { randomUUID } from 'node:crypto';
import { profileIdFor, type EnrichedEvent } from '@signal/contracts';

export type EventInput = Partial<EnrichedEvent> & Pick<EnrichedEvent, 'storeId' | 'anonymousId'>;

/** An enriched event as ingest would publish it; profileId is stitched the way ingest does unless given. */
export function enrichedEvent(o: EventInput): EnrichedEvent {
  const now = new Date().toISOString();
  return {
    eventId: randomUUID(),
    type: 'page_view',
    occurredAt: now,
    receivedAt: now,
    enrichedAt: now,
    properties: {},
    profileId: profileIdFor(o.storeId, { customerId: o.customerId, anonymousId: o.anonymousId }),
    enrichment: { device: { type: 'desktop', os: 'Linux', browser: 'Firefox' } },
    ...o,
  };
}
