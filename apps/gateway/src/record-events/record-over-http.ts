import { HttpException, ServiceUnavailableException } from '@nestjs/common';
import type { Request } from 'express';
import { PublishTimeoutError } from '@signal/platform';
import { BatchRejected, type RecordEventsService } from './record-events.service';

/**
 * What POST /v1/events does with a body, for every route that records events: the whole batch is
 * checked and stamped, and the count returns only once Kafka holds every event.
 */
export async function recordOverHttp(events: RecordEventsService, storeId: string, body: unknown, req: Request): Promise<number> {
  let prepared;
  try {
    prepared = events.prepare(storeId, body, { ip: req.ip, userAgent: req.headers['user-agent'] });
  } catch (e) {
    if (e instanceof BatchRejected) {
      throw new HttpException({ statusCode: e.status, error: e.status === 413 ? 'Payload Too Large' : 'Bad Request', message: e.message, errors: e.errors }, e.status);
    }
    throw e;
  }
  try {
    await events.record(prepared);
  } catch (e) {
    // Not acknowledged means not accepted: the sender retries, and eventId dedupe absorbs repeats.
    throw new ServiceUnavailableException({
      statusCode: 503,
      error: 'Service Unavailable',
      message: e instanceof PublishTimeoutError ? 'Event log did not acknowledge in time; retry' : 'Event log unavailable; retry',
    });
  }
  return prepared.length;
}
