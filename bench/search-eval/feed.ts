/**
 * Feeding the running search service through Kafka, as the platform does: products on
 * `catalog.products.v1` (key `storeId:productId`, value `Product`), and the search log as enriched
 * events on `events.enriched.v1` (key `storeId:profileId`, as ingest writes them). Then waiting
 * until the service has them: products counted in its `<prefix>products` alias, the log consumed by
 * its consumer group (lag 0) and its `<prefix>queries` documents for the store no longer growing.
 */
import { productKey, type Product } from '@signal/contracts';
import { CompressionTypes, type Admin, type Producer } from 'kafkajs';
import { shiftedIso, topicLag } from '../recs-eval/replay';
import { toProduct, type EvalProduct } from './catalog';
import type { OpenSearchHttp } from './opensearch';
import { searchSessionEvents, type LoggedSearch } from './searchlog';

const MINUTE_MS = 60_000;
const sleep = (ms: number) => new Promise((r) => setTimeout(r, ms));

/** The products as published: createdAt = shifted first sale, never after the shifted cutoff. */
export function catalogMessages(products: readonly EvalProduct[], storeId: string, shiftMs: number, cutoff: number, now = new Date()): { key: string; value: Product }[] {
  const updatedAt = now.toISOString();
  return products.map((p) => ({ key: productKey(storeId, p.productId), value: toProduct(p, storeId, shiftedIso(Math.min(p.firstAt, cutoff - MINUTE_MS), shiftMs), updatedAt) }));
}

/** Sends keyed JSON messages in batches of `batch`, acks from all replicas. */
export async function sendAll(producer: Producer, topic: string, messages: readonly { key: string; value: unknown }[], batch = 500): Promise<void> {
  for (let i = 0; i < messages.length; i += batch) {
    await producer.send({
      topic,
      acks: -1,
      compression: CompressionTypes.None,
      messages: messages.slice(i, i + batch).map((m) => ({ key: m.key, value: JSON.stringify(m.value) })),
    });
  }
}

/** The enriched events of the whole log; `purchaseShare` of the searches end in a purchase (seeded). */
export function logMessages(log: readonly LoggedSearch[], o: { storeId: string; runTag: string; shiftMs: number; purchaseShare: number; rand: () => number }): { key: string; value: unknown }[] {
  return log.flatMap((s, n) => searchSessionEvents(s, n, { storeId: o.storeId, runTag: o.runTag, shiftMs: o.shiftMs, purchase: o.rand() < o.purchaseShare }).map((m) => ({ key: m.key, value: m.event })));
}

export async function groupLag(admin: Admin, group: string, topics: readonly string[]): Promise<number> {
  const committed = await admin.fetchOffsets({ groupId: group, topics: [...topics] });
  let lag = 0;
  for (const topic of topics) lag += topicLag(await admin.fetchTopicOffsets(topic), committed.find((t) => t.topic === topic)?.partitions ?? []);
  return lag;
}

export interface WaitResult {
  ms: number;
  value: number;
}

/** Polls `read` every `everyMs` until `done(value)`; throws after `timeoutMs`. Logs progress every 10 s. */
export async function waitUntil(what: string, read: () => Promise<number>, done: (v: number) => boolean, o: { timeoutMs: number; everyMs?: number; log: (s: string) => void }): Promise<WaitResult> {
  const t0 = performance.now();
  let lastLog = t0;
  for (;;) {
    const v = await read();
    const ms = performance.now() - t0;
    if (done(v)) return { ms: Math.round(ms), value: v };
    if (ms > o.timeoutMs) throw new Error(`${what}: still ${v} after ${Math.round(ms / 1000)} s`);
    if (performance.now() - lastLog > 10_000) {
      o.log(`waiting: ${what}: ${v}`);
      lastLog = performance.now();
    }
    await sleep(o.everyMs ?? 1000);
  }
}

/** Products of the store in the service's products alias. */
export const productCount = (os: OpenSearchHttp, prefix: string, storeId: string) => os.count(`${prefix}products`, { term: { storeId } });

/** Query documents of the store in the service's queries index. */
export const queryDocCount = (os: OpenSearchHttp, prefix: string, storeId: string) => os.count(`${prefix}queries`, { term: { storeId } });
