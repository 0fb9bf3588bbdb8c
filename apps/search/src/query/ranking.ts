import { normalizeCategory } from '@signal/contracts';
import { HEAT_HALF_LIFE_HOURS, type ProductDoc } from '../indices/documents';

/**
 * What multiplies text relevance. One table drives both the OpenSearch function_score and the
 * `explain=true` answer, so the explanation is the ranking, not a story about it.
 */
export const RANKING = {
  /** The product shoppers engaged with most after this query gets ×(1 + sellsForQuery). */
  sellsForQuery: 2,
  /** ×(1 + popularity · log1p(decayed interest)). */
  popularity: 0.25,
  /** Out of stock: shown, but well down. */
  outOfStock: 0.25,
  /** Strongest brand affinity ×(1 + brand), others in proportion. */
  brand: 0.3,
  category: 0.2,
  /** Affinities used, strongest first. */
  affinitiesUsed: 5,
  /** Products of "what sells for this query" used. */
  sellsUsed: 50,
} as const;

export interface Affinities {
  brands: { value: string; score: number }[];
  categories: { value: string; score: number }[];
}

export interface RankingContext {
  /** productId → engagement score after this query (clicks, carts, purchases). */
  sellsForQuery: Record<string, number>;
  affinities: Affinities | null;
  /** Hours since the epoch, for the decayed popularity. */
  nowHours: number;
}

interface Factor {
  name: 'sellsForQuery' | 'stock' | 'affinity';
  filter: object;
  weight: number;
  applies: (doc: ProductDoc) => boolean;
}

const normalized = <T extends { score: number }>(list: T[], n: number) => {
  const top = [...list].sort((a, b) => b.score - a.score).slice(0, n);
  const max = top[0]?.score ?? 0;
  return max > 0 ? top.map((x) => ({ ...x, share: x.score / max })) : [];
};

function factors(ctx: RankingContext): Factor[] {
  const out: Factor[] = [];
  const sells = normalized(Object.entries(ctx.sellsForQuery).map(([productId, score]) => ({ productId, score })), RANKING.sellsUsed);
  for (const s of sells) {
    out.push({ name: 'sellsForQuery', filter: { term: { productId: s.productId } }, weight: 1 + RANKING.sellsForQuery * s.share, applies: (d) => d.productId === s.productId });
  }
  out.push({ name: 'stock', filter: { term: { inStock: false } }, weight: RANKING.outOfStock, applies: (d) => !d.inStock });
  if (ctx.affinities) {
    for (const b of normalized(ctx.affinities.brands, RANKING.affinitiesUsed)) {
      const brand = b.value.toLowerCase();
      out.push({ name: 'affinity', filter: { term: { 'brand.norm': brand } }, weight: 1 + RANKING.brand * b.share, applies: (d) => d.brand?.toLowerCase() === brand });
    }
    for (const c of normalized(ctx.affinities.categories, RANKING.affinitiesUsed)) {
      const category = normalizeCategory(c.value);
      if (!category) continue;
      out.push({ name: 'affinity', filter: { term: { categories: category } }, weight: 1 + RANKING.category * c.share, applies: (d) => d.categories.includes(category) });
    }
  }
  return out;
}

const POPULARITY_SCRIPT = `
  if (doc['heat'].size() == 0) return 1;
  double rate = Math.pow(2, doc['heat'].value - params.now);
  return 1 + params.w * Math.log1p(rate);
`;

/** Wraps a query in the ranking: score = text × what sells for it × popularity × stock × affinity. */
export function rankedQuery(query: object, ctx: RankingContext): object {
  const now = ctx.nowHours / HEAT_HALF_LIFE_HOURS.product;
  return {
    function_score: {
      query,
      functions: [
        ...factors(ctx).map((f) => ({ filter: f.filter, weight: f.weight })),
        { script_score: { script: { source: POPULARITY_SCRIPT, params: { now, w: RANKING.popularity } } } },
      ],
      score_mode: 'multiply',
      boost_mode: 'multiply',
    },
  };
}

export interface ScoreParts {
  sellsForQuery: number;
  popularity: number;
  stock: number;
  affinity: number;
}

/** The same multipliers, computed for one hit (for explain=true). */
export function scoreParts(doc: ProductDoc, ctx: RankingContext): ScoreParts {
  const parts: ScoreParts = { sellsForQuery: 1, popularity: 1, stock: 1, affinity: 1 };
  for (const f of factors(ctx)) if (f.applies(doc)) parts[f.name === 'stock' ? 'stock' : f.name] *= f.weight;
  if (doc.heat !== undefined) parts.popularity = 1 + RANKING.popularity * Math.log1p(Math.pow(2, doc.heat - ctx.nowHours / HEAT_HALF_LIFE_HOURS.product));
  return parts;
}
