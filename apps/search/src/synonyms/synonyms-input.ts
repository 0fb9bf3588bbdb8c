import { Type, type Static } from '@sinclair/typebox';
import { Validator, type FieldError, type Validation } from '@signal/contracts';
import { normalizeQuery } from '../query/normalize';

export const SYNONYM_LIMITS = { maxSets: 1_000, maxTerms: 20, maxTermChars: 64, maxOneWay: 1_000 } as const;

const Term = Type.String({ minLength: 1, maxLength: SYNONYM_LIMITS.maxTermChars, description: 'A word or phrase; normalized like queries.' });

/** `PUT /v1/search/synonyms` body. */
export const SynonymsInput = Type.Object(
  {
    sets: Type.Array(Type.Array(Term, { minItems: 2, maxItems: SYNONYM_LIMITS.maxTerms }), {
      maxItems: SYNONYM_LIMITS.maxSets,
      description: 'Equivalent terms, each set matched both ways: [["sofa", "couch", "settee"]].',
    }),
    oneWay: Type.Optional(
      Type.Array(
        Type.Object({ from: Term, to: Type.Array(Term, { minItems: 1, maxItems: SYNONYM_LIMITS.maxTerms }) }, { additionalProperties: false }),
        { maxItems: SYNONYM_LIMITS.maxOneWay, description: 'A query for `from` also finds `to`, not the reverse: [{ "from": "laptop", "to": ["notebook"] }].' },
      ),
    ),
  },
  { additionalProperties: false },
);
export type SynonymsInput = Static<typeof SynonymsInput>;

export interface Synonyms {
  sets: string[][];
  oneWay: { from: string; to: string[] }[];
}

const shape = new Validator(SynonymsInput);

/**
 * Checks a synonyms body and normalizes it: every term as queries are (normalizeQuery), repeated
 * terms, sets and targets dropped, sets left with one term dropped, one-way entries of the same
 * `from` merged. Errors name the field (`sets.3.1`).
 */
export function checkSynonyms(body: unknown): Validation<Synonyms> {
  if (typeof body !== 'object' || body === null || Array.isArray(body)) return { ok: false, errors: [{ field: '(body)', message: 'Expected a JSON object' }] };
  const checked = shape.validate(body);
  if (!checked.ok) return checked;
  const errors: FieldError[] = [];
  const term = (raw: string, field: string): string | null => {
    const t = normalizeQuery(raw);
    if (!t) errors.push({ field, message: 'Nothing left once normalized: a term needs letters or digits' });
    else if (t.length > SYNONYM_LIMITS.maxTermChars) errors.push({ field, message: `Longer than ${SYNONYM_LIMITS.maxTermChars} characters once normalized` });
    else return t;
    return null;
  };

  const sets: string[][] = [];
  const seenSets = new Set<string>();
  checked.value.sets.forEach((set, i) => {
    const terms = [...new Set(set.map((raw, j) => term(raw, `sets.${i}.${j}`)).filter((t): t is string => t !== null))];
    const key = [...terms].sort().join('\u0000');
    if (terms.length < 2 || seenSets.has(key)) return;
    seenSets.add(key);
    sets.push(terms);
  });

  const oneWay = new Map<string, Set<string>>();
  (checked.value.oneWay ?? []).forEach((entry, i) => {
    const from = term(entry.from, `oneWay.${i}.from`);
    const to = entry.to.map((raw, j) => term(raw, `oneWay.${i}.to.${j}`)).filter((t): t is string => t !== null && t !== from);
    if (from === null) return;
    const merged = oneWay.get(from) ?? new Set<string>();
    for (const t of to) merged.add(t);
    if (merged.size > SYNONYM_LIMITS.maxTerms) errors.push({ field: `oneWay.${i}.to`, message: `More than ${SYNONYM_LIMITS.maxTerms} targets for "${from}" (entries of the same from are merged)` });
    oneWay.set(from, merged);
  });
  if (errors.length) return { ok: false, errors: errors.slice(0, 20) };
  return {
    ok: true,
    value: { sets, oneWay: [...oneWay].filter(([, to]) => to.size > 0).map(([from, to]) => ({ from, to: [...to] })) },
  };
}
