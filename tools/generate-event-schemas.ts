// Writes docs/events/*.schema.json from libs/contracts: `npm run schemas`.
import { mkdirSync, readdirSync, rmSync, writeFileSync } from 'node:fs';
import { resolve } from 'node:path';
import { topicJsonSchemaFiles } from '@signal/contracts';

const dir = resolve(__dirname, '../../docs/events');
mkdirSync(dir, { recursive: true });
for (const old of readdirSync(dir).filter((f) => f.endsWith('.schema.json') || f === 'README.md')) rmSync(resolve(dir, old));
for (const [name, content] of Object.entries(topicJsonSchemaFiles())) writeFileSync(resolve(dir, name), content);
console.log(`wrote ${Object.keys(topicJsonSchemaFiles()).length} schemas to docs/events/`);
