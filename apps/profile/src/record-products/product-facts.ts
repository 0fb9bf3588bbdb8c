import type { Product } from '@signal/contracts';
import { categoryLevels, type ProductFacts } from '../profiles/profile-state';

const attribute = (attrs: Record<string, string> | undefined, name: string): string | undefined => {
  if (!attrs) return undefined;
  const key = Object.keys(attrs).find((k) => k.toLowerCase() === name || (name === 'color' && k.toLowerCase() === 'colour'));
  return key ? attrs[key] : undefined;
};

/** The part of a catalog product that profiles learn from. */
export function factsOf(product: Product): ProductFacts {
  const color = attribute(product.attributes, 'color');
  const size = attribute(product.attributes, 'size');
  return {
    categories: [...new Set(product.categories.flatMap(categoryLevels))],
    price: product.salePrice ?? product.price,
    ...(product.brand ? { brand: product.brand } : {}),
    ...(color ? { color } : {}),
    ...(size ? { size } : {}),
  };
}
