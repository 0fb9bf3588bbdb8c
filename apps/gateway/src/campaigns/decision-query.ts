import { BadRequestException } from '@nestjs/common';
import { DecisionQuery, Validator, readUrlQuery, type FieldError } from '@signal/contracts';

const FIELDS = new Set(['placement', 'anonymousId', 'customerId', 'productId', 'page']);
const shape = new Validator(DecisionQuery);

const refuse = (errors: FieldError[]) => new BadRequestException({ statusCode: 400, error: 'Bad Request', message: 'Invalid decision query', errors });

/** The query of GET /v1/decisions, checked here so a bad one gets its 400 naming the field, without a call. */
export function checkedDecisionQuery(raw: Record<string, unknown>): DecisionQuery {
  const read = readUrlQuery(raw, { fields: FIELDS });
  if (!read.ok) throw refuse(read.errors);
  const checked = shape.validate(read.value);
  if (!checked.ok) throw refuse(checked.errors);
  // Caps, holdout and variant choice are per shopper: a decision needs to know who asks.
  if (checked.value.anonymousId === undefined && checked.value.customerId === undefined) throw refuse([{ field: 'anonymousId', message: 'anonymousId or customerId is required' }]);
  return checked.value;
}
