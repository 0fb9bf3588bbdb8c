import { FormatRegistry, Type, type TSchema } from '@sinclair/typebox';

// ISO-8601 with a time zone: what `new Date().toISOString()` produces, plus offsets.
const ISO_DATE_TIME = /^\d{4}-\d{2}-\d{2}T\d{2}:\d{2}(:\d{2}(\.\d{1,9})?)?(Z|[+-]\d{2}:?\d{2})$/;
if (!FormatRegistry.Has('date-time')) {
  FormatRegistry.Set('date-time', (value) => ISO_DATE_TIME.test(value) && !Number.isNaN(Date.parse(value)));
}

/** Identifiers chosen by stores: printable, no whitespace, bounded. */
export const Id = (description: string, maxLength = 128) =>
  Type.String({ minLength: 1, maxLength, pattern: '^[A-Za-z0-9._:@+\\-]+$', description });

export const StoreId = Type.String({
  minLength: 1,
  maxLength: 64,
  pattern: '^[a-z0-9][a-z0-9-]*$',
  description: 'Store (tenant) id: lower-case letters, digits and dashes.',
});

export const Timestamp = (description: string) => Type.String({ format: 'date-time', maxLength: 40, description });

export const Text = (maxLength: number, description: string) => Type.String({ maxLength, description });

export const Money = (description: string) => Type.Number({ minimum: 0, maximum: 1e9, description });

export const Currency = Type.String({ pattern: '^[A-Z]{3}$', description: 'ISO 4217 code, e.g. EUR.' });

export const Url = (description: string) => Type.String({ maxLength: 2048, description });

export const Nullable = <T extends TSchema>(schema: T) => Type.Union([schema, Type.Null()]);
