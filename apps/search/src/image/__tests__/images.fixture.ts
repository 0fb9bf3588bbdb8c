import sharp from 'sharp';

type Format = 'png' | 'jpeg' | 'webp';

/** A solid picture with a darker square in it, encoded as `format`; made here, so no binary fixtures. */
export async function picture(o: { width?: number; height?: number; format?: Format; colour?: string; square?: string; alpha?: number } = {}): Promise<Buffer> {
  const width = o.width ?? 64;
  const height = o.height ?? 64;
  const side = Math.max(1, Math.floor(Math.min(width, height) / 2));
  const square = await sharp({ create: { width: side, height: side, channels: 3, background: o.square ?? '#202020' } }).png().toBuffer();
  const base = sharp({ create: { width, height, channels: 4, background: hexWithAlpha(o.colour ?? '#d04030', o.alpha ?? 1) } }).composite([{ input: square, left: Math.floor(width / 4), top: Math.floor(height / 4) }]);
  return base.toFormat(o.format ?? 'png').toBuffer();
}

function hexWithAlpha(hex: string, alpha: number) {
  const n = parseInt(hex.slice(1), 16);
  return { r: (n >> 16) & 255, g: (n >> 8) & 255, b: n & 255, alpha };
}
