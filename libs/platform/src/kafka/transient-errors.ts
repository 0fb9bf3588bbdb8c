import { PublishTimeoutError } from './kafka-publisher';

// Node socket errors and PostgreSQL SQLSTATEs that mean "the infrastructure is not there right
// now" (connection failures, shutdown, too many connections) or "try again" (serialization,
// deadlock): waiting fixes them, dead-lettering would lose good messages.
const NODE_CODES = new Set(['ECONNREFUSED', 'ECONNRESET', 'ETIMEDOUT', 'EPIPE', 'EHOSTUNREACH', 'ENOTFOUND', 'EAI_AGAIN']);
const SQLSTATE_CLASSES = ['08', '57P', '53'];
const SQLSTATES = new Set(['40001', '40P01']);
const MESSAGES = /Connection terminated|timeout exceeded when trying to connect|Connection is not established|Client has encountered a connection error/i;

/** True for failures of the infrastructure rather than of the message. */
export function isTransientInfrastructureError(e: unknown): boolean {
  if (e instanceof PublishTimeoutError) return true;
  if (typeof e !== 'object' || e === null) return false;
  const { code, name, retriable, message, driverError } = e as { code?: unknown; name?: unknown; retriable?: unknown; message?: unknown; driverError?: unknown };
  if (typeof code === 'string' && (NODE_CODES.has(code) || SQLSTATES.has(code) || SQLSTATE_CLASSES.some((c) => code.startsWith(c)))) return true;
  if (typeof name === 'string' && name.startsWith('KafkaJS') && retriable === true) return true;
  if (typeof message === 'string' && MESSAGES.test(message)) return true;
  // TypeORM wraps driver errors.
  return driverError !== undefined && driverError !== e && isTransientInfrastructureError(driverError);
}
