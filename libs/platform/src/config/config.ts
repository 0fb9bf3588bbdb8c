import { Type, type Static, type TObject, type TProperties, type TSchema } from '@sinclair/typebox';
import { Value } from '@sinclair/typebox/value';

/** Schema options every variable carries: a description, and whether its value is secret. */
export interface VariableOptions {
  description: string;
  sensitive?: boolean;
}
const opts = (o: VariableOptions) => ({ description: o.description, sensitive: o.sensitive ?? false });

export const Var = {
  string: (o: VariableOptions & { default?: string; minLength?: number; pattern?: string }) =>
    Type.String({ ...opts(o), ...(o.default !== undefined ? { default: o.default } : {}), minLength: o.minLength ?? 1, ...(o.pattern ? { pattern: o.pattern } : {}) }),
  url: (o: VariableOptions & { default?: string; protocols: string[] }) =>
    Type.String({ ...opts(o), ...(o.default !== undefined ? { default: o.default } : {}), pattern: `^(${o.protocols.join('|')})://\\S+$` }),
  int: (o: VariableOptions & { default?: number; minimum?: number; maximum?: number }) =>
    Type.Integer({ ...opts(o), ...(o.default !== undefined ? { default: o.default } : {}), minimum: o.minimum ?? 0, maximum: o.maximum ?? Number.MAX_SAFE_INTEGER }),
  enum: <T extends string>(values: readonly T[], o: VariableOptions & { default?: T }) =>
    Type.Union(values.map((v) => Type.Literal(v)), { ...opts(o), ...(o.default !== undefined ? { default: o.default } : {}) }),
  optional: <T extends TSchema>(schema: T) => Type.Optional(schema),
};

export class ConfigError extends Error {
  constructor(readonly problems: string[]) {
    super(`Invalid configuration:\n  ${problems.join('\n  ')}`);
    this.name = 'ConfigError';
  }
}

/**
 * Reads the variables a service declares from the environment, applies defaults,
 * converts numbers, and refuses bad values naming each offending variable.
 */
export function loadConfig<T extends TProperties>(schema: TObject<T>, env: NodeJS.ProcessEnv = process.env): Static<TObject<T>> {
  const raw: Record<string, unknown> = {};
  for (const name of Object.keys(schema.properties)) {
    const value = env[name];
    if (value !== undefined && value !== '') raw[name] = value;
  }
  const withDefaults = Value.Default(schema, raw);
  const converted = Value.Convert(schema, withDefaults);
  const problems: string[] = [];
  for (const e of Value.Errors(schema, converted)) {
    const name = e.path.replace(/^\//, '') || '(config)';
    const prop = schema.properties[name] as TSchema | undefined;
    const shown = prop?.sensitive ? '<redacted>' : JSON.stringify(raw[name]);
    const problem = `${name}: ${e.message} (got ${raw[name] === undefined ? 'nothing' : shown}) - ${prop?.description ?? ''}`;
    if (!problems.some((p) => p.startsWith(`${name}:`))) problems.push(problem);
  }
  if (problems.length) throw new ConfigError(problems);
  return converted as Static<TObject<T>>;
}

/** Lines for .env.example: every variable, its description, default, and whether it is secret. */
export function describeConfig(schema: TObject): string {
  return Object.entries(schema.properties)
    .map(([name, prop]) => {
      const s = prop as TSchema;
      const flags = s.sensitive ? ' (sensitive)' : '';
      const optional = !schema.required?.includes(name);
      const note = s.default === undefined ? (optional ? ' (optional)' : ' (required)') : '';
      return `# ${s.description}${flags}${note}\n${optional && s.default === undefined ? '# ' : ''}${name}=${s.default ?? ''}`;
    })
    .join('\n');
}

/** Settings every service shares. */
export const CommonConfig = {
  LOG_LEVEL: Var.enum(['fatal', 'error', 'warn', 'info', 'debug', 'trace'] as const, { description: 'Log level.', default: 'info' }),
  KAFKA_BROKERS: Var.string({ description: 'Comma-separated Kafka bootstrap brokers, host:port.', default: '127.0.0.1:9092', pattern: '^[^,\\s]+:\\d+(,[^,\\s]+:\\d+)*$' }),
  KAFKA_TOPIC_PARTITIONS: Var.int({ description: 'Partitions for topics this service creates at start-up.', default: 6, minimum: 1, maximum: 1000 }),
  KAFKA_REPLICATION_FACTOR: Var.int({ description: 'Replication factor for topics this service creates (3 in production).', default: 1, minimum: 1, maximum: 10 }),
  KAFKA_CONSUMER_MAX_ATTEMPTS: Var.int({ description: 'Tries per message before it is dead-lettered.', default: 5, minimum: 1, maximum: 100 }),
  KAFKA_PARTITIONS_CONCURRENCY: Var.int({ description: 'Partitions a consumer processes at once.', default: 3, minimum: 1, maximum: 64 }),
  KAFKA_GROUP_ID: Var.optional(Var.string({ description: 'Consumer group id; defaults to the service name.', pattern: '^[A-Za-z0-9._-]+$' })),
  KAFKA_SESSION_TIMEOUT_MS: Var.int({ description: 'Consumer session timeout: how soon a crashed consumer\'s partitions move on.', default: 30_000, minimum: 6_000, maximum: 300_000 }),
  KAFKA_SEND_TIMEOUT_MS: Var.int({ description: 'How long a produce may wait for the broker before failing.', default: 10_000, minimum: 100 }),
};

export const DatabaseConfig = {
  DATABASE_URL: Var.url({ description: 'PostgreSQL connection URL.', protocols: ['postgres', 'postgresql'], default: 'postgres://postgres@127.0.0.1:5432/signal', sensitive: true }),
  DATABASE_POOL_SIZE: Var.int({ description: 'Connections in the pool.', default: 10, minimum: 1, maximum: 200 }),
};

export const OpenSearchConfig = {
  OPENSEARCH_URL: Var.url({ description: 'OpenSearch URL.', protocols: ['http', 'https'], default: 'http://127.0.0.1:9200', sensitive: true }),
};

export const httpPort = (defaultPort: number) =>
  ({ PORT: Var.int({ description: 'HTTP port (API, health, metrics).', default: defaultPort, minimum: 1, maximum: 65535 }) });
