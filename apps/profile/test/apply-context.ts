import { withDefaults, type StoreSettings } from '../src/settings/store-settings';
import type { ApplyContext, ProductFacts, QuizOptionEffect } from '../src/profiles/profile-state';

/** An ApplyContext over in-memory products and quiz options, for unit tests. */
export function applyContext(o: { settings?: Partial<StoreSettings>; products?: Record<string, ProductFacts>; quizOptions?: Record<string, QuizOptionEffect> } = {}): ApplyContext {
  return {
    settings: withDefaults(o.settings),
    product: (productId) => o.products?.[productId],
    quizOption: (quizId, questionId, optionId) => o.quizOptions?.[`${quizId}/${questionId}/${optionId}`],
  };
}
