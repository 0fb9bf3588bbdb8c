import { Body, Controller, Delete, Get, HttpCode, Param, Post, Put } from '@nestjs/common';
import { badRequest, validStoreId } from '@signal/platform';
import { checkJourney, type JourneyDefinition } from './definition';
import { JourneysService, type Journey, type JourneyReport } from './journeys.service';

const JOURNEY_ID = /^[A-Za-z0-9_-]{1,64}$/;

function validJourneyId(id: string): string {
  if (!JOURNEY_ID.test(id)) throw badRequest('Invalid journeyId', [{ field: 'journeyId', message: 'Expected 1-64 letters, digits, _ or -' }]);
  return id;
}

function validDefinition(body: unknown): JourneyDefinition {
  const checked = checkJourney(body);
  if (!checked.ok) throw badRequest('Invalid journey', checked.errors);
  return checked.value;
}

/** Triggered journeys of a store: definitions (versioned) and their report. */
@Controller('v1/stores/:storeId/journeys')
export class JourneysHttpController {
  constructor(private readonly journeys: JourneysService) {}

  @Post()
  create(@Param('storeId') storeId: string, @Body() body: unknown): Promise<Journey> {
    const store = validStoreId(storeId);
    return this.journeys.create(store, validDefinition(body));
  }

  @Get()
  async list(@Param('storeId') storeId: string): Promise<{ journeys: Journey[] }> {
    return { journeys: await this.journeys.list(validStoreId(storeId)) };
  }

  @Get(':journeyId')
  get(@Param('storeId') storeId: string, @Param('journeyId') journeyId: string): Promise<Journey> {
    return this.journeys.get(validStoreId(storeId), validJourneyId(journeyId));
  }

  /** Replaces the definition (a new version); fields left out take their defaults. */
  @Put(':journeyId')
  update(@Param('storeId') storeId: string, @Param('journeyId') journeyId: string, @Body() body: unknown): Promise<Journey> {
    const store = validStoreId(storeId);
    const id = validJourneyId(journeyId);
    return this.journeys.update(store, id, validDefinition(body));
  }

  @Delete(':journeyId')
  @HttpCode(204)
  remove(@Param('storeId') storeId: string, @Param('journeyId') journeyId: string): Promise<void> {
    return this.journeys.remove(validStoreId(storeId), validJourneyId(journeyId));
  }

  @Get(':journeyId/report')
  report(@Param('storeId') storeId: string, @Param('journeyId') journeyId: string): Promise<JourneyReport> {
    return this.journeys.report(validStoreId(storeId), validJourneyId(journeyId));
  }
}
