import { Body, Controller, HttpCode, HttpException, Post, Req, ServiceUnavailableException } from '@nestjs/common';
import type { Request } from 'express';
import { PublishTimeoutError } from '@signal/platform';
import { CallerStore, RequireKey } from '../api-keys/api-key.guard';
import { BatchRejected, RecordEventsService } from './record-events.service';

@Controller('v1/events')
export class RecordEventsHttpController {
  constructor(private readonly events: RecordEventsService) {}

  /** Accepted (202) only once Kafka holds every event of the batch. */
  @Post()
  @HttpCode(202)
  @RequireKey('write')
  async record(@CallerStore() storeId: string, @Body() body: unknown, @Req() req: Request) {
    let prepared;
    try {
      prepared = this.events.prepare(storeId, body, { ip: req.ip, userAgent: req.headers['user-agent'] });
    } catch (e) {
      if (e instanceof BatchRejected) {
        throw new HttpException({ statusCode: e.status, error: e.status === 413 ? 'Payload Too Large' : 'Bad Request', message: e.message, errors: e.errors }, e.status);
      }
      throw e;
    }
    try {
      await this.events.record(prepared);
    } catch (e) {
      // Not acknowledged means not accepted: the sender retries, and eventId dedupe absorbs repeats.
      throw new ServiceUnavailableException({
        statusCode: 503,
        error: 'Service Unavailable',
        message: e instanceof PublishTimeoutError ? 'Event log did not acknowledge in time; retry' : 'Event log unavailable; retry',
      });
    }
    return { accepted: prepared.length };
  }
}
