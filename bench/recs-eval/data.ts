/**
 * Loading and cleaning the UCI Online Retail transactions into invoices. The file is streamed
 * (gunzip + line reader) so the 48 MB CSV is never held as one string.
 */
import { createReadStream } from 'node:fs';
import { createInterface } from 'node:readline';
import { createGunzip } from 'node:zlib';
import { CsvRecordJoiner, parseCsvRecord } from './csv';
import type { Invoice } from './types';

/**
 * Product codes are 5 digits plus an optional letter suffix (variants: 85123A). Everything else is
 * postage, fees, manual adjustments, samples or gift vouchers (POST, DOT, M, D, S, C2, CRUK,
 * BANK CHARGES, AMAZONFEE, PADS, B, gift_0001_*, DCGS*): recommending those is meaningless.
 * A whitelist pattern is used rather than a blocklist so new fee codes cannot leak in.
 */
const PRODUCT_CODE = /^\d{5}[A-Z]{0,2}$/;

export function normalizeStockCode(raw: string): string | null {
  // The same variant appears as both 85123A and 85123a; they are one product.
  const code = raw.trim().toUpperCase();
  return PRODUCT_CODE.test(code) ? code : null;
}

const ISO = /^(\d{4})-(\d{2})-(\d{2})[ T](\d{1,2}):(\d{2})(?::(\d{2}))?$/;
const US = /^(\d{1,2})\/(\d{1,2})\/(\d{4}) (\d{1,2}):(\d{2})(?::(\d{2}))?$/;

/**
 * Invoice times are UK wall-clock times without a zone. They are read as UTC so parsing does not
 * depend on the machine's TZ (and BST shifts do not move invoices across the split). Both the
 * Spark-guide ISO form (`2010-12-01 08:26:00`) and the UCI export form (`12/1/2010 8:26`) are accepted.
 */
export function parseInvoiceDate(raw: string): number | null {
  const s = raw.trim();
  let m = ISO.exec(s);
  if (m) return Date.UTC(+m[1], +m[2] - 1, +m[3], +m[4], +m[5], m[6] ? +m[6] : 0);
  m = US.exec(s);
  if (m) return Date.UTC(+m[3], +m[1] - 1, +m[2], +m[4], +m[5], m[6] ? +m[6] : 0);
  return null;
}

/** CustomerID is written by pandas as a float (`17850.0`); empty when unknown. */
export function parseCustomerId(raw: string): number | null {
  const s = raw.trim();
  if (s === '') return null;
  const n = Math.trunc(Number(s));
  return Number.isFinite(n) && n > 0 ? n : null;
}

export interface LoadStats {
  linesRead: number;
  rowsKept: number;
  droppedCancellation: number;
  droppedNonPositive: number;
  droppedNonProduct: number;
  droppedMalformed: number;
  /** Kept rows without a CustomerID: they stay in basket tasks and training, not customer tasks. */
  rowsWithoutCustomer: number;
}

export interface LoadResult {
  invoices: Invoice[];
  stats: LoadStats;
}

const COLUMNS = ['InvoiceNo', 'StockCode', 'Description', 'Quantity', 'InvoiceDate', 'UnitPrice', 'CustomerID', 'Country'];

interface Draft {
  invoiceNo: string;
  customerId: number | null;
  at: number;
  country: string;
  items: Set<string>;
}

export async function loadInvoices(path: string): Promise<LoadResult> {
  const stats: LoadStats = {
    linesRead: 0,
    rowsKept: 0,
    droppedCancellation: 0,
    droppedNonPositive: 0,
    droppedNonProduct: 0,
    droppedMalformed: 0,
    rowsWithoutCustomer: 0,
  };
  const drafts = new Map<string, Draft>();
  const joiner = new CsvRecordJoiner();
  const lines = createInterface({ input: createReadStream(path).pipe(createGunzip()), crlfDelay: Infinity });
  let col: Record<string, number> | null = null;

  for await (const line of lines) {
    stats.linesRead++;
    const record = joiner.push(line);
    if (record === null) continue;
    const f = parseCsvRecord(record);
    if (col === null) {
      // Locate columns by header name so a reordered export still loads correctly.
      const header: Record<string, number> = {};
      f.forEach((name, i) => (header[name.trim()] = i));
      const missing = COLUMNS.filter((c) => header[c] === undefined);
      if (missing.length) throw new Error(`${path}: missing columns ${missing.join(', ')}`);
      col = header;
      continue;
    }
    if (f.length < COLUMNS.length) {
      stats.droppedMalformed++;
      continue;
    }
    const invoiceNo = f[col.InvoiceNo].trim();
    if (invoiceNo.toUpperCase().startsWith('C')) {
      stats.droppedCancellation++;
      continue;
    }
    const quantity = Number(f[col.Quantity]);
    const price = Number(f[col.UnitPrice]);
    if (!(quantity > 0) || !(price > 0)) {
      // Also catches NaN. Zero-price lines are free samples or stock write-offs, not purchases.
      stats.droppedNonPositive++;
      continue;
    }
    const code = normalizeStockCode(f[col.StockCode]);
    if (code === null) {
      stats.droppedNonProduct++;
      continue;
    }
    const at = parseInvoiceDate(f[col.InvoiceDate]);
    if (invoiceNo === '' || at === null) {
      stats.droppedMalformed++;
      continue;
    }
    const customerId = parseCustomerId(f[col.CustomerID]);
    if (customerId === null) stats.rowsWithoutCustomer++;
    stats.rowsKept++;
    let d = drafts.get(invoiceNo);
    if (!d) {
      d = { invoiceNo, customerId, at, country: f[col.Country].trim(), items: new Set() };
      drafts.set(invoiceNo, d);
    }
    d.items.add(code);
  }
  if (joiner.open) stats.droppedMalformed++;

  // Sorted by time then number so every later step (split, tasks, seeded choices) is deterministic.
  const invoices: Invoice[] = [...drafts.values()]
    .map((d) => ({ invoiceNo: d.invoiceNo, customerId: d.customerId, at: d.at, country: d.country, items: [...d.items] }))
    .sort((a, b) => a.at - b.at || (a.invoiceNo < b.invoiceNo ? -1 : a.invoiceNo > b.invoiceNo ? 1 : 0));
  return { invoices, stats };
}
