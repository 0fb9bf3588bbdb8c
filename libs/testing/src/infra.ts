import { execFileSync } from 'node:child_process';
import { resolve } from 'node:path';

export interface InfraUrls {
  KAFKA_BROKERS: string;
  OPENSEARCH_URL: string;
  /** Server URL without a database name; tests create their own databases. */
  DATABASE_URL: string;
}

export const repoRoot = resolve(__dirname, '../../..');

interface Stoppable {
  stop(): Promise<unknown>;
}
const started: Stoppable[] = [];

async function dockerAvailable(): Promise<boolean> {
  try {
    const { getContainerRuntimeClient } = await import('testcontainers');
    await getContainerRuntimeClient();
    return true;
  } catch {
    // testcontainers rejects with "Could not find a working container runtime strategy".
    return false;
  }
}

async function startContainers(): Promise<InfraUrls> {
  const { GenericContainer, Wait } = await import('testcontainers');
  const { KafkaContainer } = await import('@testcontainers/kafka');
  const { PostgreSqlContainer } = await import('@testcontainers/postgresql');
  const [kafka, postgres, opensearch] = await Promise.all([
    new KafkaContainer('confluentinc/cp-kafka:7.7.1').withKraft().start(),
    new PostgreSqlContainer('postgres:15').withUsername('postgres').withPassword('postgres').start(),
    new GenericContainer('opensearchproject/opensearch:2.19.1')
      .withEnvironment({ 'discovery.type': 'single-node', DISABLE_SECURITY_PLUGIN: 'true', DISABLE_INSTALL_DEMO_CONFIG: 'true', OPENSEARCH_JAVA_OPTS: '-Xms512m -Xmx512m' })
      .withExposedPorts(9200)
      .withWaitStrategy(Wait.forHttp('/_cluster/health?wait_for_status=yellow', 9200))
      .start(),
  ]);
  started.push(kafka, postgres, opensearch);
  return {
    KAFKA_BROKERS: `${kafka.getHost()}:${kafka.getMappedPort(9093)}`,
    OPENSEARCH_URL: `http://${opensearch.getHost()}:${opensearch.getMappedPort(9200)}`,
    DATABASE_URL: `postgres://postgres:postgres@${postgres.getHost()}:${postgres.getMappedPort(5432)}`,
  };
}

function startLocal(): InfraUrls {
  execFileSync('bash', [resolve(repoRoot, 'deploy/local/infra.sh'), 'up'], { stdio: ['ignore', 'inherit', 'inherit'] });
  const env = execFileSync('bash', [resolve(repoRoot, 'deploy/local/infra.sh'), 'env'], { encoding: 'utf8' });
  const value = (name: string) => new RegExp(`${name}=([^\\s'"]+)`).exec(env)?.[1];
  return {
    KAFKA_BROKERS: value('KAFKA_BROKERS') ?? '127.0.0.1:9092',
    OPENSEARCH_URL: value('OPENSEARCH_URL') ?? 'http://127.0.0.1:9200',
    DATABASE_URL: value('DATABASE_URL') ?? 'postgres://postgres@127.0.0.1:5432/postgres',
  };
}

/**
 * Finds Kafka, OpenSearch and Postgres: the URLs in the environment when all are set,
 * else containers when a Docker engine exists, else the project's own local infra script.
 */
export async function locateInfra(): Promise<InfraUrls> {
  const { KAFKA_BROKERS, OPENSEARCH_URL, DATABASE_URL } = process.env;
  if (KAFKA_BROKERS && OPENSEARCH_URL && DATABASE_URL) return { KAFKA_BROKERS, OPENSEARCH_URL, DATABASE_URL };
  if (await dockerAvailable()) return startContainers();
  return startLocal();
}

export async function stopStartedInfra(): Promise<void> {
  await Promise.all(started.splice(0).map((c) => c.stop()));
}
