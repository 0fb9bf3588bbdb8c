import { Module } from '@nestjs/common';
import { PrivacyHttpController } from './privacy.http.controller';
import { PrivacyService } from './privacy.service';

@Module({ controllers: [PrivacyHttpController], providers: [PrivacyService] })
export class PrivacyModule {}
