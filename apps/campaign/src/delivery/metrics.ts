import { metricsRegistry } from '@signal/platform';
import { Counter, Gauge, Histogram } from 'prom-client';

/** Outcomes of the sender per channel: sent, failed (final), retry, suppressed, deferred (quiet hours). */
export const messageOutcomes = new Counter({
  name: 'campaign_messages_total',
  help: 'Messages the sender finished handling, by channel and outcome',
  labelNames: ['channel', 'outcome'],
  registers: [metricsRegistry],
});

export const sendSeconds = new Histogram({
  name: 'campaign_send_duration_seconds',
  help: 'Time one delivery attempt took on its channel (SMTP, push service, webhook)',
  labelNames: ['channel'],
  buckets: [0.01, 0.025, 0.05, 0.1, 0.25, 0.5, 1, 2.5, 5, 10, 30],
  registers: [metricsRegistry],
});

export const outboxDepth = new Gauge({
  name: 'campaign_outbox_messages',
  help: 'Messages in the outbox by state: queued (waiting, including retries and quiet hours) and sending',
  labelNames: ['state'],
  registers: [metricsRegistry],
});
