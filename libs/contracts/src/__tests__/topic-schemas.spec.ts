import { readFileSync, readdirSync } from 'node:fs';
import { resolve } from 'node:path';
import { TOPIC_SPECS, topicJsonSchemaFiles } from '../index';

const dir = resolve(__dirname, '../../../../docs/events');

describe('JSON Schema for analysts (docs/events)', () => {
  const generated = topicJsonSchemaFiles();

  it('has one schema per topic', () => {
    expect(Object.keys(generated).sort()).toEqual([...TOPIC_SPECS.map((t) => `${t.name}.schema.json`), 'README.md'].sort());
  });

  it('is up to date with libs/contracts (run `npm run schemas` when this fails)', () => {
    const onDisk = readdirSync(dir).filter((f) => f.endsWith('.schema.json') || f === 'README.md').sort();
    expect(onDisk).toEqual(Object.keys(generated).sort());
    for (const [name, content] of Object.entries(generated)) {
      expect({ name, content: readFileSync(resolve(dir, name), 'utf8') }).toEqual({ name, content });
    }
  });
});
