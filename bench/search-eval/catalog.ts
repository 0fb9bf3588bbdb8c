/**
 * The evaluation's catalog and sales, from UCI Online Retail read in place (never copied):
 * recs-eval's loader and cleaning (data.ts: cancellations, non-positive lines and non-product
 * stock codes dropped) plus its second pass for descriptions, prices and line quantities
 * (replay.ts `loadLineDetails`). One product per StockCode, titled with its most frequent
 * description.
 */
import type { Product } from '@signal/contracts';
import { loadInvoices } from '../recs-eval/data';
import { loadLineDetails, median, mostFrequent, type LineDetails } from '../recs-eval/replay';
import type { Invoice } from '../recs-eval/types';
import { normalizeQuery } from './normalize';

/**
 * Product-like stock codes that are fees or services, not goods (found by reading every title of
 * the cleaned catalog): carriage, a packing charge, a gift voucher, an image licence.
 */
export const NON_PRODUCT_TITLE = /^(next day carriage|packing charge|high resolution image)$|gift voucher|postage|manual/i;

export interface EvalProduct {
  productId: string;
  /** The most frequent description, whitespace collapsed (as the catalog publishes it). */
  title: string;
  /** normalizeQuery(title): the "product query" and the key of near-duplicates. */
  query: string;
  /** Median unit price of its lines. */
  price: number;
  /** Time of its first sale (data time, epoch ms). */
  firstAt: number;
  /** Invoices containing it: how often it sells. */
  orders: number;
}

/** One product on one invoice. */
export interface Sale {
  at: number;
  invoiceNo: string;
  productId: string;
  quantity: number;
  /** Unit price paid (value / quantity). */
  price: number;
}

export interface EvalData {
  products: EvalProduct[];
  /** Every sale of a catalog product, in time order. */
  sales: Sale[];
  /** Product codes left out: titles of fees and services. */
  skipped: { productId: string; title: string }[];
  minAt: number;
  maxAt: number;
  stats: Record<string, number>;
}

/**
 * Products from what the loaders collected: one per product code that sold, title = its most
 * frequent description (ties: alphabetically first), whitespace collapsed. Codes without any
 * description, with an empty one or with a fee/service title (NON_PRODUCT_TITLE) are skipped.
 * Sorted by product id.
 */
export function buildProducts(invoices: readonly Invoice[], d: Pick<LineDetails, 'descriptions' | 'prices'>): { products: EvalProduct[]; skipped: { productId: string; title: string }[] } {
  const firstAt = new Map<string, number>();
  const orders = new Map<string, number>();
  for (const inv of invoices) {
    for (const item of inv.items) {
      if (!firstAt.has(item)) firstAt.set(item, inv.at);
      orders.set(item, (orders.get(item) ?? 0) + 1);
    }
  }
  const products: EvalProduct[] = [];
  const skipped: { productId: string; title: string }[] = [];
  for (const productId of [...firstAt.keys()].sort()) {
    const title = (mostFrequent(d.descriptions.get(productId)) ?? '').replace(/\s+/g, ' ').trim().slice(0, 512);
    const query = normalizeQuery(title);
    if (query === '' || NON_PRODUCT_TITLE.test(title)) {
      skipped.push({ productId, title });
      continue;
    }
    const price = median(d.prices.get(productId) ?? []);
    if (!Number.isFinite(price)) throw new Error(`no price for item ${productId}`);
    products.push({ productId, title, query, price: Math.round(price * 100) / 100, firstAt: firstAt.get(productId) as number, orders: orders.get(productId) ?? 0 });
  }
  return { products, skipped };
}

/** Every sale of a catalog product, in invoice (time) order; quantity and unit price from the invoice's lines. */
export function buildSales(invoices: readonly Invoice[], lines: LineDetails['lines'], catalog: ReadonlySet<string>): Sale[] {
  const sales: Sale[] = [];
  for (const inv of invoices) {
    const l = lines.get(inv.invoiceNo);
    for (const productId of inv.items) {
      if (!catalog.has(productId)) continue;
      const line = l?.get(productId);
      const quantity = Math.max(1, Math.min(10_000, Math.round(line?.quantity ?? 1)));
      const price = line && line.quantity > 0 ? Math.round((line.value / line.quantity) * 100) / 100 : 0;
      sales.push({ at: inv.at, invoiceNo: inv.invoiceNo, productId, quantity, price });
    }
  }
  return sales;
}

export async function loadEvalData(path: string): Promise<EvalData> {
  const { invoices, stats } = await loadInvoices(path);
  const details = await loadLineDetails(path);
  const { products, skipped } = buildProducts(invoices, details);
  const sales = buildSales(invoices, details.lines, new Set(products.map((p) => p.productId)));
  return {
    products,
    sales,
    skipped,
    minAt: invoices[0].at,
    maxAt: invoices[invoices.length - 1].at,
    stats: { ...stats, invoices: invoices.length, products: products.length, skipped: skipped.length, sales: sales.length },
  };
}

/** The product as the catalog topic carries it (`catalog.products.v1` value). */
export function toProduct(p: EvalProduct, storeId: string, createdAt: string, updatedAt: string): Product {
  return { storeId, productId: p.productId, title: p.title, categories: [], price: p.price, currency: 'GBP', inStock: true, createdAt, updatedAt };
}

/** productId → the ids of every product with the same normalized title (itself included): near-duplicates count as the intended product. */
export function equivalents(products: readonly EvalProduct[]): Map<string, ReadonlySet<string>> {
  const byQuery = new Map<string, Set<string>>();
  for (const p of products) {
    let s = byQuery.get(p.query);
    if (!s) byQuery.set(p.query, (s = new Set()));
    s.add(p.productId);
  }
  return new Map(products.map((p) => [p.productId, byQuery.get(p.query) as Set<string>]));
}
