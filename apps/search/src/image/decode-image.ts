import sharp from 'sharp';
import { ImageRejectedError } from './image-errors';

export type ImageType = 'image/jpeg' | 'image/png' | 'image/webp';
export const IMAGE_TYPES: readonly ImageType[] = ['image/jpeg', 'image/png', 'image/webp'];

export interface DecodeLimits {
  /** Largest encoded image, in bytes. */
  maxBytes: number;
  /** Largest decoded image, width × height: a 50 KB PNG can claim 30,000 × 30,000 pixels. */
  maxPixels: number;
}

/** The type the bytes are, by their signature (what a client or a server claims is not trusted). */
export function sniffImageType(bytes: Uint8Array): ImageType | null {
  const at = (i: number, ...sig: number[]) => sig.every((b, k) => bytes[i + k] === b);
  if (at(0, 0xff, 0xd8, 0xff)) return 'image/jpeg';
  if (at(0, 0x89, 0x50, 0x4e, 0x47, 0x0d, 0x0a, 0x1a, 0x0a)) return 'image/png';
  if (at(0, 0x52, 0x49, 0x46, 0x46) && at(8, 0x57, 0x45, 0x42, 0x50)) return 'image/webp'; // RIFF....WEBP
  return null;
}

/** Refuses what must never reach the decoder: nothing, too much, or not an image we read. */
export function checkImageBytes(bytes: Uint8Array, limits: DecodeLimits): ImageType {
  if (bytes.length === 0) throw new ImageRejectedError('empty', 'The image is empty');
  if (bytes.length > limits.maxBytes) throw new ImageRejectedError('too_large', `The image is larger than ${limits.maxBytes} bytes`);
  const type = sniffImageType(bytes);
  if (!type) throw new ImageRejectedError('unsupported_type', 'Not a JPEG, PNG or WebP image');
  return type;
}

/**
 * Decodes JPEG, PNG or WebP into `size` × `size` RGB bytes (row-major, 3 per pixel): EXIF
 * orientation applied, transparency flattened onto white, the whole picture fitted in the square
 * on a white margin (a product photo is seldom square, and cropping could cut the product off).
 */
export async function decodeToRgbSquare(bytes: Uint8Array, size: number, limits: DecodeLimits): Promise<Uint8Array> {
  checkImageBytes(bytes, limits);
  const input = Buffer.from(bytes.buffer, bytes.byteOffset, bytes.byteLength);
  // failOn 'error': truncated or corrupt data is refused, harmless warnings are not. The pixel
  // limit is checked below from the header, before any pixel is decoded.
  const image = sharp(input, { failOn: 'error', limitInputPixels: false, sequentialRead: true });
  let width = 0;
  let height = 0;
  try {
    ({ width = 0, height = 0 } = await image.metadata());
  } catch {
    throw new ImageRejectedError('undecodable', 'The image cannot be decoded');
  }
  if (width < 1 || height < 1) throw new ImageRejectedError('undecodable', 'The image has no pixels');
  if (width * height > limits.maxPixels) throw new ImageRejectedError('too_many_pixels', `The image has more than ${limits.maxPixels} pixels (${width} × ${height})`);
  try {
    const white = { r: 255, g: 255, b: 255, alpha: 1 };
    const { data, info } = await image
      .rotate()
      .flatten({ background: white })
      .resize(size, size, { fit: 'contain', background: white })
      .toColourspace('srgb')
      .removeAlpha()
      .raw()
      .toBuffer({ resolveWithObject: true });
    if (info.channels !== 3 || data.length !== size * size * 3) throw new Error(`unexpected ${info.channels} channels`);
    return new Uint8Array(data.buffer, data.byteOffset, data.byteLength);
  } catch {
    throw new ImageRejectedError('undecodable', 'The image cannot be decoded');
  }
}
