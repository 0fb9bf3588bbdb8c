import { Controller } from '@nestjs/common';
import { EventPattern, Payload } from '@nestjs/microservices';
import { TOPICS } from '@signal/contracts';
import type { ConsumedMessage } from '@signal/platform';
import { ShoppersService } from './shoppers.service';

@Controller()
export class ShoppersEventsController {
  constructor(private readonly service: ShoppersService) {}

  @EventPattern(TOPICS.ProfilesChanged, { batch: true })
  profilesChanged(@Payload() messages: ConsumedMessage[]): Promise<void> {
    return this.service.profilesChanged(messages);
  }

  @EventPattern(TOPICS.PrivacyErasures, { batch: true })
  erasures(@Payload() messages: ConsumedMessage[]): Promise<void> {
    return this.service.erasures(messages);
  }
}
