import { Module, type DynamicModule } from '@nestjs/common';
import { TOPICS } from '@signal/contracts';
import { PlatformModule } from '@signal/platform';
import { AudienceEventsController } from './audience/audience.events.controller';
import { AudienceService } from './audience/audience.service';
import { FACT_HANDLERS, type FactHandler } from './audience/facts';
import { CHANNEL_CONTROLLERS, CHANNEL_FACT_HANDLERS, CHANNEL_PROVIDERS } from './channels';
import { CAMPAIGN_CONFIG, type CampaignConfig } from './config';
import { DECISION_CONTROLLERS, DECISION_FACT_HANDLERS, DECISION_PROVIDERS } from './decisions';
import { DELIVERY_CONTROLLERS, DELIVERY_FACT_HANDLERS, DELIVERY_PROVIDERS } from './delivery';
import { JOURNEY_CONTROLLERS, JOURNEY_FACT_HANDLERS, JOURNEY_PROVIDERS } from './journeys';
import { MessageLog } from './message-log';
import { CAMPAIGN_MIGRATIONS } from './migrations';

/**
 * On-site decisions, offers, triggered journeys and their delivery over e-mail, web push and
 * webhooks. `audience/` keeps the shoppers, interests, carts and products it needs from the topics;
 * the other parts (channels, decisions, delivery, journeys) each wire in through their own index.ts.
 */
@Module({})
export class AppModule {
  /** `groupId` lets tests consume with their own consumer group. */
  static register(config: CampaignConfig, o: { groupId?: string } = {}): DynamicModule {
    return {
      module: AppModule,
      imports: [
        PlatformModule.forRoot({
          service: 'campaign',
          settings: config,
          groupId: o.groupId,
          topics: [TOPICS.ProfilesChanged, TOPICS.PrivacyErasures, TOPICS.EventsEnriched, TOPICS.CatalogProducts, TOPICS.CatalogInventory, TOPICS.CampaignMessages, TOPICS.EventsRaw, TOPICS.EventsDeadLetter],
          database: { url: config.DATABASE_URL, schema: 'campaign', entities: [], migrations: CAMPAIGN_MIGRATIONS, poolSize: config.DATABASE_POOL_SIZE },
        }),
      ],
      controllers: [AudienceEventsController, ...CHANNEL_CONTROLLERS, ...DECISION_CONTROLLERS, ...DELIVERY_CONTROLLERS, ...JOURNEY_CONTROLLERS],
      providers: [
        { provide: CAMPAIGN_CONFIG, useValue: config },
        AudienceService,
        MessageLog,
        ...CHANNEL_PROVIDERS,
        ...DECISION_PROVIDERS,
        ...DELIVERY_PROVIDERS,
        ...JOURNEY_PROVIDERS,
        {
          provide: FACT_HANDLERS,
          useFactory: (...handlers: FactHandler[]) => handlers,
          inject: [...CHANNEL_FACT_HANDLERS, ...DECISION_FACT_HANDLERS, ...DELIVERY_FACT_HANDLERS, ...JOURNEY_FACT_HANDLERS],
        },
      ],
    };
  }
}
