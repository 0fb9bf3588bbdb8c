import { BadRequestException, NotFoundException } from '@nestjs/common';
import { Id, StoreId, Validator, type FieldError } from '@signal/contracts';
import type { TSchema } from '@sinclair/typebox';

const storeIdShape = new Validator(StoreId);
const idShape = new Validator(Id('An id.'));

export const badRequest = (message: string, errors: FieldError[]) => new BadRequestException({ statusCode: 400, error: 'Bad Request', message, errors });
export const notFound = (what: string) => new NotFoundException({ statusCode: 404, error: 'Not Found', message: `No such ${what}` });

/** The value, checked against a schema; a 400 naming the field otherwise. */
export function valid<T extends TSchema>(shape: Validator<T>, value: unknown, field: string): T['static'] {
  const checked = shape.validate(value, field);
  if (!checked.ok) throw badRequest(`Invalid ${field}`, checked.errors);
  return checked.value;
}

export const validStoreId = (value: unknown): string => valid(storeIdShape, value, 'storeId') as string;
export const validId = (value: unknown, field: string): string => valid(idShape, value, field) as string;
