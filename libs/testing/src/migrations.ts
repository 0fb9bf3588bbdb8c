import { openDatabase, type DatabaseOptions } from '@signal/platform';
import type { DataSource } from 'typeorm';
import { recreateTestDatabase } from './databases';

async function tablesIn(ds: DataSource, schema: string): Promise<string[]> {
  const rows: { table_name: string }[] = await ds.query(
    `SELECT table_name FROM information_schema.tables WHERE table_schema = $1 AND table_name <> 'migrations' ORDER BY table_name`,
    [schema],
  );
  return rows.map((r) => r.table_name);
}

/**
 * Runs a service's migrations up, all the way down, and up again in a database of its
 * own; returns the tables seen after each step so a test can assert on them.
 */
export async function migrationRoundTrip(o: Omit<DatabaseOptions, 'url' | 'poolSize'>): Promise<{ up: string[]; down: string[]; upAgain: string[] }> {
  const url = await recreateTestDatabase(process.env.DATABASE_URL as string, `migrations_test_${o.schema}`);
  const ds = await openDatabase({ ...o, url, poolSize: 2 });
  try {
    const up = await tablesIn(ds, o.schema);
    for (let i = 0; i < (o.migrations as unknown[]).length; i++) await ds.undoLastMigration({ transaction: 'each' });
    const down = await tablesIn(ds, o.schema);
    await ds.runMigrations({ transaction: 'each' });
    const upAgain = await tablesIn(ds, o.schema);
    return { up, down, upAgain };
  } finally {
    await ds.destroy();
  }
}
