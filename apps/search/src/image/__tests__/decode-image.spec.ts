import { checkImageBytes, decodeToRgbSquare, sniffImageType } from '../decode-image';
import { ImageRejectedError } from '../image-errors';
import { picture } from './images.fixture';

const limits = { maxBytes: 1024 * 1024, maxPixels: 4_000_000 };

async function rejection(p: Promise<unknown>): Promise<{ problem: string; status: number }> {
  try {
    await p;
  } catch (e) {
    if (e instanceof ImageRejectedError) return { problem: e.problem, status: e.status };
    throw e;
  }
  throw new Error('expected a rejection');
}

describe('sniffImageType', () => {
  it('reads the signature, not a name', async () => {
    expect(sniffImageType(await picture({ format: 'png' }))).toBe('image/png');
    expect(sniffImageType(await picture({ format: 'jpeg' }))).toBe('image/jpeg');
    expect(sniffImageType(await picture({ format: 'webp' }))).toBe('image/webp');
    expect(sniffImageType(Buffer.from('GIF89a...'))).toBeNull();
    expect(sniffImageType(Buffer.from('<svg xmlns="http://www.w3.org/2000/svg"/>'))).toBeNull();
    expect(sniffImageType(new Uint8Array([0xff, 0xd8]))).toBeNull();
  });
});

describe('checkImageBytes', () => {
  it('refuses empty (400), too large (413) and unknown types (415)', () => {
    const check = (b: Uint8Array) => rejection(Promise.resolve().then(() => checkImageBytes(b, limits)));
    return Promise.all([
      expect(check(new Uint8Array(0))).resolves.toEqual({ problem: 'empty', status: 400 }),
      expect(check(new Uint8Array(limits.maxBytes + 1).fill(0xff))).resolves.toEqual({ problem: 'too_large', status: 413 }),
      expect(check(Buffer.from('{"not":"an image"}'))).resolves.toEqual({ problem: 'unsupported_type', status: 415 }),
    ]);
  });
});

describe('decodeToRgbSquare', () => {
  it.each(['png', 'jpeg', 'webp'] as const)('decodes %s to size × size RGB', async (format) => {
    const rgb = await decodeToRgbSquare(await picture({ format, width: 90, height: 60 }), 32, limits);
    expect(rgb.length).toBe(32 * 32 * 3);
  });

  it('fits a non-square picture on white margins and flattens transparency onto white', async () => {
    const wide = await decodeToRgbSquare(await picture({ width: 200, height: 50, colour: '#0000ff' }), 40, limits);
    const px = (x: number, y: number) => Array.from(wide.subarray((y * 40 + x) * 3, (y * 40 + x) * 3 + 3));
    expect(px(20, 1)).toEqual([255, 255, 255]); // top margin
    expect(px(1, 20)[2]).toBeGreaterThan(200); // the blue picture itself
    expect(px(1, 20)[0]).toBeLessThan(40);
    const clear = await decodeToRgbSquare(await picture({ alpha: 0, square: '#ffffff' }), 8, limits);
    expect(Array.from(clear.subarray(0, 3))).toEqual([255, 255, 255]);
  });

  it('refuses a truncated or corrupt image with 400, not a crash', async () => {
    const png = await picture({ format: 'png', width: 300, height: 300 });
    const jpeg = await picture({ format: 'jpeg', width: 300, height: 300 });
    await expect(rejection(decodeToRgbSquare(png.subarray(0, 40), 16, limits))).resolves.toEqual({ problem: 'undecodable', status: 400 });
    await expect(rejection(decodeToRgbSquare(jpeg.subarray(0, Math.floor(jpeg.length / 2)), 16, limits))).resolves.toEqual({ problem: 'undecodable', status: 400 });
    const garbage = Buffer.concat([png.subarray(0, 8), Buffer.alloc(200, 7)]);
    await expect(rejection(decodeToRgbSquare(garbage, 16, limits))).resolves.toEqual({ problem: 'undecodable', status: 400 });
  });

  it('refuses a small file that would decode to too many pixels (413)', async () => {
    const huge = await picture({ format: 'png', width: 3000, height: 2000 }); // a few KB, 6 Mpx
    expect(huge.length).toBeLessThan(limits.maxBytes);
    await expect(rejection(decodeToRgbSquare(huge, 16, limits))).resolves.toEqual({ problem: 'too_many_pixels', status: 413 });
  });
});
