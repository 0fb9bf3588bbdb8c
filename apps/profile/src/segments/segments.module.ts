import { Global, Module } from '@nestjs/common';
import { EvaluateSegmentsService } from './evaluate-segments.service';
import { LiveSegments } from './live-segments';
import { SegmentJobsService } from './segment-jobs.service';
import { SegmentsHttpController } from './segments.http.controller';
import { SegmentsRepository } from './segments.repository';
import { SegmentsService } from './segments.service';

@Global()
@Module({
  controllers: [SegmentsHttpController],
  providers: [SegmentsRepository, SegmentsService, LiveSegments, EvaluateSegmentsService, SegmentJobsService],
  exports: [EvaluateSegmentsService, SegmentsService],
})
export class SegmentsModule {}
