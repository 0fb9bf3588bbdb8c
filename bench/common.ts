/** Small pieces every benchmark uses: settings from env, a deterministic PRNG, setup-step dispatch, Kafka group parking. */
import { existsSync } from 'node:fs';
import { dirname, join } from 'node:path';
import type { TopicName } from '@signal/contracts';
import type { Admin } from 'kafkajs';

/** A non-negative integer setting from env. */
export function intEnv(name: string, fallback: number): number {
  const v = Number(process.env[name] ?? fallback);
  if (!Number.isInteger(v) || v < 0) throw new Error(`${name} must be a non-negative integer`);
  return v;
}

/** A positive integer setting from env (counts and sizes that cannot be zero). */
export function positiveIntEnv(name: string, fallback: number): number {
  const raw = process.env[name];
  if (raw === undefined || raw === '') return fallback;
  const n = Number(raw);
  if (!Number.isInteger(n) || n <= 0) throw new Error(`${name} must be a positive integer, got "${raw}"`);
  return n;
}

/** The repo root, found by walking up to nx.json: the same code works from bench/ (ts) and dist/bench/ (js). */
export function repoRoot(from = __dirname): string {
  let dir = from;
  while (!existsSync(join(dir, 'nx.json'))) {
    const up = dirname(dir);
    if (up === dir) return process.cwd();
    dir = up;
  }
  return dir;
}

/**
 * Moves a benchmark's own consumer group to the END of its topics: the shared Kafka holds whatever
 * other runs and tests left, and a fresh group would start with all of it. Refuses a group that
 * has members (another benchmark is running against this Kafka).
 */
export async function parkAtEnd(admin: Admin, group: string, topics: readonly TopicName[]): Promise<void> {
  const described = await admin.describeGroups([group]);
  const members = described.groups[0]?.members.length ?? 0;
  if (members > 0) throw new Error(`consumer group "${group}" has ${members} active member(s): another benchmark is running against this Kafka; stop it first`);
  for (const topic of topics) {
    const ends = await admin.fetchTopicOffsets(topic);
    await admin.setOffsets({ groupId: group, topic, partitions: ends.map((p) => ({ partition: p.partition, offset: p.high })) });
    console.log(`setup: group ${group} starts at the end of ${topic} (${ends.reduce((s, p) => s + Number(p.high), 0)} older messages skipped)`);
  }
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
