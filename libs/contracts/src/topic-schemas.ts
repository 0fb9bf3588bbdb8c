import type { TSchema } from '@sinclair/typebox';
import { InventoryChange, Product } from './catalog';
import { DeadLetter } from './dead-letter';
import { EVENT_PROPERTIES, EnrichedEvent, RawEvent } from './events';
import { TOPIC_SPECS, TOPICS, type TopicName } from './topics';

/** The value schema of every topic: the one definition analysts' JSON Schema is generated from. */
export const TOPIC_VALUE_SCHEMAS: Record<TopicName, TSchema> = {
  [TOPICS.EventsRaw]: RawEvent,
  [TOPICS.EventsEnriched]: EnrichedEvent,
  [TOPICS.EventsDeadLetter]: DeadLetter,
  [TOPICS.CatalogProducts]: Product,
  [TOPICS.CatalogInventory]: InventoryChange,
};

/** JSON Schema documents for docs/events/, keyed by file name. Deterministic output. */
export function topicJsonSchemaFiles(): Record<string, string> {
  const files: Record<string, string> = {};
  for (const spec of TOPIC_SPECS) {
    const schema = {
      $schema: 'https://json-schema.org/draft/2020-12/schema',
      title: spec.name,
      description: `${spec.description} Key: ${spec.key}.${spec.compacted ? ' Compacted.' : ''}`,
      ...TOPIC_VALUE_SCHEMAS[spec.name],
      $id: `${spec.name}.schema.json`,
    };
    if (spec.name === TOPICS.EventsRaw || spec.name === TOPICS.EventsEnriched) {
      Object.assign(schema, { 'x-properties-by-type': EVENT_PROPERTIES });
    }
    files[`${spec.name}.schema.json`] = `${JSON.stringify(schema, null, 2)}\n`;
  }
  return files;
}
