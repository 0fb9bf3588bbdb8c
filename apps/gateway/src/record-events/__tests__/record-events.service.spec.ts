import type { KafkaPublisher } from '@signal/platform';
import { loadConfig } from '@signal/platform';
import { GatewayConfigSchema } from '../../config';
import { BatchRejected, RecordEventsService } from '../record-events.service';

const config = loadConfig(GatewayConfigSchema, { ADMIN_TOKEN: 'x'.repeat(16) });
const publish = jest.fn().mockResolvedValue(undefined);
const service = new RecordEventsService({ publish } as unknown as KafkaPublisher, config);
const now = new Date('2026-11-24T12:00:00Z');
const event = (over: Record<string, unknown> = {}) => ({
  eventId: 'e1',
  type: 'page_view',
  occurredAt: '2026-11-24T11:00:00Z',
  anonymousId: 'a1',
  properties: {},
  ...over,
});

const rejection = (body: unknown): BatchRejected => {
  try {
    service.prepare('store', body, {}, now);
  } catch (e) {
    return e as BatchRejected;
  }
  throw new Error('expected a rejection');
};

describe('RecordEventsService.prepare', () => {
  it('stamps store and server time and fills IP and user agent from the request', () => {
    const [{ event: e, json }] = service.prepare('store', { events: [event()] }, { ip: '1.2.3.4', userAgent: 'UA' }, now);
    expect(JSON.parse(json)).toEqual(e);
    expect(e).toMatchObject({ storeId: 'store', receivedAt: now.toISOString(), context: { ip: '1.2.3.4', userAgent: 'UA' } });
  });

  it('keeps an IP the storefront sent on the shopper’s behalf', () => {
    const [{ event: e }] = service.prepare('store', { events: [event({ context: { ip: '81.2.69.160' } })] }, { ip: '10.0.0.1' }, now);
    expect(e.context?.ip).toBe('81.2.69.160');
  });

  it('rejects the whole batch, pointing at each bad event by index', () => {
    const r = rejection({ events: [event(), event({ type: 'x' }), event({ anonymousId: '' })] });
    expect(r.status).toBe(400);
    expect(r.errors.map((e) => [e.index, e.field])).toEqual([
      [1, 'type'],
      [2, 'anonymousId'],
    ]);
  });

  it('answers 413 to batches over the limit', () => {
    expect(rejection({ events: Array.from({ length: config.EVENTS_MAX_BATCH + 1 }, () => event()) }).status).toBe(413);
  });

  it('publishes keyed by store and device', async () => {
    const events = service.prepare('store', { events: [event()] }, {}, now);
    await service.record(events);
    expect(publish).toHaveBeenCalledWith('events.raw.v1', [{ key: 'store:a1', value: events[0].event, json: events[0].json }]);
  });

  it('counts multi-byte characters against the size limit', () => {
    const small = new RecordEventsService({ publish } as unknown as KafkaPublisher, { ...config, EVENT_MAX_BYTES: 600 });
    const ascii = event({ properties: { note: 'a'.repeat(300) } });
    const emoji = event({ properties: { note: '\u{1F600}'.repeat(150) } });
    expect(small.prepare('store', { events: [ascii] }, {}, now)).toHaveLength(1);
    expect(() => small.prepare('store', { events: [emoji] }, {}, now)).toThrow(BatchRejected);
  });
});
