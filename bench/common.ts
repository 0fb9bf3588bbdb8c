/** Small pieces every benchmark uses: settings from env, a deterministic PRNG, setup-step dispatch. */

/** A non-negative integer setting from env. */
export function intEnv(name: string, fallback: number): number {
  const v = Number(process.env[name] ?? fallback);
  if (!Number.isInteger(v) || v < 0) throw new Error(`${name} must be a non-negative integer`);
  return v;
}

/** A setting the benchmark's run.sh must pass. */
export function requiredEnv(name: string, script: string): string {
  const v = process.env[name];
  if (!v) throw new Error(`${name} is required (${script} sets it)`);
  return v;
}

/** mulberry32: small, fast, deterministic. */
export function prng(seed: number): () => number {
  let a = seed >>> 0;
  return () => {
    a = (a + 0x6d2b79f5) >>> 0;
    let t = a;
    t = Math.imul(t ^ (t >>> 15), t | 1);
    t ^= t + Math.imul(t ^ (t >>> 7), t | 61);
    return ((t ^ (t >>> 14)) >>> 0) / 4294967296;
  };
}

/** `node setup.js <step>`: runs the named step, exiting 2 on an unknown one and 1 on failure. */
export function runStep(steps: Record<string, () => Promise<void>>): void {
  const step = steps[process.argv[2] ?? ''];
  if (!step) {
    console.error(`usage: setup.js ${Object.keys(steps).join('|')}`);
    process.exit(2);
  }
  step().catch((e: unknown) => {
    console.error(`setup ${process.argv[2]} failed: ${e instanceof Error ? e.message : String(e)}`);
    process.exit(1);
  });
}
