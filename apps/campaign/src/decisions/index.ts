import type { Provider, Type } from '@nestjs/common';

/** The on-site decisions and offers part of the campaign service: what app.module.ts wires in. */
export const DECISION_CONTROLLERS: Type[] = [];
export const DECISION_PROVIDERS: Provider[] = [];

/** Classes of this part that react to audience facts (each a FactHandler provider listed above). */
export const DECISION_FACT_HANDLERS: Type[] = [];
