import { locateInfra } from './infra';
import { recreateTestDatabase } from './databases';

/** Jest globalSetup for integration tests: real infrastructure once per run, a fresh test database. */
export default async function globalSetup(): Promise<void> {
  const infra = await locateInfra();
  const database = process.env.TEST_DATABASE ?? 'signal_test';
  process.env.KAFKA_BROKERS = infra.KAFKA_BROKERS;
  process.env.OPENSEARCH_URL = infra.OPENSEARCH_URL;
  process.env.DATABASE_URL = await recreateTestDatabase(infra.DATABASE_URL, database);
  process.env.LOG_LEVEL ??= 'warn';
}
