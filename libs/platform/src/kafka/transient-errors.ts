import { PublishTimeoutError } from './kafka-publisher';

// Node socket errors and PostgreSQL SQLSTATEs that mean "the infrastructure is not there right
// now" (connection failures, shutdown, too many connections) or "try again" (serialization,
// deadlock): waiting fixes them, dead-lettering would lose good messages.
const NODE_CODES = new Set(['ECONNREFUSED', 'ECONNRESET', 'ETIMEDOUT', 'EPIPE', 'EHOSTUNREACH', 'ENOTFOUND', 'EAI_AGAIN']);
const SQLSTATE_CLASSES = ['08', '57P', '53'];
const SQLSTATES = new Set(['40001', '40P01']);
const MESSAGES = /Connection terminated|timeout exceeded when trying to connect|Connection is not established|Client has encountered a connection error/i;

// OpenSearch client errors: unreachable, or answering "overloaded / not now".
const OPENSEARCH_UNREACHABLE = new Set(['ConnectionError', 'TimeoutError', 'NoLivingConnectionsError']);

/** OpenSearch unreachable or overloaded: waiting may fix it. */
export function isOpenSearchUnavailable(e: unknown): boolean {
  const { name, meta } = (e ?? {}) as { name?: unknown; meta?: { statusCode?: unknown } };
  if (typeof name === 'string' && OPENSEARCH_UNREACHABLE.has(name)) return true;
  return name === 'ResponseError' && typeof meta?.statusCode === 'number' && (meta.statusCode === 429 || meta.statusCode >= 502);
}

/** True for failures of the infrastructure rather than of the message. */
export function isTransientInfrastructureError(e: unknown): boolean {
  if (e instanceof PublishTimeoutError) return true;
  if (typeof e !== 'object' || e === null) return false;
  if (isOpenSearchUnavailable(e)) return true;
  const { code, name, retriable, message, driverError } = e as { code?: unknown; name?: unknown; retriable?: unknown; message?: unknown; driverError?: unknown };
  if (typeof code === 'string' && (NODE_CODES.has(code) || SQLSTATES.has(code) || SQLSTATE_CLASSES.some((c) => code.startsWith(c)))) return true;
  if (typeof name === 'string' && name.startsWith('KafkaJS') && retriable === true) return true;
  if (typeof message === 'string' && MESSAGES.test(message)) return true;
  // TypeORM wraps driver errors.
  return driverError !== undefined && driverError !== e && isTransientInfrastructureError(driverError);
}
