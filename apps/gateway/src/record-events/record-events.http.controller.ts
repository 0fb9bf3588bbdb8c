import { Body, Controller, HttpCode, Post, Req } from '@nestjs/common';
import type { Request } from 'express';
import { CallerStore, RequireKey } from '../api-keys/api-key.guard';
import { RecordEventsService } from './record-events.service';
import { recordOverHttp } from './record-over-http';

@Controller('v1/events')
export class RecordEventsHttpController {
  constructor(private readonly events: RecordEventsService) {}

  /** Accepted (202) only once Kafka holds every event of the batch. */
  @Post()
  @HttpCode(202)
  @RequireKey('write')
  async record(@CallerStore() storeId: string, @Body() body: unknown, @Req() req: Request) {
    return { accepted: await recordOverHttp(this.events, storeId, body, req) };
  }
}
