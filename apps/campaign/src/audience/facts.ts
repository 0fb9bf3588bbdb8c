import type { EnrichedEvent, ProfileView } from '@signal/contracts';
import type { EntityManager } from 'typeorm';

/**
 * What the audience read model learned from one consumed batch, handed to whatever reacts to it
 * (journeys start, advance or exit on these) inside the transaction that stored it. Handlers write
 * through that transaction and must be idempotent: a redelivered event is handed on again.
 */
export type Fact =
  /** An event, after the read model took it in (cart, purchase, view, subscribe, ...). */
  | { kind: 'event'; event: EnrichedEvent }
  /** A product's stock changed. `before` is null when the product was not known before. */
  | { kind: 'stock'; storeId: string; productId: string; before: StockState | null; after: StockState; at: string }
  /** A product's effective price (sale price, else price) went down. */
  | { kind: 'price_drop'; storeId: string; productId: string; before: number; after: number; at: string }
  /** A product was seen for the first time (a new arrival). */
  | { kind: 'new_product'; storeId: string; productId: string; at: string }
  /** A shopper's profile changed (stage, consent, segments, ...). */
  | { kind: 'profile'; profile: ProfileView }
  /** A profile was merged into another (`into`) or erased (`into` absent): its runs and messages follow. */
  | { kind: 'profile_gone'; storeId: string; profileId: string; into?: string };

export interface StockState {
  level: number | null;
  inStock: boolean;
}

export interface FactHandler {
  /** `tx`: the transaction that stored what the facts say; write through it. */
  handle(facts: readonly Fact[], tx: EntityManager): Promise<void>;
}

/** Nest token: the handlers facts go to, a `FactHandler[]`. */
export const FACT_HANDLERS = Symbol('FACT_HANDLERS');
