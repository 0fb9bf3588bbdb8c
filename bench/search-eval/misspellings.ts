import { readFileSync } from 'node:fs';
import { dirname, join } from 'node:path';

/** The dictionaries of @cspell/dict-en-common-misspellings (derived from Wikipedia's list of common misspellings). */
const DICTS = ['dict-en.json', 'dict-en-us.json', 'dict-en-gb.json'];

interface CspellDictionary {
  dictionaryDefinitions: { suggestWords?: string[] }[];
}

/**
 * Real misspellings whose correction is a single word of `vocabulary` (lower-case): [misspelled,
 * correct] pairs, sorted. Entries with several corrections ("aache->ache, cache") are ambiguous
 * and left out, as are multi-word ones.
 */
export function catalogMisspellings(vocabulary: ReadonlySet<string>): [string, string][] {
  const pairs = new Map<string, string>();
  for (const file of DICTS) {
    // The package exports only its cspell settings; the word lists sit next to them.
    const root = dirname(require.resolve('@cspell/dict-en-common-misspellings/cspell-ext.json'));
    const dict = JSON.parse(readFileSync(join(root, 'dict', file), 'utf8')) as CspellDictionary;
    for (const def of dict.dictionaryDefinitions) {
      for (const entry of def.suggestWords ?? []) {
        const [wrong, right] = entry.split('->').map((s) => s.trim().toLowerCase());
        if (!wrong || !right || right.includes(',') || /\s/.test(right) || /\s/.test(wrong)) continue;
        if (vocabulary.has(right) && !vocabulary.has(wrong)) pairs.set(wrong, right);
      }
    }
  }
  return [...pairs].sort(([a], [b]) => (a < b ? -1 : 1));
}
