import Handlebars from 'handlebars';
import type { EmailContent } from './channel';

/**
 * Message templates are Handlebars: logic-less (a store's template cannot run code), HTML-escaping
 * by default, well kept. Templates compile with `strict` (a missing variable is an error, never a
 * half-filled mail) and `knownHelpersOnly` (a misspelt helper is caught when the template is saved).
 */

/** A template that cannot be compiled or rendered; `line` is 1-based when known. */
export class TemplateError extends Error {
  constructor(
    message: string,
    readonly line?: number,
  ) {
    super(line ? `${message} (line ${line})` : message);
    this.name = 'TemplateError';
  }
}

export interface CompiledTemplate {
  readonly source: string;
  readonly text: boolean;
  readonly run: Handlebars.TemplateDelegate;
}

const hbs = Handlebars.create();

/** `{{money amount currency}}` → "€12.50"; an unknown currency code still prints the amount. */
export function money(amount: unknown, currency: unknown, locale = 'en'): string {
  const n = typeof amount === 'number' ? amount : Number(amount);
  if (!Number.isFinite(n)) throw new TemplateError(`money: ${JSON.stringify(amount)} is not an amount`);
  const code = typeof currency === 'string' ? currency.toUpperCase() : '';
  try {
    return new Intl.NumberFormat(locale, { style: 'currency', currency: code }).format(n);
  } catch {
    return `${n.toFixed(2)} ${code}`.trim();
  }
}

hbs.registerHelper('money', (amount: unknown, currency: unknown, options: Handlebars.HelperOptions) => {
  const locale = typeof options?.hash?.locale === 'string' ? options.hash.locale : 'en';
  return money(amount, currency, locale);
});

const KNOWN_HELPERS = { money: true } as const;
const CACHE_LIMIT = 1_000;
const cache = new Map<string, CompiledTemplate>();

function lineOf(e: unknown): number | undefined {
  const err = e as { lineNumber?: number; message?: string };
  if (typeof err.lineNumber === 'number') return err.lineNumber;
  const m = /line (\d+)/.exec(err.message ?? '') ?? / - (\d+):\d+$/.exec(err.message ?? '');
  return m ? Number(m[1]) : undefined;
}

const firstLine = (message: string): string => message.split('\n')[0].replace(/ - \d+:\d+$/, '').replace(/ on line \d+:?$/, '');

/**
 * Compiles (or returns the cached compilation of) a template. Throws TemplateError naming the
 * line on a syntax error or an unknown helper. `text`: for plain-text parts, nothing is HTML-escaped.
 */
export function compileTemplate(source: string, o: { text?: boolean } = {}): CompiledTemplate {
  if (typeof source !== 'string') throw new TemplateError('A template must be a string');
  const text = o.text ?? false;
  const key = `${text ? 't' : 'h'}:${source}`;
  const hit = cache.get(key);
  if (hit) return hit;
  const options = { strict: true, knownHelpers: KNOWN_HELPERS, knownHelpersOnly: true, noEscape: text };
  try {
    // Handlebars compiles lazily; precompiling surfaces syntax errors now, when the template is saved.
    hbs.precompile(source, options);
  } catch (e) {
    throw new TemplateError(`Template syntax error: ${firstLine((e as Error).message)}`, lineOf(e));
  }
  const compiled: CompiledTemplate = { source, text, run: hbs.compile(source, options) };
  if (cache.size >= CACHE_LIMIT) cache.delete(cache.keys().next().value as string);
  cache.set(key, compiled);
  return compiled;
}

/** Renders with the context; a missing variable throws TemplateError (the sender fails the message as "template_error"). */
export function render(compiled: CompiledTemplate, context: Record<string, unknown>): string {
  try {
    return compiled.run(context);
  } catch (e) {
    if (e instanceof TemplateError) throw e;
    throw new TemplateError(`Template cannot be rendered: ${firstLine((e as Error).message)}`, lineOf(e));
  }
}

/** A product as templates see it, inside `{{#each products}}`. */
export interface ProductContext {
  productId: string;
  title: string;
  brand: string | null;
  /** What the shopper pays now: the sale price when there is one. */
  price: number;
  /** The price before the sale, or null when not on sale. */
  regularPrice: number | null;
  onSale: boolean;
  currency: string;
  imageUrl: string | null;
  url: string;
  inStock: boolean;
}

/** A row of campaign.products. */
export interface ProductRow {
  product_id: string;
  title: string;
  brand: string | null;
  price: number;
  sale_price: number | null;
  currency: string;
  image_url: string | null;
  in_stock: boolean;
}

/** Every field present (null when unknown), so strict templates can test them with `{{#if}}`. */
export function productContext(row: ProductRow, url: string): ProductContext {
  const onSale = row.sale_price !== null && row.sale_price < row.price;
  return {
    productId: row.product_id,
    title: row.title,
    brand: row.brand,
    price: onSale ? (row.sale_price as number) : row.price,
    regularPrice: onSale ? row.price : null,
    onSale,
    currency: row.currency,
    imageUrl: row.image_url,
    url,
    inStock: row.in_stock,
  };
}

const LAYOUT_HTML = `<!doctype html>
<html lang="en"><head><meta charset="utf-8"><meta name="viewport" content="width=device-width, initial-scale=1"><title>{{subject}}</title></head>
<body style="margin:0;padding:0;background:#f4f4f5;font-family:Arial,Helvetica,sans-serif;color:#18181b">
<table role="presentation" width="100%" cellpadding="0" cellspacing="0"><tr><td align="center" style="padding:24px">
<table role="presentation" width="600" cellpadding="0" cellspacing="0" style="max-width:600px;background:#ffffff;border-radius:8px">
<tr><td style="padding:24px;font-size:16px;line-height:1.5">{{{body}}}</td></tr>
{{#if products.length}}<tr><td style="padding:0 24px 24px"><table role="presentation" width="100%" cellpadding="0" cellspacing="0">
{{#each products}}<tr><td width="120" style="padding:8px 0">{{#if imageUrl}}<a href="{{url}}"><img src="{{imageUrl}}" alt="{{title}}" width="112" style="display:block;border:0;border-radius:4px"></a>{{/if}}</td>
<td style="padding:8px 12px"><a href="{{url}}" style="color:#18181b;font-weight:bold;text-decoration:none">{{title}}</a><br>
{{#if onSale}}<span style="color:#b91c1c">{{money price currency}}</span> <s style="color:#71717a">{{money regularPrice currency}}</s>{{else}}{{money price currency}}{{/if}}</td></tr>
{{/each}}</table></td></tr>{{/if}}
<tr><td style="padding:16px 24px;font-size:12px;color:#71717a;border-top:1px solid #e4e4e7">You receive this because you shop with {{storeName}}. <a href="{{unsubscribeUrl}}" style="color:#71717a">Unsubscribe</a></td></tr>
</table></td></tr></table>
{{#if openPixelUrl}}<img src="{{openPixelUrl}}" width="1" height="1" alt="" style="display:block;border:0">{{/if}}
</body></html>
`;

const LAYOUT_TEXT = `{{{body}}}
{{#each products}}
- {{title}}: {{money price currency}}
  {{url}}
{{/each}}

--
You receive this because you shop with {{storeName}}.
Unsubscribe: {{unsubscribeUrl}}
`;

export interface EmailInput {
  /** Templates of the journey step (or campaign): the subject and the body, rendered with `context`. */
  subject: string;
  body: string;
  context: Record<string, unknown>;
  products?: ProductContext[];
  storeName: string;
  unsubscribeUrl: string;
  openPixelUrl?: string;
}

/** Plain text of a rendered HTML fragment, for the text part. */
export function htmlToText(html: string): string {
  return html
    .replace(/<br\s*\/?>/gi, '\n')
    .replace(/<\/(p|div|h[1-6]|li|tr)>/gi, '\n')
    .replace(/<a\s[^>]*href="([^"]*)"[^>]*>(.*?)<\/a>/gi, '$2 ($1)')
    .replace(/<[^>]+>/g, '')
    .replace(/&nbsp;/g, ' ')
    .replace(/&lt;/g, '<')
    .replace(/&gt;/g, '>')
    .replace(/&quot;/g, '"')
    .replace(/&#x27;|&#39;/g, "'")
    .replace(/&#x60;/g, '`')
    .replace(/&#x3D;/g, '=')
    .replace(/&amp;/g, '&')
    .replace(/\n{3,}/g, '\n\n')
    .trim();
}

/**
 * A whole e-mail in the default layout: the step's body, a products block (image, title, price,
 * link) and the unsubscribe link in the footer, as html and text. Throws TemplateError.
 */
export function renderEmail(input: EmailInput): EmailContent {
  const context = { ...input.context, products: input.products ?? [], storeName: input.storeName, unsubscribeUrl: input.unsubscribeUrl };
  const subject = render(compileTemplate(input.subject, { text: true }), context).replace(/\s+/g, ' ').trim();
  const body = render(compileTemplate(input.body), context);
  const layout = { subject, body, products: context.products, storeName: input.storeName, unsubscribeUrl: input.unsubscribeUrl, openPixelUrl: input.openPixelUrl ?? null };
  return {
    subject,
    html: render(compileTemplate(LAYOUT_HTML), layout),
    text: render(compileTemplate(LAYOUT_TEXT, { text: true }), { ...layout, body: htmlToText(body) }),
    unsubscribeUrl: input.unsubscribeUrl,
  };
}
