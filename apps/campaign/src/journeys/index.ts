import type { Provider, Type } from '@nestjs/common';
import { JourneyRunner } from './journey-runner.service';
import { JourneyTriggers } from './journey-triggers';
import { JourneysHttpController } from './journeys.http.controller';
import { JourneysService } from './journeys.service';
import { RecommendationsClient } from './recommendations.client';

/** The journeys part of the campaign service: what app.module.ts wires in. */
export const JOURNEY_CONTROLLERS: Type[] = [JourneysHttpController];
export const JOURNEY_PROVIDERS: Provider[] = [JourneysService, JourneyTriggers, JourneyRunner, RecommendationsClient];

/** Classes of this part that react to audience facts (each a FactHandler provider listed above). */
export const JOURNEY_FACT_HANDLERS: Type[] = [JourneyTriggers];
