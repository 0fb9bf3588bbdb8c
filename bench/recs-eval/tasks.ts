/**
 * Test cases per task, built from the temporal split. Each case carries the exclusion set that
 * the product rule implies ("never recommend what they already bought" / what is already in the
 * basket) and only relevant items that rule still allows, so a perfect recommender can score 1.
 */
import type { HistoryEntry, Invoice, TestCase } from './types';

/** FNV-1a over a string: a seeded, order-independent pick per invoice (adding invoices does not reshuffle others). */
export function hash32(s: string): number {
  let h = 0x811c9dc5;
  for (let i = 0; i < s.length; i++) {
    h ^= s.charCodeAt(i);
    h = Math.imul(h, 0x01000193);
  }
  return h >>> 0;
}

/**
 * bought_together: every test invoice with at least 2 distinct items (with or without customer);
 * one item, chosen by hash(seed:invoiceNo), is hidden; input = the other items, which are also
 * the exclusions; relevant = {hidden}.
 */
export function boughtTogetherCases(test: readonly Invoice[], seed: number): TestCase[] {
  const cases: TestCase[] = [];
  for (const inv of test) {
    if (inv.items.length < 2) continue;
    const h = hash32(`${seed}:${inv.invoiceNo}`) % inv.items.length;
    const input = inv.items.filter((_, i) => i !== h);
    cases.push({
      task: 'bought_together',
      id: inv.invoiceNo,
      input: { items: input },
      exclude: new Set(input),
      relevant: new Set([inv.items[h]]),
    });
  }
  return cases;
}

interface CustomerData {
  history: HistoryEntry[];
  testInvoices: Invoice[];
}

/** Train history and test invoices of every customer who has both (anonymous invoices skipped). */
function customers(train: readonly Invoice[], test: readonly Invoice[]): Map<number, CustomerData> {
  const byCustomer = new Map<number, CustomerData>();
  for (const inv of train) {
    if (inv.customerId === null) continue;
    let c = byCustomer.get(inv.customerId);
    if (!c) byCustomer.set(inv.customerId, (c = { history: [], testInvoices: [] }));
    for (const item of inv.items) c.history.push({ item, at: inv.at });
  }
  for (const inv of test) {
    if (inv.customerId === null) continue;
    byCustomer.get(inv.customerId)?.testInvoices.push(inv);
  }
  for (const [id, c] of byCustomer) if (c.testInvoices.length === 0) byCustomer.delete(id);
  return byCustomer;
}

function customerCase(task: 'next_purchase' | 'home', id: number, history: HistoryEntry[], targets: readonly Invoice[]): TestCase | null {
  const bought = new Set(history.map((h) => h.item));
  const relevant = new Set<string>();
  for (const inv of targets) for (const item of inv.items) if (!bought.has(item)) relevant.add(item);
  // Cases whose purchases were all re-buys cannot be hit under the "never recommend what they
  // bought" rule; keeping them would only scale every method's score down by the same factor.
  if (relevant.size === 0) return null;
  return { task, id: String(id), input: { items: [...bought], history, customerId: id }, exclude: bought, relevant };
}

/**
 * next_purchase: customers with train history and a test invoice; input = train history (items
 * with times); relevant = items of their FIRST test invoice they had not bought in train.
 * Invoices are time-sorted, so testInvoices[0] is the first.
 */
export function nextPurchaseCases(train: readonly Invoice[], test: readonly Invoice[]): TestCase[] {
  const cases: TestCase[] = [];
  for (const [id, c] of customers(train, test)) {
    const tc = customerCase('next_purchase', id, c.history, c.testInvoices.slice(0, 1));
    if (tc) cases.push(tc);
  }
  return cases;
}

/**
 * home: same customers; relevant = every item they bought anywhere in the test window and had
 * not bought in train (what a home-page shelf could have sold them that month).
 */
export function homeCases(train: readonly Invoice[], test: readonly Invoice[]): TestCase[] {
  const cases: TestCase[] = [];
  for (const [id, c] of customers(train, test)) {
    const tc = customerCase('home', id, c.history, c.testInvoices);
    if (tc) cases.push(tc);
  }
  return cases;
}
