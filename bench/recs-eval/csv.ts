/**
 * A small RFC-4180 reader. No CSV package is installed in the repo and the bench must not add
 * dependencies; descriptions contain commas and doubled quotes (`"RECORD FRAME 7"" SINGLE"`), so a
 * naive split(',') would shift columns.
 */

/** Splits one complete record (quotes balanced) into fields, unescaping `""` inside quotes. */
export function parseCsvRecord(record: string): string[] {
  const fields: string[] = [];
  let field = '';
  let inQuotes = false;
  for (let i = 0; i < record.length; i++) {
    const ch = record[i];
    if (inQuotes) {
      if (ch === '"') {
        if (record[i + 1] === '"') {
          field += '"';
          i++;
        } else {
          inQuotes = false;
        }
      } else {
        field += ch;
      }
    } else if (ch === '"') {
      inQuotes = true;
    } else if (ch === ',') {
      fields.push(field);
      field = '';
    } else {
      field += ch;
    }
  }
  fields.push(field);
  return fields;
}

/**
 * Joins physical lines into records: a quoted field may in principle contain a newline, and then
 * the record is incomplete while its count of `"` is odd (escaped `""` pairs keep parity even).
 */
export class CsvRecordJoiner {
  private pending = '';
  private quotes = 0;

  /** Returns the complete record, or null while a quoted field is still open. */
  push(line: string): string | null {
    this.pending = this.pending === '' && this.quotes === 0 ? line : `${this.pending}\n${line}`;
    for (let i = 0; i < line.length; i++) if (line.charCodeAt(i) === 34) this.quotes++;
    if (this.quotes % 2 === 1) return null;
    const record = this.pending;
    this.pending = '';
    this.quotes = 0;
    return record;
  }

  /** True when the input ended inside a quoted field (a malformed file). */
  get open(): boolean {
    return this.quotes % 2 === 1;
  }
}
