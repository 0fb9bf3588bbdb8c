import { Module } from '@nestjs/common';
import { LookupProfilesService } from './lookup-profiles.service';
import { ProfilesHttpController } from './profiles.http.controller';

@Module({ controllers: [ProfilesHttpController], providers: [LookupProfilesService] })
export class LookupProfilesModule {}
