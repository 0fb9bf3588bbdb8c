import type { Provider, Type } from '@nestjs/common';

/** The channels part of the campaign service: what app.module.ts wires in. */
export const CHANNEL_CONTROLLERS: Type[] = [];
export const CHANNEL_PROVIDERS: Provider[] = [];

/** Classes of this part that react to audience facts (each a FactHandler provider listed above). */
export const CHANNEL_FACT_HANDLERS: Type[] = [];
