import { badRequest } from '@signal/platform';

const ID = /^[A-Za-z0-9._:@+-]{1,128}$/;
const UUID = /^[0-9a-f]{8}-[0-9a-f]{4}-[0-9a-f]{4}-[0-9a-f]{4}-[0-9a-f]{12}$/i;

/** An id from the path, as the definitions spell ids. */
export function pathId(value: string, field: string): string {
  if (!ID.test(value)) throw badRequest(`Invalid ${field}`, [{ field, message: '1 to 128 letters, digits or . _ : @ + -' }]);
  return value;
}

export function pathUuid(value: string, field: string): string {
  if (!UUID.test(value)) throw badRequest(`Invalid ${field}`, [{ field, message: 'a UUID' }]);
  return value.toLowerCase();
}

/** The body's id, when given, must be the path's: a PUT cannot rename. */
export function samePathId(body: unknown, key: string, id: string): unknown {
  if (typeof body !== 'object' || body === null || Array.isArray(body)) return body;
  const given = (body as Record<string, unknown>)[key];
  if (given !== undefined && given !== id) throw badRequest(`${key} differs from the path`, [{ field: key, message: `must be ${id}` }]);
  return { ...body, [key]: id };
}
