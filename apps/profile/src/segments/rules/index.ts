export { SegmentRule, EventMatch, LIMITS, OPS, PROFILE_FIELDS, type Field, type Op, type ProfileField } from './schema';
export { checkRule, type RuleCheck, type RuleError } from './check';
export { compileRule, type CompiledRule, type RuleResult } from './compile';
export { evaluationContext, type EvaluationContext } from './context';
export { describeDuration, parseDuration } from './duration';
export { entryMatches } from './leaf-event';
