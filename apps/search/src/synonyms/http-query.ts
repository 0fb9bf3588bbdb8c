import type { Static, TObject } from '@sinclair/typebox';
import { Validator, readUrlQuery } from '@signal/contracts';
import { badRequest } from '@signal/platform';

/**
 * A URL query checked against a schema: unknown or repeated parameters and bad values are a 400
 * naming the field. `numbers` are converted when they look like numbers.
 */
export class UrlQuery<T extends TObject> {
  private readonly validator: Validator<T>;
  private readonly fields: ReadonlySet<string>;

  constructor(
    schema: T,
    private readonly numbers: readonly string[] = [],
  ) {
    this.validator = new Validator(schema);
    this.fields = new Set(Object.keys(schema.properties));
  }

  parse(raw: Record<string, unknown>, defaults: Partial<Static<T>> = {}): Static<T> {
    const read = readUrlQuery(raw ?? {}, { fields: this.fields, numbers: this.numbers });
    if (!read.ok) throw badRequest('Invalid query parameters', read.errors);
    const checked = this.validator.validate({ ...defaults, ...read.value });
    if (!checked.ok) throw badRequest('Invalid query parameters', checked.errors);
    return checked.value;
  }
}
