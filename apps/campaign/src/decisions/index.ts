import type { Provider, Type } from '@nestjs/common';
import { DecisionsHttpController } from './decisions.http.controller';
import { DecisionsService } from './decisions.service';
import { OfferRedemptions } from './offer-redemptions';
import { OffersHttpController } from './offers.http.controller';
import { OffersService } from './offers.service';
import { OnsiteCampaignsHttpController } from './onsite-campaigns.http.controller';
import { OnsiteCampaignsService } from './onsite-campaigns.service';
import { ProductPicks } from './product-picks';

export { OffersService, type IssueResult } from './offers.service';

/** The on-site decisions and offers part of the campaign service: what app.module.ts wires in. */
export const DECISION_CONTROLLERS: Type[] = [DecisionsHttpController, OnsiteCampaignsHttpController, OffersHttpController];
export const DECISION_PROVIDERS: Provider[] = [OffersService, OnsiteCampaignsService, ProductPicks, DecisionsService, OfferRedemptions];

/** Classes of this part that react to audience facts (each a FactHandler provider listed above). */
export const DECISION_FACT_HANDLERS: Type[] = [OfferRedemptions];
