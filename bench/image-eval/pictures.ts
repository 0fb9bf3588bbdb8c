/** The pictures the methods see: the catalog image as a PNG, and a "shopper's photo" of the same item. */
import sharp from 'sharp';
import { SIDE } from './data';

export const catalogPng = (pixels: Uint8Array): Promise<Buffer> => sharp(Buffer.from(pixels), { raw: { width: SIDE, height: SIDE, channels: 1 } }).png().toBuffer();

const PHOTO = 112;

/**
 * The same item photographed differently: 4× larger, shrunk to 70–95 % and moved off-centre,
 * mirrored half of the time, brighter or darker, and JPEG-compressed. A query of this kind asks
 * for the item's kind, not for the catalog file it came from.
 */
export async function shopperPhoto(pixels: Uint8Array, random: () => number): Promise<Buffer> {
  const side = Math.round(PHOTO * (0.7 + 0.25 * random()));
  const left = Math.floor(random() * (PHOTO - side + 1));
  const top = Math.floor(random() * (PHOTO - side + 1));
  const gain = 0.7 + 0.5 * random();
  const black = { r: 0, g: 0, b: 0, alpha: 1 };
  const resized = await sharp(Buffer.from(pixels), { raw: { width: SIDE, height: SIDE, channels: 1 } })
    .resize(side, side, { kernel: 'cubic' })
    .flop(random() < 0.5)
    .png()
    .toBuffer();
  return sharp(resized)
    .extend({ left, top, right: PHOTO - side - left, bottom: PHOTO - side - top, background: black })
    .linear(gain, 0)
    .jpeg({ quality: 70 })
    .toBuffer();
}
