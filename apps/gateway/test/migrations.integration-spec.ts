import { migrationRoundTrip } from '@signal/testing';
import { GATEWAY_ENTITIES, GATEWAY_MIGRATIONS } from '../src/app.module';

it('gateway migrations run up, down and up again', async () => {
  const tables = await migrationRoundTrip({ schema: 'gateway', entities: GATEWAY_ENTITIES, migrations: GATEWAY_MIGRATIONS });
  expect(tables).toEqual({ up: ['api_keys'], down: [], upAgain: ['api_keys'] });
});
