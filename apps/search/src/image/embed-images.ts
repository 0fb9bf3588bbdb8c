/**
 * The search service's image embedding as a process, for the offline evaluation (bench/image-eval
 * may not import an app) and for looking at vectors by hand:
 *
 *   node dist/apps/search/src/image/embed-images.js < images.ndjson > vectors.ndjson
 *
 * Each input line `{"id": "...", "image": "<base64 JPEG/PNG/WebP>"}`; each output line
 * `{"id", "vector": [...]}` or `{"id", "error": {"status", "message"}}`, in input order. The last
 * line on stderr is `{"model", "dims", "images", "embedMs"}`.
 */
import 'reflect-metadata';
import { createInterface } from 'node:readline';
import { Logger } from '@nestjs/common';
import { ImageRejectedError } from './image-errors';
import { DEFAULT_DECODE_LIMITS, IMAGE_MODEL, ImageEmbedder } from './image-embedder';

async function main(): Promise<void> {
  Logger.overrideLogger(['error']); // stdout carries the vectors
  const embedder = new ImageEmbedder(DEFAULT_DECODE_LIMITS);
  await embedder.ready();
  let images = 0;
  let embedMs = 0;
  for await (const line of createInterface({ input: process.stdin, crlfDelay: Infinity })) {
    if (!line.trim()) continue;
    const { id, image } = JSON.parse(line) as { id: string; image: string };
    const started = process.hrtime.bigint();
    try {
      const vector = await embedder.embed(Buffer.from(image, 'base64'));
      embedMs += Number(process.hrtime.bigint() - started) / 1e6;
      images++;
      write({ id, vector: Array.from(vector, (x) => Math.round(x * 1e6) / 1e6) });
    } catch (e) {
      if (!(e instanceof ImageRejectedError)) throw e;
      write({ id, error: { status: e.status, message: e.message } });
    }
  }
  process.stderr.write(`${JSON.stringify({ model: IMAGE_MODEL.id, dims: IMAGE_MODEL.dims, images, embedMs: Math.round(embedMs) })}\n`);
}

function write(o: object): void {
  process.stdout.write(`${JSON.stringify(o)}\n`);
}

main().catch((e: unknown) => {
  console.error(e instanceof Error ? e.stack : e);
  process.exit(1);
});
