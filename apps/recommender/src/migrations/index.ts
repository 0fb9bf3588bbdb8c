import { CreateRecommender1764300000000 } from './1764300000000-create-recommender';

export const RECOMMENDER_MIGRATIONS = [CreateRecommender1764300000000];
