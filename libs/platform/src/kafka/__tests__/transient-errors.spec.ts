import { PublishTimeoutError } from '../kafka-publisher';
import { isTransientInfrastructureError } from '../transient-errors';

const withCode = (code: string) => Object.assign(new Error('x'), { code });

describe('isTransientInfrastructureError', () => {
  it.each([
    ['a refused connection', withCode('ECONNREFUSED')],
    ['Postgres shutting down', withCode('57P01')],
    ['a lost Postgres connection', withCode('08006')],
    ['too many connections', withCode('53300')],
    ['a deadlock', withCode('40P01')],
    ['a serialization failure', withCode('40001')],
    ['a pool that lost its connection', new Error('Connection terminated unexpectedly')],
    ['a retriable Kafka error', Object.assign(new Error('x'), { name: 'KafkaJSConnectionError', retriable: true })],
    ['a Kafka publish timeout', new PublishTimeoutError(10)],
    ['a driver error wrapped by TypeORM', Object.assign(new Error('query failed'), { driverError: withCode('08003') })],
  ])('waits out %s', (_, e) => expect(isTransientInfrastructureError(e)).toBe(true));

  it.each([
    ['a bug', new TypeError('undefined is not a function')],
    ['a constraint violation', withCode('23505')],
    ['an invalid value', withCode('22P02')],
    ['a non-retriable Kafka error', Object.assign(new Error('x'), { name: 'KafkaJSNonRetriableError', retriable: false })],
    ['a string', 'boom'],
    ['nothing', undefined],
  ])('does not wait out %s', (_, e) => expect(isTransientInfrastructureError(e)).toBe(false));
});
