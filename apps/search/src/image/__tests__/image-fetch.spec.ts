import { ImageFetchError, ImageRejectedError } from '../image-errors';
import { decodeDataUrl, fetchImage } from '../image-fetch';

const limits = { timeoutMs: 200, maxBytes: 1000 };
const fakeFetch = (respond: (url: URL, init?: RequestInit) => Promise<Response>) => respond as unknown as typeof fetch;

describe('decodeDataUrl', () => {
  it('reads base64 and percent-encoded bytes', () => {
    expect(Array.from(decodeDataUrl(`data:image/png;base64,${Buffer.from([137, 80, 0, 255]).toString('base64')}`, 100))).toEqual([137, 80, 0, 255]);
    expect(Array.from(decodeDataUrl('data:image/png,%89PN%00%FF', 100))).toEqual([0x89, 80, 78, 0, 255]);
  });

  it('refuses what is larger than the cap before decoding it, and malformed URLs', () => {
    expect(() => decodeDataUrl(`data:image/png;base64,${'A'.repeat(4000)}`, 1000)).toThrow(ImageRejectedError);
    expect(() => decodeDataUrl('data:image/png;base64', 1000)).toThrow(ImageFetchError);
  });
});

describe('fetchImage', () => {
  const expectFetchError = async (p: Promise<unknown>, transient: boolean) => {
    const e = await p.then(() => null, (x: unknown) => x);
    expect(e).toBeInstanceOf(ImageFetchError);
    expect((e as ImageFetchError).transient).toBe(transient);
  };

  it('returns the body of a 200', async () => {
    const bytes = await fetchImage('https://img.example/a.png', limits, fakeFetch(async () => new Response(new Uint8Array([1, 2, 3]))));
    expect(Array.from(bytes)).toEqual([1, 2, 3]);
  });

  it('tells lasting failures (404, bad scheme) from passing ones (503, timeout)', async () => {
    await expectFetchError(fetchImage('https://img.example/a.png', limits, fakeFetch(async () => new Response('no', { status: 404 }))), false);
    await expectFetchError(fetchImage('file:///etc/passwd', limits), false);
    await expectFetchError(fetchImage('not a url', limits), false);
    await expectFetchError(fetchImage('https://img.example/a.png', limits, fakeFetch(async () => new Response('busy', { status: 503 }))), true);
    const hang = fakeFetch((_url, init) => new Promise((_resolve, reject) => init?.signal?.addEventListener('abort', () => reject(init.signal?.reason))));
    await expectFetchError(fetchImage('https://img.example/slow.png', limits, hang), true);
  });

  it('refuses a body over the cap, declared or streamed', async () => {
    const declared = fakeFetch(async () => new Response(new Uint8Array(10), { headers: { 'content-length': '5000' } }));
    await expect(fetchImage('https://img.example/big.png', limits, declared)).rejects.toMatchObject({ problem: 'too_large', status: 413 });
    const streamed = fakeFetch(async () => new Response(new ReadableStream({ pull: (c) => c.enqueue(new Uint8Array(400)) })));
    await expect(fetchImage('https://img.example/endless.png', limits, streamed)).rejects.toMatchObject({ problem: 'too_large' });
  });
});
