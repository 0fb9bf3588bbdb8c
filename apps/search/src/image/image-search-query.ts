import { Type } from '@sinclair/typebox';
import { Value } from '@sinclair/typebox/value';
import { Id, StoreId, Validator, type FieldError } from '@signal/contracts';
import { IMAGE_SEARCH_MAX_LIMIT } from './image-search.service';

const Limit = Type.Integer({ minimum: 1, maximum: IMAGE_SEARCH_MAX_LIMIT, default: 10, description: 'How many products to answer.' });

const ByImageQuery = Type.Object({ storeId: StoreId, limit: Limit }, { additionalProperties: false });
const SimilarLookingQuery = Type.Object({ storeId: StoreId, productId: Id('Product id as in the catalog.'), limit: Limit }, { additionalProperties: false });

const byImage = new Validator(ByImageQuery);
const similarLooking = new Validator(SimilarLookingQuery);

type Parsed<T> = { ok: true; value: T } | { ok: false; errors: FieldError[] };

/** Query strings as Express hands them over: defaults applied, numeric strings converted, the rest checked. */
function parse<T>(validator: { validate(v: unknown): Parsed<T> }, schema: Parameters<typeof Value.Default>[0], raw: Record<string, unknown>): Parsed<T> {
  const repeated = Object.entries(raw).find(([, v]) => Array.isArray(v));
  if (repeated) return { ok: false, errors: [{ field: repeated[0], message: 'Given more than once' }] };
  const value = Value.Convert(schema, Value.Default(schema, { ...raw }));
  return validator.validate(value);
}

export const parseByImageQuery = (raw: Record<string, unknown>) => parse(byImage, ByImageQuery, raw);
export const parseSimilarLookingQuery = (raw: Record<string, unknown>) => parse(similarLooking, SimilarLookingQuery, raw);
