import { Module, type MiddlewareConsumer, type NestModule } from '@nestjs/common';
import { ApiKeysModule } from '../api-keys/api-keys.module';
import { UpstreamBodyLimit } from '../upstream/body-limit.middleware';
import { RecommenderClient } from '../upstream/recommender-client';
import { RecommendationRulesHttpController } from './recommendation-rules.http.controller';
import { RecommendationsHttpController } from './recommendations.http.controller';
import { RecommendationsService } from './recommendations.service';

/** The routes the recommender answers, behind the gateway's keys. */
@Module({
  imports: [ApiKeysModule],
  controllers: [RecommendationsHttpController, RecommendationRulesHttpController],
  providers: [RecommenderClient, RecommendationsService],
})
export class RecommendationsModule implements NestModule {
  configure(consumer: MiddlewareConsumer): void {
    consumer.apply(UpstreamBodyLimit).forRoutes(RecommendationRulesHttpController);
  }
}
