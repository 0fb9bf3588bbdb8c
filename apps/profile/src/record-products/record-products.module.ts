import { Global, Module } from '@nestjs/common';
import { RecordProductsEventsController } from './record-products.events.controller';
import { RecordProductsService } from './record-products.service';

@Global()
@Module({ controllers: [RecordProductsEventsController], providers: [RecordProductsService], exports: [RecordProductsService] })
export class RecordProductsModule {}
