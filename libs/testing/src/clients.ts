import { TOPICS, productKey, shopperKey, type EnrichedEvent, type Product, type TopicName } from '@signal/contracts';
import { Kafka, logLevel } from 'kafkajs';

export interface TestResponse<T> {
  status: number;
  body: T;
}

/** HTTP calls to a service under test; JSON in and out, the body as text when it is not JSON. */
export function httpClient(baseUrl: string) {
  const send = async <T = unknown>(method: string, path: string, body?: unknown, headers: Record<string, string> = {}): Promise<TestResponse<T>> => {
    const res = await fetch(`${baseUrl}${path}`, {
      method,
      headers: body === undefined ? headers : { 'content-type': 'application/json', ...headers },
      body: body === undefined ? undefined : typeof body === 'string' || body instanceof Uint8Array ? body : JSON.stringify(body),
    });
    const text = await res.text();
    return { status: res.status, body: ((res.headers.get('content-type') ?? '').includes('json') && text ? JSON.parse(text) : text) as T };
  };
  return { send, get: <T = unknown>(path: string) => send<T>('GET', path) };
}

/** Publishes test messages straight to the topics, acknowledged by every replica. */
export async function testProducer(brokers: string, clientId: string) {
  const producer = new Kafka({ clientId, brokers: brokers.split(','), logLevel: logLevel.NOTHING }).producer();
  await producer.connect();
  const publishRaw = async (topic: TopicName, messages: { key: string | null; value: string | null; headers?: Record<string, string> }[]) => {
    await producer.send({ topic, acks: -1, messages });
  };
  return {
    publishRaw,
    publish: (events: EnrichedEvent[]) => publishRaw(TOPICS.EventsEnriched, events.map((e) => ({ key: shopperKey(e.storeId, e.profileId), value: JSON.stringify(e) }))),
    publishProducts: (products: Product[]) => publishRaw(TOPICS.CatalogProducts, products.map((p) => ({ key: productKey(p.storeId, p.productId), value: JSON.stringify(p) }))),
    close: () => producer.disconnect(),
  };
}
