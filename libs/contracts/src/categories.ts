/**
 * Every level of every category path, normalized: "Electronics > Phones" → ["electronics",
 * "electronics > phones"]. Matching a category then matches its sub-categories too.
 */
export function categoryPaths(categories: readonly string[]): string[] {
  const out = new Set<string>();
  for (const c of categories) {
    const parts = c.split(/\s*(?:>|\/)\s*/).map((s) => s.trim().toLowerCase()).filter(Boolean);
    for (let i = 1; i <= parts.length; i++) out.add(parts.slice(0, i).join(' > '));
  }
  return [...out];
}

/** The most specific category of a product (its longest path), used for diversity and substitutes. */
export function leafCategory(paths: readonly string[]): string | null {
  let leaf: string | null = null;
  for (const p of paths) if (leaf === null || p.length > leaf.length) leaf = p;
  return leaf;
}

export const normalizeCategory = (category: string): string => categoryPaths([category]).at(-1) ?? '';
