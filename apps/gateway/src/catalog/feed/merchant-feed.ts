import { ProductInput, Validator, type FieldError } from '@signal/contracts';
import { parse as parseCsv } from 'csv-parse/sync';
import { XMLParser, XMLValidator } from 'fast-xml-parser';

/**
 * Google Merchant Center product feeds (https://support.google.com/merchants/answer/7052112) as
 * ProductInput: tab-separated text with a header row, RSS 2.0 and Atom 1.0 with the `g:` namespace.
 * A feed that cannot be read at all is a FeedError; an item that does not make a valid product is
 * one entry in `errors`, and the rest of the feed still counts.
 */

export const GOOGLE_NS = 'http://base.google.com/ns/1.0';

export type FeedFormat = 'tsv' | 'xml';

export interface FeedItemError {
  /** TSV: the line of the file the row starts on (the header is line 1). XML: the line of the item's start tag. */
  line?: number;
  /** XML: the item's position among the feed's items, from 0. */
  index?: number;
  productId?: string;
  /** `field` names the feed attribute (`price`, `availability`, …), not the catalog field. */
  errors: FieldError[];
}

export interface ParsedFeed {
  format: 'tsv' | 'rss' | 'atom';
  products: ProductInput[];
  /** Items that did not make a product (all of them, counted). */
  rejected: number;
  /** The first `maxErrors` of them. */
  errors: FeedItemError[];
}

export interface FeedOptions {
  /** Most item errors kept (the count in `rejected` is exact). Default 1,000. */
  maxErrors?: number;
}

/** The feed as a whole is unreadable: no header, no id column, not XML, a DOCTYPE, … (HTTP 400). */
export class FeedError extends Error {
  constructor(
    message: string,
    readonly errors: FieldError[] = [],
  ) {
    super(message);
    this.name = 'FeedError';
  }
}

/** Attribute name → its values (trimmed, non-empty), as given by one row or item. */
type Fields = Map<string, string[]>;

const AVAILABILITY: Record<string, boolean> = { in_stock: true, out_of_stock: false, preorder: true, backorder: true, available_for_order: true };
/** Merchant Center attributes kept as product attributes: what shoppers filter and match on, and the identifiers. */
const ATTRIBUTE_KEYS = [
  'color', 'size', 'material', 'gender', 'age_group', 'pattern', 'size_type', 'size_system', 'condition', 'gtin', 'mpn',
  'google_product_category', 'custom_label_0', 'custom_label_1', 'custom_label_2', 'custom_label_3', 'custom_label_4',
];
const CATALOG_TO_FEED: Record<string, string> = {
  productId: 'id', title: 'title', description: 'description', brand: 'brand', categories: 'product_type', price: 'price', salePrice: 'sale_price',
  currency: 'price', imageUrl: 'image_link', inStock: 'availability', variantGroupId: 'item_group_id',
};
const ID_CHARS = 'letters, digits and . _ : @ + - only (no spaces), at most 128 characters';
const product = new Validator(ProductInput);

/** Quoted for a message, bounded: feed values can be anything. */
const show = (v: string, max = 64) => JSON.stringify(v.length > max ? `${v.slice(0, max)}…` : v);

/** Parses a Merchant Center feed; throws FeedError when it cannot be read at all. */
export function parseMerchantFeed(text: string, format: FeedFormat, o: FeedOptions = {}): ParsedFeed {
  if (text.includes('\u0000')) throw new FeedError('The feed is binary, not text', [{ field: '(body)', message: `a NUL byte at character ${text.indexOf('\u0000')}` }]);
  return format === 'xml' ? parseXmlFeed(text, o) : parseTsvFeed(text, o);
}

/** `text/plain` may carry either: a body that opens like XML is taken for XML. */
export function looksLikeXml(text: string): boolean {
  return /^\uFEFF?\s*<(\?xml|rss|feed|!--)/i.test(text.slice(0, 256));
}

class Collector {
  readonly products: ProductInput[] = [];
  readonly errors: FeedItemError[] = [];
  rejected = 0;
  constructor(private readonly maxErrors: number) {}

  add(fields: Fields, where: { line?: number; index?: number }): void {
    const result = toProduct(fields);
    if (result.ok) {
      this.products.push(result.value);
      return;
    }
    this.reject(where, result.errors, fields.get('id')?.[0]);
  }

  reject(where: { line?: number; index?: number }, errors: FieldError[], productId?: string): void {
    this.rejected++;
    if (this.errors.length >= this.maxErrors) return;
    this.errors.push({ ...where, ...(productId !== undefined ? { productId: productId.slice(0, 128) } : {}), errors });
  }
}

// ---------------------------------------------------------------- TSV

/** Header cells as attribute names: `Image Link`, `g:image_link` and `image_link` are one. */
const attributeName = (header: string) =>
  header
    .trim()
    .toLowerCase()
    .replace(/^g:/, '')
    .replace(/[\s-]+/g, '_');

type Row = { record: string[]; info: { lines: number } };

/**
 * Tab-separated text. Values may be double-quoted (spreadsheets quote a value holding a quote or a
 * line break); a quote inside an unquoted value is kept. A quote that never closes (or closes lines
 * later, having swallowed rows) would take the rest of the feed with it, so then the feed is read
 * again with one row per line and quotes taken literally.
 */
export function parseTsvFeed(text: string, o: FeedOptions = {}): ParsedFeed {
  let skipped: { line: number; message: string }[] = [];
  const read = (quoted: boolean): Row[] => {
    skipped = [];
    try {
      return parseCsv(text, {
        delimiter: '\t',
        quote: quoted ? '"' : false,
        relax_quotes: true,
        relax_column_count: true,
        skip_empty_lines: true,
        skip_records_with_error: true,
        bom: true,
        info: true,
        on_skip: (e) => {
          if (e) skipped.push({ line: (e as { lines?: number }).lines ?? 0, message: e.message.replace(/^[^:]*: /, '') });
          return undefined;
        },
      }) as unknown as Row[];
    } catch (e) {
      throw new FeedError('Unreadable tab-separated feed', [{ field: '(body)', message: e instanceof Error ? e.message.slice(0, 256) : 'unreadable' }]);
    }
  };
  let rows = read(true);
  const headerWidth = rows[0]?.record.length ?? 0;
  // Signs of a stray quote: one left open at the end, or a value running over lines and taking tabs
  // (a TSV value has none) or leaving its row the wrong width.
  const swallowed =
    skipped.some((s) => /quote not closed/i.test(s.message)) ||
    rows.some((r) => r.record.some((v) => v.includes('\n') && (v.includes('\t') || r.record.length !== headerWidth)));
  let literal = false;
  if (swallowed) {
    rows = read(false);
    literal = true;
  }
  const collector = new Collector(o.maxErrors ?? 1_000);
  const header = rows.shift();
  if (!header) throw new FeedError('The feed is empty: expected a header row naming the attributes (id, title, price, …)', [{ field: '(header)', message: 'missing' }]);
  const names = header.record.map((h) => attributeName(literal ? unquote(h) : h));
  const missing = ['id', 'title'].filter((n) => !names.includes(n));
  if (missing.length > 0) {
    const hint = names.length === 1 && /[,;]/.test(header.record[0]) ? ' (the header has no tab: send tab-separated values, not comma-separated)' : '';
    throw new FeedError(
      `The header row lacks the ${missing.join(' and ')} column${missing.length > 1 ? 's' : ''}${hint}`,
      missing.map((m) => ({ field: '(header)', message: `no ${m} column` })),
    );
  }
  const lineOf = (r: Row) => r.info.lines - r.record.reduce((n, v) => n + (v.match(/\n/g)?.length ?? 0), 0);
  const rowsAndSkips: Array<{ line: number; row?: Row; message?: string }> = [
    ...rows.map((row) => ({ line: lineOf(row), row })),
    ...skipped.map((s) => ({ line: s.line, message: s.message })),
  ].sort((a, b) => a.line - b.line);

  for (const { line, row, message } of rowsAndSkips) {
    if (!row) {
      collector.reject({ line }, [{ field: '(row)', message: message ?? 'unreadable row' }]);
      continue;
    }
    const cells = literal ? row.record.map(unquote) : row.record;
    if (cells.every((c) => c.trim() === '')) continue;
    if (cells.length > names.length && cells.slice(names.length).some((c) => c.trim() !== '')) {
      collector.reject({ line }, [{ field: '(row)', message: `${cells.length} values for ${names.length} columns (a tab inside a value?)` }], cells[names.indexOf('id')]?.trim());
      continue;
    }
    const fields: Fields = new Map();
    names.forEach((name, i) => {
      const value = cells[i]?.trim();
      if (!name || !value) return;
      const list = fields.get(name);
      if (list) list.push(value);
      else fields.set(name, [value]);
    });
    collector.add(fields, { line });
  }
  return { format: 'tsv', products: collector.products, rejected: collector.rejected, errors: collector.errors };
}

/** A value wrapped in double quotes, with doubled quotes inside, as spreadsheets write it. */
function unquote(v: string): string {
  return v.length >= 2 && v.startsWith('"') && v.endsWith('"') ? v.slice(1, -1).replace(/""/g, '"') : v;
}

// ---------------------------------------------------------------- XML

const TEXT = '#text';
const CDATA = '#cdata';
const ATTR = '@_';
const MAX_DEPTH = 32;

const xml = new XMLParser({
  ignoreAttributes: false,
  attributeNamePrefix: ATTR,
  textNodeName: TEXT,
  cdataPropName: CDATA,
  // Values stay text: an id "007" is not the number 7.
  parseTagValue: false,
  parseAttributeValue: false,
  // No entity expansion of any kind (DOCTYPEs are refused before this runs); the five predefined
  // entities and character references are decoded below, once, without recursion.
  processEntities: false,
  htmlEntities: false,
  ignoreDeclaration: true,
  ignorePiTags: true,
  maxNestedTags: MAX_DEPTH,
  captureMetaData: true,
  isArray: (name) => name === 'item' || name === 'entry' || name.endsWith(':item') || name.endsWith(':entry'),
});
const META = XMLParser.getMetaDataSymbol();

const PREDEFINED: Record<string, string> = { amp: '&', lt: '<', gt: '>', quot: '"', apos: "'" };
/** The predefined entities and character references; anything else is left as written. */
export function decodeEntities(s: string): string {
  if (!s.includes('&')) return s;
  return s.replace(/&(?:#(\d{1,7})|#x([0-9a-fA-F]{1,6})|(amp|lt|gt|quot|apos));/g, (m, dec: string | undefined, hex: string | undefined, name: string | undefined) => {
    if (name) return PREDEFINED[name];
    const cp = dec !== undefined ? Number(dec) : parseInt(hex as string, 16);
    return cp > 0 && cp <= 0x10ffff && !(cp >= 0xd800 && cp <= 0xdfff) ? String.fromCodePoint(cp) : m;
  });
}

/** A DOCTYPE in the prolog (before the root element): refused, never read. */
function hasDoctype(text: string): boolean {
  let i = 0;
  const n = Math.min(text.length, 1 << 20);
  while (i < n) {
    const c = text.charCodeAt(i);
    if (c === 0xfeff || c === 0x20 || c === 0x09 || c === 0x0a || c === 0x0d) {
      i++;
      continue;
    }
    if (text.startsWith('<?', i)) {
      const end = text.indexOf('?>', i + 2);
      if (end < 0) return false;
      i = end + 2;
    } else if (text.startsWith('<!--', i)) {
      const end = text.indexOf('-->', i + 4);
      if (end < 0) return false;
      i = end + 3;
    } else {
      return text.slice(i, i + 9).toUpperCase() === '<!DOCTYPE';
    }
  }
  return false;
}

type XmlNode = Record<string, unknown>;
const isNode = (v: unknown): v is XmlNode => typeof v === 'object' && v !== null && !Array.isArray(v);

/** The text of an element: its text (entities decoded) and CDATA; undefined for an element with children only. */
function textOf(v: unknown): string | undefined {
  if (typeof v === 'string') return decodeEntities(v);
  if (!isNode(v)) return undefined;
  const parts = [v[TEXT], v[CDATA]].flat().filter((p): p is string => typeof p === 'string');
  if (parts.length === 0) return undefined;
  return parts.map((p, i) => (i === 0 && typeof v[TEXT] === 'string' ? decodeEntities(p) : p)).join('');
}

/**
 * RSS 2.0 (`<rss><channel><item>`) or Atom 1.0 (`<feed><entry>`). Google attributes are the elements
 * in the `http://base.google.com/ns/1.0` namespace (whatever its prefix, `g:` taken as it even when
 * undeclared); the plain RSS/Atom `title`, `link` and `description`/`summary` stand in when absent.
 */
export function parseXmlFeed(text: string, o: FeedOptions = {}): ParsedFeed {
  if (hasDoctype(text)) {
    throw new FeedError('DOCTYPE declarations are not accepted in a feed', [{ field: '(body)', message: 'remove the <!DOCTYPE …> (no DTDs or entity definitions)' }]);
  }
  const valid = XMLValidator.validate(text);
  if (valid !== true) {
    const { msg, line, col } = valid.err;
    throw new FeedError('Malformed XML feed', [{ field: '(body)', message: `line ${line}, column ${col}: ${msg.slice(0, 200)}` }]);
  }
  let doc: XmlNode;
  try {
    doc = xml.parse(text) as XmlNode;
  } catch (e) {
    throw new FeedError('Unreadable XML feed', [{ field: '(body)', message: e instanceof Error ? e.message.slice(0, 200) : 'unreadable' }]);
  }
  const rootName = Object.keys(doc).find((k) => !k.startsWith('?') && !k.startsWith('#'));
  const root = rootName ? doc[rootName] : undefined;
  const local = rootName?.replace(/^.*:/, '');
  if (!isNode(root) || (local !== 'rss' && local !== 'feed')) {
    throw new FeedError('Not a Merchant Center feed: expected RSS 2.0 (<rss><channel><item>) or Atom 1.0 (<feed><entry>)', [
      { field: '(body)', message: `root element ${show(rootName ?? '(none)')}` },
    ]);
  }
  const format = local === 'rss' ? 'rss' : 'atom';
  const container = format === 'rss' ? childNamed(root, 'channel') : root;
  if (format === 'rss' && !isNode(container)) throw new FeedError('An RSS feed needs a <channel>', [{ field: '(body)', message: 'no channel element' }]);
  const prefixes = googlePrefixes([root, container]);
  const itemName = format === 'rss' ? 'item' : 'entry';
  const items = isNode(container) ? (childNamed(container, itemName) ?? []) : [];
  const lines = lineStarts(text);
  const collector = new Collector(o.maxErrors ?? 1_000);
  (Array.isArray(items) ? items : [items]).forEach((item: unknown, index) => {
    const start = isNode(item) ? (item[META as unknown as string] as { startIndex?: number } | undefined)?.startIndex : undefined;
    const where = { index, ...(start !== undefined ? { line: lineAt(lines, start) } : {}) };
    if (!isNode(item)) {
      collector.reject(where, [{ field: `(${itemName})`, message: 'an empty item' }]);
      return;
    }
    collector.add(itemFields(item, prefixes, format), where);
  });
  return { format, products: collector.products, rejected: collector.rejected, errors: collector.errors };
}

/** A child by local name, with or without a prefix (an RSS or Atom element may carry one). */
function childNamed(node: XmlNode, name: string): unknown {
  if (name in node) return node[name];
  const key = Object.keys(node).find((k) => k.endsWith(`:${name}`) && !k.startsWith(ATTR));
  return key ? node[key] : undefined;
}

/** The prefixes bound to Google's namespace on the root or channel; '' when it is the default namespace. */
function googlePrefixes(nodes: unknown[]): Set<string> {
  const out = new Set<string>(['g']);
  for (const node of nodes) {
    if (!isNode(node)) continue;
    for (const [k, v] of Object.entries(node)) {
      if (v !== GOOGLE_NS) continue;
      if (k === `${ATTR}xmlns`) out.add('');
      else if (k.startsWith(`${ATTR}xmlns:`)) out.add(k.slice(`${ATTR}xmlns:`.length));
    }
  }
  return out;
}

function itemFields(item: XmlNode, prefixes: Set<string>, format: 'rss' | 'atom'): Fields {
  const google: Fields = new Map();
  const plain: Fields = new Map();
  for (const [key, raw] of Object.entries(item)) {
    if (key.startsWith(ATTR) || key === TEXT || key === CDATA) continue;
    const colon = key.indexOf(':');
    const prefix = colon < 0 ? '' : key.slice(0, colon);
    const name = colon < 0 ? key : key.slice(colon + 1);
    const target = prefixes.has(prefix) ? google : colon < 0 ? plain : undefined;
    if (!target) continue;
    const values = (Array.isArray(raw) ? raw : [raw])
      .map((v) => (format === 'atom' && name === 'link' && target === plain ? atomHref(v) : textOf(v)))
      .map((v) => v?.trim())
      .filter((v): v is string => !!v);
    if (values.length > 0) target.set(name, [...(target.get(name) ?? []), ...values]);
  }
  // RSS/Atom's own elements fill what the Google attributes leave out.
  const fallback: Record<string, string[]> = { title: ['title'], link: ['link'], description: format === 'rss' ? ['description'] : ['summary', 'content'] };
  for (const [attribute, names] of Object.entries(fallback)) {
    if (google.has(attribute)) continue;
    const found = names.map((n) => plain.get(n)).find((v) => v !== undefined);
    if (found) google.set(attribute, found);
  }
  return google;
}

/** Atom's `<link rel="alternate" href="…"/>`. */
function atomHref(v: unknown): string | undefined {
  if (!isNode(v)) return textOf(v);
  const rel = v[`${ATTR}rel`];
  if (rel !== undefined && rel !== 'alternate') return undefined;
  const href = v[`${ATTR}href`];
  return typeof href === 'string' ? decodeEntities(href) : textOf(v);
}

function lineStarts(text: string): number[] {
  const out = [0];
  for (let i = text.indexOf('\n'); i >= 0; i = text.indexOf('\n', i + 1)) out.push(i + 1);
  return out;
}

function lineAt(starts: number[], offset: number): number {
  let lo = 0;
  let hi = starts.length - 1;
  while (lo < hi) {
    const mid = (lo + hi + 1) >> 1;
    if (starts[mid] <= offset) lo = mid;
    else hi = mid - 1;
  }
  return lo + 1;
}

// ---------------------------------------------------------------- mapping

/** "15.00 USD", "USD 15.00", "1,299.99 EUR", "15,5 EUR". */
export function parsePrice(value: string): { amount: number; currency: string } | { error: string } {
  const m = /^\s*(?:([A-Za-z]{3})\s*)?(\d[\d.,\s]*?)\s*(?:([A-Za-z]{3}))?\s*$/.exec(value);
  const currency = (m?.[1] ?? m?.[3])?.toUpperCase();
  if (!m || (m[1] && m[3])) return { error: `${show(value)} is not a price: expected a number and an ISO 4217 currency, e.g. "15.00 USD"` };
  if (!currency) return { error: `${show(value)} has no currency: expected e.g. "15.00 USD"` };
  const amount = toNumber(m[2].replace(/\s/g, ''));
  if (amount === undefined) return { error: `${show(value)} is not a price: expected a number and an ISO 4217 currency, e.g. "15.00 USD"` };
  return { amount, currency };
}

/** The last of "." and "," is the decimal mark when digits 1, 2 (or more than 3) follow; before it, either is grouping. */
function toNumber(s: string): number | undefined {
  const last = Math.max(s.lastIndexOf('.'), s.lastIndexOf(','));
  let normalized = s;
  if (last >= 0) {
    const decimals = s.length - last - 1;
    const mark = s[last];
    const grouping = s.slice(0, last);
    const onlyGroupingBefore = mark === ',' && !grouping.includes('.') && decimals === 3;
    normalized = onlyGroupingBefore ? s.replace(/,/g, '') : `${grouping.replace(/[.,]/g, '')}.${s.slice(last + 1)}`;
    if (decimals === 0) return undefined;
  }
  if (!/^\d+(\.\d+)?$/.test(normalized)) return undefined;
  const n = Number(normalized);
  return Number.isFinite(n) ? Math.round(n * 1e6) / 1e6 : undefined;
}

const first = (f: Fields, name: string) => f.get(name)?.[0];

function toProduct(f: Fields): { ok: true; value: ProductInput } | { ok: false; errors: FieldError[] } {
  const errors: FieldError[] = [];
  const candidate: Record<string, unknown> = { productId: first(f, 'id') ?? '', title: first(f, 'title') ?? '' };
  if (!first(f, 'id')) errors.push({ field: 'id', message: 'required' });
  if (!first(f, 'title')) errors.push({ field: 'title', message: 'required' });

  const price = first(f, 'price');
  if (!price) errors.push({ field: 'price', message: 'required, e.g. "15.00 USD"' });
  else {
    const p = parsePrice(price);
    if ('error' in p) errors.push({ field: 'price', message: p.error });
    else Object.assign(candidate, { price: p.amount, currency: p.currency });
  }
  const sale = first(f, 'sale_price');
  if (sale) {
    const p = parsePrice(sale);
    if ('error' in p) errors.push({ field: 'sale_price', message: p.error });
    else if (candidate.currency !== undefined && p.currency !== candidate.currency) errors.push({ field: 'sale_price', message: `in ${p.currency}, the price in ${String(candidate.currency)}` });
    else candidate.salePrice = p.amount;
  }

  const availability = first(f, 'availability');
  const attributes: Record<string, string> = {};
  if (!availability) errors.push({ field: 'availability', message: 'required: in_stock, out_of_stock, preorder or backorder' });
  else {
    const key = availability.toLowerCase().replace(/[\s-]+/g, '_');
    const inStock = Object.prototype.hasOwnProperty.call(AVAILABILITY, key) ? AVAILABILITY[key] : undefined;
    if (inStock === undefined) errors.push({ field: 'availability', message: `${show(availability)}: expected in_stock, out_of_stock, preorder or backorder` });
    else {
      candidate.inStock = inStock;
      // Orderable but not on the shelf: kept, so nothing of the feed's meaning is lost.
      if (key !== 'in_stock' && key !== 'out_of_stock') attributes.availability = key;
    }
  }

  const productTypes = [...new Set(f.get('product_type') ?? [])];
  const googleCategory = first(f, 'google_product_category');
  candidate.categories = productTypes.length > 0 ? productTypes : googleCategory && !/^\d+$/.test(googleCategory) ? [googleCategory] : [];
  const optional: Array<[string, string]> = [['description', 'description'], ['brand', 'brand'], ['imageUrl', 'image_link'], ['variantGroupId', 'item_group_id']];
  for (const [to, from] of optional) {
    const v = first(f, from);
    if (v !== undefined) candidate[to] = v;
  }
  for (const key of ATTRIBUTE_KEYS) {
    const v = first(f, key);
    if (v !== undefined) attributes[key] = v;
  }
  if (Object.keys(attributes).length > 0) candidate.attributes = attributes;

  const checked = product.validate(candidate);
  if (!checked.ok) {
    for (const e of checked.errors) {
      const field = feedField(e.field);
      if (errors.some((x) => x.field === field)) continue;
      const message = (field === 'id' || field === 'item_group_id') && /match/.test(e.message) ? ID_CHARS : e.message;
      errors.push({ field, message });
    }
  }
  if (errors.length > 0 || !checked.ok) return { ok: false, errors };
  return { ok: true, value: checked.value };
}

/** A catalog field (`salePrice`, `attributes.color`, `categories.0`) as the feed attribute it came from. */
function feedField(field: string): string {
  const [head, ...rest] = field.split('.');
  if (head === 'attributes' && rest.length > 0) return rest.join('.');
  return CATALOG_TO_FEED[head] ?? field;
}
