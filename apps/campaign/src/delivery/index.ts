import type { Provider, Type } from '@nestjs/common';

/** The delivery part of the campaign service (outbox, delivery rules, sender): what app.module.ts wires in. */
export const DELIVERY_CONTROLLERS: Type[] = [];
export const DELIVERY_PROVIDERS: Provider[] = [];

/** Classes of this part that react to audience facts (each a FactHandler provider listed above). */
export const DELIVERY_FACT_HANDLERS: Type[] = [];
