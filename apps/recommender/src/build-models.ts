import 'reflect-metadata';
import { loadConfig, openDatabase } from '@signal/platform';
import { RecommenderConfigSchema } from './config';
import { buildStoreModels, storesToBuild } from './models/build-models';
import { RECOMMENDER_MIGRATIONS } from './migrations';

/**
 * The model job, separate from serving: `node dist/apps/recommender/src/build-models.js
 * [--store <id>] [--loop]`. Once: builds every store (or one) and exits 0. --loop: again every
 * MODEL_BUILD_INTERVAL_S until SIGTERM (a Kubernetes Deployment; a CronJob runs it without --loop).
 */
function args(argv: string[]): { store?: string; loop: boolean } {
  const out: { store?: string; loop: boolean } = { loop: false };
  for (let i = 0; i < argv.length; i++) {
    if (argv[i] === '--store' && argv[i + 1]) out.store = argv[++i];
    else if (argv[i] === '--loop') out.loop = true;
    else throw new Error(`unknown argument ${argv[i]} (use --store <id> and/or --loop)`);
  }
  return out;
}

async function main(): Promise<void> {
  const { store, loop } = args(process.argv.slice(2));
  const config = loadConfig(RecommenderConfigSchema);
  const db = await openDatabase({ url: config.DATABASE_URL, schema: 'recommender', entities: [], migrations: RECOMMENDER_MIGRATIONS, poolSize: 2 });
  let stopping = false;
  let wake: (() => void) | undefined;
  const stop = () => {
    stopping = true;
    wake?.();
  };
  process.once('SIGTERM', stop);
  process.once('SIGINT', stop);
  try {
    do {
      for (const id of store ? [store] : await storesToBuild(db)) {
        if (stopping) break;
        const stats = await buildStoreModels(db, config, id);
        console.log(JSON.stringify({ msg: 'models built', storeId: id, ...stats }));
      }
      if (loop && !stopping) await new Promise<void>((resolve) => setTimeout((wake = resolve), config.MODEL_BUILD_INTERVAL_S * 1_000));
    } while (loop && !stopping);
  } finally {
    await db.destroy();
  }
}

main().catch((err: unknown) => {
  console.error(err instanceof Error ? err.stack : err);
  process.exit(1);
});
