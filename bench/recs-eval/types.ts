/**
 * Shared shapes of the offline recommender evaluation. The `Recommender` interface is the seam
 * where the real recommendation service will be plugged in later: the harness only ever talks to
 * it, so the baselines and the service are measured on exactly the same cases.
 */

/** One cleaned invoice (a basket): unique product codes, in the order they first appear. */
export interface Invoice {
  readonly invoiceNo: string;
  /** null for invoices without a CustomerID: usable for basket tasks and training, not customer tasks. */
  readonly customerId: number | null;
  /** Epoch ms; the data's wall-clock times are read as if they were UTC (see data.ts). */
  readonly at: number;
  readonly country: string;
  readonly items: readonly string[];
}

/** One past purchase of an item by a shopper. */
export interface HistoryEntry {
  readonly item: string;
  readonly at: number;
}

export interface RecommendInput {
  /** Context items: the basket so far, or the shopper's distinct past items. */
  readonly items: readonly string[];
  /** The shopper's purchases with times, oldest first (customer tasks only). */
  readonly history?: readonly HistoryEntry[];
  readonly customerId?: number;
}

export interface Recommender {
  readonly name: string;
  /** At most `k` item codes, best first, none of them in `exclude`. */
  recommend(input: RecommendInput, k: number, exclude: ReadonlySet<string>): string[];
}

export type TaskName = 'bought_together' | 'next_purchase' | 'home';

export interface TestCase {
  readonly task: TaskName;
  /** Invoice number or customer id, for debugging a single case. */
  readonly id: string;
  readonly input: RecommendInput;
  readonly exclude: ReadonlySet<string>;
  readonly relevant: ReadonlySet<string>;
}
