import { withDefaults } from '../../settings/store-settings';
import { checkQuiz, optionKey, quizOptionEffects, type QuizDefinition } from '../quiz-definition';
import { skincareQuiz } from './skincare-quiz';

const settings = withDefaults({ sensitiveCategories: ['Pregnancy Care'] });

/** The skincare quiz with one mistake made, as a client would send it (JSON, so no shared references). */
function spoilt(mistake: (q: Record<string, unknown> & QuizDefinition) => void): unknown {
  const quiz = structuredClone(skincareQuiz()) as Record<string, unknown> & QuizDefinition;
  mistake(quiz);
  return JSON.parse(JSON.stringify(quiz));
}

const fieldsOf = (body: unknown): string[] => {
  const checked = checkQuiz(body, settings);
  return checked.ok ? [] : checked.errors.map((e) => e.field);
};

const firstOption = (q: QuizDefinition) => q.questions[0].options[0];

describe('checkQuiz', () => {
  it('accepts the skincare quiz, and one with just a title and a question', () => {
    expect(checkQuiz(skincareQuiz(), settings)).toEqual({ ok: true, value: skincareQuiz() });
    const minimal = { title: 'Gift finder', questions: [{ questionId: 'for', text: 'Who is it for?', options: [{ optionId: 'her', label: 'Her' }, { optionId: 'him', label: 'Him' }] }] };
    expect(checkQuiz(minimal, settings).ok).toBe(true);
  });

  it.each<[string, (q: Record<string, unknown> & QuizDefinition) => void, string]>([
    ['no title', (q) => delete (q as Partial<QuizDefinition>).title, 'title'],
    ['an empty title', (q) => (q.title = ''), 'title'],
    ['a quiz id with a space', (q) => (q.quizId = 'skin finder'), 'quizId'],
    ['an unknown field', (q) => (q['colour'] = 'pink'), 'colour'],
    ['no questions', (q) => (q.questions = []), 'questions'],
    ['51 questions', (q) => (q.questions = Array.from({ length: 51 }, (_, i) => ({ ...q.questions[0], questionId: `q${i}` }))), 'questions'],
    ['an overlong question text', (q) => (q.questions[0].text = 'x'.repeat(1001)), 'questions.0.text'],
    ['multiple as a string', (q) => ((q.questions[1] as { multiple: unknown }).multiple = 'yes'), 'questions.1.multiple'],
    ['a single option', (q) => (q.questions[0].options = [firstOption(q)]), 'questions.0.options'],
    ['an option id with a slash', (q) => (q.questions[1].options[0].optionId = 'fine/lines'), 'questions.1.options.0.optionId'],
    ['an empty label', (q) => (q.questions[1].options[2].label = ''), 'questions.1.options.2.label'],
    ['a javascript: image URL', (q) => (firstOption(q).imageUrl = 'javascript:alert(1)'), 'questions.0.options.0.imageUrl'],
    ['an overlong image URL', (q) => (firstOption(q).imageUrl = `https://cdn.example.com/${'a'.repeat(2048)}`), 'questions.0.options.0.imageUrl'],
    ['a trait name with a space', (q) => (firstOption(q).traits = { 'skin type': 'dry' }), 'questions.0.options.0.traits.skin type'],
    ['an object trait value', (q) => (firstOption(q).traits = { skinType: { nested: true } as unknown as string }), 'questions.0.options.0.traits.skinType'],
    ['21 traits', (q) => (firstOption(q).traits = Object.fromEntries(Array.from({ length: 21 }, (_, i) => [`t${i}`, i]))), 'questions.0.options.0.traits'],
    ['a trait in the quiz answer namespace', (q) => (firstOption(q).traits = { 'quiz.other.q1': 'x' }), 'questions.0.options.0.traits.quiz.other.q1'],
    ['an unknown affinity dimension', (q) => (firstOption(q).affinities = [{ dimension: 'mood' as 'brand', value: 'calm' }]), 'questions.0.options.0.affinities.0.dimension'],
    ['an affinity weight over 100', (q) => (firstOption(q).affinities = [{ dimension: 'category', value: 'Moisturizers', weight: 101 }]), 'questions.0.options.0.affinities.0.weight'],
    ['an empty affinity value', (q) => (firstOption(q).affinities = [{ dimension: 'category', value: '' }]), 'questions.0.options.0.affinities.0.value'],
    ['11 affinities', (q) => (firstOption(q).affinities = Array.from({ length: 11 }, (_, i) => ({ dimension: 'brand' as const, value: `b${i}` }))), 'questions.0.options.0.affinities'],
    ['an affinity on a sensitive category, in another case', (q) => (q.questions[0].options[1].affinities = [{ dimension: 'category', value: 'pregnancy care' }]), 'questions.0.options.1.affinities.0.value'],
    ['11 segments', (q) => (firstOption(q).segments = Array.from({ length: 11 }, (_, i) => `s${i}`)), 'questions.0.options.0.segments'],
    ['a segment id with a space', (q) => (firstOption(q).segments = ['dry skin']), 'questions.0.options.0.segments.0'],
    ['a duplicate question id', (q) => (q.questions[1].questionId = 'skin-type'), 'questions.1.questionId'],
    ['a duplicate option id', (q) => (q.questions[1].options[1].optionId = 'wrinkles'), 'questions.1.options.1.optionId'],
    ['a reward with percent and amount', (q) => (q.reward = { discountPercent: 10, discountAmount: 5, currency: 'EUR' }), 'reward'],
    ['a reward with neither percent nor amount', (q) => (q.reward = { prefix: 'SKIN' }), 'reward'],
    ['an amount without currency', (q) => (q.reward = { discountAmount: 5 }), 'reward.currency'],
    ['a percent with a currency', (q) => (q.reward = { discountPercent: 5, currency: 'EUR' }), 'reward.currency'],
    ['a lower-case currency', (q) => (q.reward = { discountAmount: 5, currency: 'eur' }), 'reward.currency'],
    ['a zero percent', (q) => (q.reward = { discountPercent: 0 }), 'reward.discountPercent'],
    ['a zero amount', (q) => (q.reward = { discountAmount: 0, currency: 'EUR' }), 'reward.discountAmount'],
    ['a lower-case prefix', (q) => (q.reward = { discountPercent: 10, prefix: 'skin' }), 'reward.prefix'],
    ['validDays over a year', (q) => (q.reward = { discountPercent: 10, validDays: 366 }), 'reward.validDays'],
  ])('rejects %s naming %s', (_what, mistake, field) => {
    expect(fieldsOf(spoilt(mistake))).toEqual([field]);
  });

  it.each([null, [], 'quiz', 42, true])('rejects the non-object %j', (body) => {
    expect(checkQuiz(body, settings)).toEqual({ ok: false, errors: [{ field: '(body)', message: 'must be a JSON object' }] });
  });

  it('rejects prototype keys as they arrive from JSON, without touching any prototype', () => {
    const atRoot = JSON.parse('{"title":"t","questions":[],"__proto__":{"polluted":true}}');
    expect(fieldsOf(atRoot)).toEqual(expect.arrayContaining(['__proto__']));
    const asTrait = spoilt((q) => (firstOption(q).traits = JSON.parse('{"__proto__":"x","constructor":"y"}')));
    expect(fieldsOf(asTrait)).toEqual(['questions.0.options.0.traits.__proto__', 'questions.0.options.0.traits.constructor']);
    expect(fieldsOf(spoilt((q) => (firstOption(q).affinities = [{ dimension: 'category', value: 'Constructor' }])))).toEqual(['questions.0.options.0.affinities.0.value']);
    expect(fieldsOf(spoilt((q) => (firstOption(q).segments = ['__proto__'])))).toEqual(['questions.0.options.0.segments.0']);
    expect(({} as Record<string, unknown>)['polluted']).toBeUndefined();
  });

  it('rejects 10,000 options quickly with a bounded list of errors', () => {
    const hostile = spoilt((q) => (q.questions[0].options = Array.from({ length: 10_000 }, (_, i) => ({ optionId: `o${i}`, label: 'x'.repeat(300) }))));
    const started = Date.now();
    const checked = checkQuiz(hostile, settings);
    expect(Date.now() - started).toBeLessThan(1_000);
    expect(checked.ok).toBe(false);
    if (checked.ok) return;
    expect(checked.errors[0]?.field).toBe('questions.0.options');
    expect(checked.errors.length).toBeLessThanOrEqual(20);
  });
});

describe('quizOptionEffects', () => {
  it('maps every option of every question to what choosing it does, with empty parts where absent', () => {
    const effects = quizOptionEffects(skincareQuiz());
    expect([...effects.keys()]).toEqual(['skin-type\u0000dry', 'skin-type\u0000oily', 'concerns\u0000wrinkles', 'concerns\u0000spots', 'concerns\u0000redness']);
    expect(effects.get(optionKey('skin-type', 'dry'))).toEqual({ traits: { skinType: 'dry' }, affinities: [{ dimension: 'category', value: 'Moisturizers', weight: 20 }], segments: ['skin-dry'] });
    // No weight key at all: the store's quiz_answer weight applies.
    expect(effects.get(optionKey('skin-type', 'oily'))?.affinities[0]).toStrictEqual({ dimension: 'category', value: 'Cleansers' });
    expect(effects.get(optionKey('concerns', 'spots'))).toEqual({ traits: {}, affinities: [], segments: [] });
    expect(effects.get(optionKey('concerns', 'nope'))).toBeUndefined();
  });

  it('hands out copies, so a profile update cannot change the cached definition', () => {
    const quiz = skincareQuiz();
    const effect = quizOptionEffects(quiz).get(optionKey('skin-type', 'dry'));
    effect?.segments.push('vip');
    if (effect) effect.traits['skinType'] = 'oily';
    expect(firstOption(quiz)).toMatchObject({ traits: { skinType: 'dry' }, segments: ['skin-dry'] });
  });
});
