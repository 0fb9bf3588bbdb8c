import { dataSourceOptions, ensureSchema } from '@signal/platform';
import { recreateTestDatabase } from '@signal/testing';
import { DataSource } from 'typeorm';
import { PROFILE_MIGRATIONS } from '../src/app.module';
import { PROFILE_ENTITIES } from '../src/profiles/entities';

const PROFILE_TABLES = ['applied_events', 'erasures', 'identities', 'migrations', 'products', 'profile_merges', 'profiles', 'quiz_rewards', 'quizzes', 'segment_backfills', 'segment_memberships', 'segments', 'store_settings'];

// A database of its own: taking the schema down must not pull tables from under other tests.
let ds: DataSource;

beforeAll(async () => {
  const url = await recreateTestDatabase(process.env.DATABASE_URL as string, 'signal_profile_migrations_test');
  await ensureSchema(url, 'profile');
  ds = await new DataSource(dataSourceOptions({ url, schema: 'profile', entities: PROFILE_ENTITIES, migrations: PROFILE_MIGRATIONS, poolSize: 2 })).initialize();
});
afterAll(() => ds?.destroy());

const tables = async (): Promise<string[]> =>
  (await ds.query(`SELECT table_name FROM information_schema.tables WHERE table_schema = 'profile' ORDER BY table_name`)).map((r: { table_name: string }) => r.table_name);

describe('profile migrations', () => {
  it('go up, all the way down, and up again', async () => {
    await ds.runMigrations({ transaction: 'each' });
    expect(await tables()).toEqual(PROFILE_TABLES);

    for (let executed = PROFILE_MIGRATIONS.length; executed > 0; executed--) await ds.undoLastMigration({ transaction: 'each' });
    expect(await tables()).toEqual(['migrations']);
    expect(await ds.query(`SELECT * FROM "profile"."migrations"`)).toEqual([]);

    await ds.runMigrations({ transaction: 'each' });
    expect(await tables()).toEqual(PROFILE_TABLES);
  });

  it('match the entities', async () => {
    const pending = await ds.driver.createSchemaBuilder().log();
    expect(pending.upQueries.map((q) => q.query)).toEqual([]);
  });
});
