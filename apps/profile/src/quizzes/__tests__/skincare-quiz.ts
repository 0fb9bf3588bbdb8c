import type { QuizDefinition } from '../quiz-definition';

/** The quiz of docs/quizzes.md: a skin-type question that shapes traits, affinities and segments, then a multi-choice one. */
export const skincareQuiz = (): QuizDefinition => ({
  quizId: 'skin-finder',
  title: 'Find your skincare routine',
  questions: [
    {
      questionId: 'skin-type',
      text: 'How does your skin feel by midday?',
      options: [
        {
          optionId: 'dry',
          label: 'Tight or flaky',
          imageUrl: 'https://cdn.example-shop.com/quiz/dry.jpg',
          traits: { skinType: 'dry' },
          affinities: [{ dimension: 'category', value: 'Moisturizers', weight: 20 }],
          segments: ['skin-dry'],
        },
        {
          optionId: 'oily',
          label: 'Shiny all over',
          imageUrl: 'https://cdn.example-shop.com/quiz/oily.jpg',
          traits: { skinType: 'oily' },
          affinities: [{ dimension: 'category', value: 'Cleansers' }],
          segments: ['skin-oily'],
        },
      ],
    },
    {
      questionId: 'concerns',
      text: 'What would you like to work on?',
      multiple: true,
      options: [
        { optionId: 'wrinkles', label: 'Fine lines', traits: { concerns: ['wrinkles'] } },
        { optionId: 'spots', label: 'Blemishes' },
        { optionId: 'redness', label: 'Redness', affinities: [{ dimension: 'brand', value: 'CalmLab' }] },
      ],
    },
  ],
  reward: { discountPercent: 10, prefix: 'SKIN', validDays: 30 },
});
