/**
 * The search service's own image embedding, driven as a process (a bench may not import an app):
 * dist/apps/search/src/image/embed-images.js, one NDJSON line in and one out per picture.
 */
import { spawn } from 'node:child_process';
import { existsSync } from 'node:fs';
import { join } from 'node:path';
import { createInterface } from 'node:readline';

export interface EmbedRun {
  vectors: Float32Array[];
  model: string;
  dims: number;
  /** Time inside the embedder (decode, resize, model), per picture. */
  msPerImage: number;
}

export async function embedWithService(root: string, images: Buffer[]): Promise<EmbedRun> {
  const script = join(root, 'dist/apps/search/src/image/embed-images.js');
  if (!existsSync(script)) throw new Error(`${script} is missing: run npm run build first`);
  const child = spawn(process.execPath, [script], { stdio: ['pipe', 'pipe', 'pipe'] });
  let stderr = '';
  child.stderr.on('data', (d: Buffer) => (stderr += d.toString()));
  const exited = new Promise<number>((resolve) => child.on('close', (code) => resolve(code ?? 1)));
  const feeding = (async () => {
    for (const [i, image] of images.entries()) {
      if (!child.stdin.write(`${JSON.stringify({ id: String(i), image: image.toString('base64') })}\n`)) await new Promise((r) => child.stdin.once('drain', r));
    }
    child.stdin.end();
  })();
  const vectors: Float32Array[] = new Array(images.length);
  for await (const line of createInterface({ input: child.stdout, crlfDelay: Infinity })) {
    const out = JSON.parse(line) as { id: string; vector?: number[]; error?: { message: string } };
    if (!out.vector) throw new Error(`picture ${out.id} refused: ${out.error?.message}`);
    vectors[Number(out.id)] = Float32Array.from(out.vector);
  }
  await feeding;
  if ((await exited) !== 0) throw new Error(`embed-images failed:\n${stderr}`);
  const stats = JSON.parse(stderr.trim().split('\n').pop() ?? '{}') as { model: string; dims: number; images: number; embedMs: number };
  return { vectors, model: stats.model, dims: stats.dims, msPerImage: stats.embedMs / Math.max(1, stats.images) };
}
