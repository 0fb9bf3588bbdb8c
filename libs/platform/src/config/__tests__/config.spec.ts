import { Type } from '@sinclair/typebox';
import { CommonConfig, ConfigError, DatabaseConfig, Var, describeConfig, loadConfig } from '../config';

const Schema = Type.Object({
  ...CommonConfig,
  ...DatabaseConfig,
  SECRET: Var.string({ description: 'A secret.', sensitive: true, minLength: 8 }),
});

describe('loadConfig', () => {
  it('applies defaults and converts numbers', () => {
    const c = loadConfig(Schema, { SECRET: 'abcdefgh', KAFKA_TOPIC_PARTITIONS: '12' });
    expect(c.KAFKA_TOPIC_PARTITIONS).toBe(12);
    expect(c.KAFKA_BROKERS).toBe('127.0.0.1:9092');
    expect(c.LOG_LEVEL).toBe('info');
  });

  it('refuses bad values, naming each variable, and never prints a secret', () => {
    let error: unknown;
    try {
      loadConfig(Schema, { SECRET: 'short', KAFKA_TOPIC_PARTITIONS: 'many', LOG_LEVEL: 'loud', KAFKA_BROKERS: 'no port', DATABASE_URL: 'mysql://x' });
    } catch (e) {
      error = e;
    }
    expect(error).toBeInstanceOf(ConfigError);
    const problems = (error as ConfigError).problems;
    expect(problems.map((p) => p.split(':')[0]).sort()).toEqual(['DATABASE_URL', 'KAFKA_BROKERS', 'KAFKA_TOPIC_PARTITIONS', 'LOG_LEVEL', 'SECRET']);
    expect((error as Error).message).not.toContain('short');
    expect((error as Error).message).not.toContain('mysql://x');
    expect((error as Error).message).toContain('<redacted>');
  });

  it('refuses a missing required variable', () => {
    expect(() => loadConfig(Schema, {})).toThrow(/SECRET: .*got nothing/);
  });

  it('describes every variable for .env.example', () => {
    const text = describeConfig(Schema);
    expect(text).toContain('# A secret. (sensitive)');
    expect(text).toContain('KAFKA_BROKERS=127.0.0.1:9092');
  });
});
