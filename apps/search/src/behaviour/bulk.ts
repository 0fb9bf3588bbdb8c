import type { Client } from '@opensearch-project/opensearch';
import { isOpenSearchUnavailable } from '@signal/platform';

export interface BulkItem {
  status: number;
  result?: string;
  error?: { type?: string; reason?: string };
  get?: { _source?: Record<string, unknown> };
}

/** The item of one action, or what became of it after the retries. */
export interface BulkOutcome {
  /** Index of the action (pairs of lines for update/index/create, one line for delete). */
  action: number;
  item: BulkItem;
}

const RETRYABLE = new Set([409, 429, 500, 502, 503, 504]);
const sleep = (ms: number) => new Promise((r) => setTimeout(r, ms));

/** Splits bulk lines into actions: update/index/create take a body line, delete does not. */
export function actionsOf(lines: readonly Record<string, unknown>[]): Record<string, unknown>[][] {
  const actions: Record<string, unknown>[][] = [];
  for (let i = 0; i < lines.length; ) {
    const isDelete = 'delete' in lines[i];
    actions.push(lines.slice(i, i + (isDelete ? 1 : 2)));
    i += isDelete ? 1 : 2;
  }
  return actions;
}

/**
 * Runs bulk actions and retries the items OpenSearch may accept later (version conflicts,
 * rejections, shard failures) a few times with backoff, and the whole request while OpenSearch is
 * unreachable. Returns every item's final outcome; a request that still fails throws.
 */
export async function bulkWithRetries(os: Client, lines: readonly Record<string, unknown>[], o: { attempts?: number; refresh?: boolean } = {}): Promise<BulkOutcome[]> {
  const actions = actionsOf(lines);
  const outcomes: BulkOutcome[] = new Array(actions.length);
  let pending = actions.map((_, i) => i);
  const attempts = o.attempts ?? 4;
  for (let attempt = 1; pending.length > 0; attempt++) {
    let res;
    try {
      res = await os.bulk({ body: pending.flatMap((i) => actions[i]) as never, ...(o.refresh ? { refresh: true } : {}) });
    } catch (e) {
      if (!isOpenSearchUnavailable(e) || attempt >= attempts) throw e;
      await sleep(100 * 2 ** attempt);
      continue;
    }
    const items = (res.body as { items: Record<string, BulkItem>[] }).items;
    const retry: number[] = [];
    items.forEach((wrapped, k) => {
      const item = Object.values(wrapped)[0];
      const action = pending[k];
      outcomes[action] = { action, item };
      if (item.error && RETRYABLE.has(item.status) && attempt < attempts) retry.push(action);
    });
    pending = retry;
    if (pending.length) await sleep(50 * 2 ** attempt);
  }
  return outcomes;
}

/** A bulk item failure, for logs. */
export const describeItem = (item: BulkItem): string => `${item.status} ${item.error?.type ?? ''}: ${item.error?.reason ?? ''}`;

/** A missing document, or a missing index behind a required alias. */
export const isMissing = (item: BulkItem): boolean =>
  item.status === 404 && (item.error?.type === 'document_missing_exception' || item.error?.type === 'index_not_found_exception' || item.error === undefined);
