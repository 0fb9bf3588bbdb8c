/** Two simple baselines, from the same encoded pictures the model gets. */
import sharp from 'sharp';
import { SIDE } from './data';

/** The picture decoded, grey, downscaled to 28 × 28: 784 numbers, L2-normalised (cosine = correlation of pixels). */
export async function pixelVector(image: Buffer): Promise<Float32Array> {
  const grey = await sharp(image).greyscale().resize(SIDE, SIDE, { fit: 'fill' }).raw().toBuffer();
  return normalize(Float32Array.from(grey));
}

/** 32-bin grey-level histogram (the pictures have no colour), square-rooted and L2-normalised. */
export async function histogramVector(image: Buffer): Promise<Float32Array> {
  const grey = await sharp(image).greyscale().raw().toBuffer();
  const h = new Float32Array(32);
  for (const v of grey) h[v >> 3]++;
  return normalize(h.map(Math.sqrt));
}

export function normalize(v: Float32Array): Float32Array {
  let s = 0;
  for (const x of v) s += x * x;
  const n = Math.sqrt(s) || 1;
  return v.map((x) => x / n);
}
