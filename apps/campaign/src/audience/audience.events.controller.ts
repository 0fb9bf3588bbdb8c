import { Controller } from '@nestjs/common';
import { EventPattern, Payload } from '@nestjs/microservices';
import { TOPICS } from '@signal/contracts';
import type { ConsumedMessage } from '@signal/platform';
import { AudienceService } from './audience.service';

@Controller()
export class AudienceEventsController {
  constructor(private readonly audience: AudienceService) {}

  @EventPattern(TOPICS.ProfilesChanged, { batch: true })
  profiles(@Payload() messages: ConsumedMessage[]): Promise<void> {
    return this.audience.profilesChanged(messages);
  }

  @EventPattern(TOPICS.PrivacyErasures, { batch: true })
  erasures(@Payload() messages: ConsumedMessage[]): Promise<void> {
    return this.audience.erasures(messages);
  }

  @EventPattern(TOPICS.EventsEnriched, { batch: true })
  events(@Payload() messages: ConsumedMessage[]): Promise<void> {
    return this.audience.events(messages);
  }

  @EventPattern(TOPICS.CatalogProducts, { batch: true })
  products(@Payload() messages: ConsumedMessage[]): Promise<void> {
    return this.audience.products(messages);
  }

  @EventPattern(TOPICS.CatalogInventory, { batch: true })
  inventory(@Payload() messages: ConsumedMessage[]): Promise<void> {
    return this.audience.inventory(messages);
  }
}
