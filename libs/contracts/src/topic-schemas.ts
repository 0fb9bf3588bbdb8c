import type { TSchema } from '@sinclair/typebox';
import { CampaignMessage } from './campaigns';
import { InventoryChange, Product } from './catalog';
import { DeadLetter } from './dead-letter';
import { EVENT_PROPERTIES, EVENT_TYPES, EnrichedEvent, RawEvent, TrackedEvent } from './events';
import { PrivacyErasure, ProfileView, SegmentMembershipChange } from './profile';
import { RecommendationServed } from './recommendations';
import { SearchServed } from './search';
import { TOPIC_SPECS, TOPICS, type TopicName } from './topics';

/** The value schema of every topic: the one definition analysts' JSON Schema is generated from. */
export const TOPIC_VALUE_SCHEMAS: Record<TopicName, TSchema> = {
  [TOPICS.EventsRaw]: RawEvent,
  [TOPICS.EventsEnriched]: EnrichedEvent,
  [TOPICS.EventsDeadLetter]: DeadLetter,
  [TOPICS.CatalogProducts]: Product,
  [TOPICS.CatalogInventory]: InventoryChange,
  [TOPICS.ProfilesChanged]: ProfileView,
  [TOPICS.SegmentsMembership]: SegmentMembershipChange,
  [TOPICS.PrivacyErasures]: PrivacyErasure,
  [TOPICS.RecommendationsServed]: RecommendationServed,
  [TOPICS.SearchServed]: SearchServed,
  [TOPICS.CampaignMessages]: CampaignMessage,
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
  files['README.md'] = eventCatalog();
  return files;
}

function fieldsOf(schema: TSchema): string {
  const props = (schema.properties ?? {}) as Record<string, TSchema>;
  const required = new Set<string>((schema.required as string[] | undefined) ?? []);
  const names = Object.keys(props).map((n) => (required.has(n) ? `\`${n}\`` : `\`${n}\`?`));
  return names.length ? names.join(', ') : '(none)';
}

/** docs/events/README.md: the topics and every event type's fields, for analysts. */
function eventCatalog(): string {
  const topics = TOPIC_SPECS.map((t) => `| \`${t.name}\` | \`${t.key}\` | ${t.compacted ? 'compacted' : `${t.retentionHours} h`} | ${t.description} | [schema](${t.name}.schema.json) |`);
  const types = EVENT_TYPES.map((t) => `| \`${t}\` | ${fieldsOf(EVENT_PROPERTIES[t])} |`);
  return [
    '# Events and topics',
    '',
    'Generated from `libs/contracts` by `npm run schemas`; a unit test fails when this folder is stale.',
    'Values are JSON (UTF-8). A rename or a breaking change means a new topic version, never an edit.',
    '',
    '| topic | key | retention | what | value schema |',
    '| --- | --- | --- | --- | --- |',
    ...topics,
    '',
    '## Shopper events',
    '',
    `Envelope (\`events.raw.v1\` adds \`storeId\`, \`receivedAt\`; \`events.enriched.v1\` adds \`profileId\`, \`enrichment\`, \`enrichedAt\`): ${fieldsOf(TrackedEvent)}.`,
    '',
    'Fields marked `?` are optional. `properties` by `type`:',
    '',
    '| type | properties |',
    '| --- | --- |',
    ...types,
    '',
  ].join('\n');
}
