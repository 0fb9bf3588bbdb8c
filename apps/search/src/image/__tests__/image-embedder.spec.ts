import { ImageRejectedError } from '../image-errors';
import { IMAGE_MODEL, ImageEmbedder } from '../image-embedder';
import { dot, l2Normalize } from '../vectors';
import { picture } from './images.fixture';

describe('l2Normalize', () => {
  it('scales to length 1 and leaves a zero vector alone', () => {
    const v = l2Normalize(Float32Array.from([3, 4]));
    expect(Array.from(v)).toEqual([expect.closeTo(0.6, 6), expect.closeTo(0.8, 6)]);
    expect(Array.from(l2Normalize(new Float32Array(3)))).toEqual([0, 0, 0]);
  });
});

// The real model from node_modules (nsfwjs' MobileNetV2 on the wasm backend): a few seconds to load.
describe('ImageEmbedder', () => {
  const embedder = new ImageEmbedder({ maxBytes: 1024 * 1024, maxPixels: 4_000_000 });
  beforeAll(() => embedder.ready(), 60_000);

  it('answers an L2-normalised vector of the model size, the same for the same picture', async () => {
    const png = await picture({ width: 120, height: 80 });
    const a = await embedder.embed(png);
    expect(a).toBeInstanceOf(Float32Array);
    expect(a.length).toBe(IMAGE_MODEL.dims);
    expect(dot(a, a)).toBeCloseTo(1, 5);
    expect(a.every(Number.isFinite)).toBe(true);
    expect(Array.from(await embedder.embed(png))).toEqual(Array.from(a));
  });

  it('puts the same picture in another format closer than a different picture', async () => {
    const png = await embedder.embed(await picture({ format: 'png', colour: '#d04030' }));
    const jpeg = await embedder.embed(await picture({ format: 'jpeg', colour: '#d04030' }));
    const other = await embedder.embed(await picture({ format: 'png', colour: '#30c0f0', square: '#f0f020', width: 40, height: 120 }));
    expect(dot(png, jpeg)).toBeGreaterThan(0.98);
    expect(dot(png, other)).toBeLessThan(dot(png, jpeg) - 0.02);
  });

  it('gives a blank picture a usable unit vector (k-NN refuses zero vectors)', async () => {
    const blank = await embedder.embed(await picture({ colour: '#ffffff', square: '#ffffff' }));
    expect(dot(blank, blank)).toBeCloseTo(1, 5);
  });

  it('refuses bytes that are not an image with a typed error', async () => {
    await expect(embedder.embed(Buffer.from('hello'))).rejects.toBeInstanceOf(ImageRejectedError);
    await expect(embedder.embed(new Uint8Array(0))).rejects.toMatchObject({ status: 400, problem: 'empty' });
  });
});
