import { migrationRoundTrip } from '@signal/testing';
import { INGEST_MIGRATIONS } from '../src/app.module';

it('ingest migrations run up, down and up again', async () => {
  const tables = await migrationRoundTrip({ schema: 'ingest', entities: [], migrations: INGEST_MIGRATIONS });
  expect(tables).toEqual({ up: ['identity_links', 'seen_events'], down: [], upAgain: ['identity_links', 'seen_events'] });
});
