import { BadRequestException } from '@nestjs/common';
import { StoreId, Validator, type FieldError } from '@signal/contracts';

const storeIdShape = new Validator(StoreId);

/** The 400 every service answers: a message and the fields at fault. */
export const badRequest = (message: string, errors: FieldError[]) => new BadRequestException({ statusCode: 400, error: 'Bad Request', message, errors });

export function validStoreId(value: unknown): string {
  const checked = storeIdShape.validate(value, 'storeId');
  if (!checked.ok) throw badRequest('Invalid storeId', checked.errors);
  return checked.value;
}
