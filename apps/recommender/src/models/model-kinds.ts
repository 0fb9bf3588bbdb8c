/** The neighbour lists the model job builds, per product. */
/**
 * bought_together: co-purchase, asymmetric (a rare basket item is the sharper signal); co_purchase:
 * the same counts as a plain cosine, for histories; also_viewed: co-views in sessions;
 * bought_after: purchase sequences; similar: content.
 */
export const NEIGHBOUR_KINDS = ['bought_together', 'co_purchase', 'also_viewed', 'bought_after', 'similar'] as const;
export type NeighbourKind = (typeof NEIGHBOUR_KINDS)[number];
