import type { Provider, Type } from '@nestjs/common';

/** The journeys part of the campaign service: what app.module.ts wires in. */
export const JOURNEY_CONTROLLERS: Type[] = [];
export const JOURNEY_PROVIDERS: Provider[] = [];

/** Classes of this part that react to audience facts (each a FactHandler provider listed above). */
export const JOURNEY_FACT_HANDLERS: Type[] = [];
