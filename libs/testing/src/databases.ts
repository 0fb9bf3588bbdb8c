import { Client } from 'pg';

/** Swaps the database of a Postgres URL. */
export function withDatabase(url: string, database: string): string {
  const u = new URL(url);
  u.pathname = `/${database}`;
  return u.toString();
}

/** Drops and recreates a database for a test run; refuses any name without "test". */
export async function recreateTestDatabase(serverUrl: string, database: string): Promise<string> {
  if (!/test/.test(database) || !/^[a-z0-9_]+$/.test(database)) {
    throw new Error(`Refusing to (re)create database "${database}": test databases must contain "test"`);
  }
  const admin = new Client({ connectionString: withDatabase(serverUrl, 'postgres') });
  await admin.connect();
  try {
    await admin.query(`DROP DATABASE IF EXISTS "${database}" WITH (FORCE)`);
    await admin.query(`CREATE DATABASE "${database}"`);
  } finally {
    await admin.end();
  }
  return withDatabase(serverUrl, database);
}
