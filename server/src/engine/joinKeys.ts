/**
 * Join keys (`by` clauses) of sequence and sample stages: which key values an event contributes.
 *
 * Elasticsearch semantics (sources: `execution/assembler/SequenceCriterion.java`, `BoxedQueryRequest.java`,
 * `SampleQueryRequest.java`, and the QA specs `test_extra.toml` "sequenceWithMultivalue_*",
 * "sequenceOptionalFieldAs*", `test_sample.toml` "nullValueAsJoinKey", "optionalFieldAs*"):
 * - a key over a multi-valued field expands to one key per value: values deduplicated and sorted as
 *   doc values are, `null` entries dropped; several multi-valued keys give their cartesian product;
 * - a non-optional key field without a value (missing, null, empty array) excludes the event from the
 *   stage (Elasticsearch adds an `exists` filter); an optional key (`?field`) without a value is `null`
 *   and joins with other events that lack it.
 */
import type { Expression } from '../eql/ast';
import { compileFieldGetter } from './fields';
import { FieldMapping, kindOfType, lookupField } from './mapping';
import { parseTimestamp } from './order';
import { compareNumeric, isNumeric, stringifyExact } from './values';

/**
 * A join key value as Elasticsearch returns it: string, number, boolean or null; an integer beyond
 * 2^53 is a `bigint` (exact, as a `long` or `unsigned_long` doc value).
 */
export type KeyValue = string | number | bigint | boolean | null;

/** How key values are presented: sequences return field values, samples composite-aggregation keys. */
export type KeyFlavour = 'sequence' | 'sample';

/** Compiled key extractor of one stage. */
export interface JoinKeyExtractor {
  /** Number of keys. */
  size: number;
  /**
   * Every key tuple the document contributes, in sorted order; `[]` when a non-optional key has no
   * value (the event does not take part in the stage); `[[]]` when the stage has no keys.
   */
  keysOf(doc: Record<string, unknown>): KeyValue[][];
}

function compareKeyValues(a: KeyValue, b: KeyValue): number {
  if (a === b) return 0;
  if (a === null) return -1; // composite aggregation `missing_bucket`: nulls first
  if (b === null) return 1;
  if (typeof a === typeof b) return a < b ? -1 : a > b ? 1 : 0;
  // A number and a bigint are both numbers: by value (exact).
  if (isNumeric(a) && isNumeric(b)) return compareNumeric(a, b);
  const rank = (v: KeyValue) => (typeof v === 'boolean' ? 0 : typeof v === 'number' || typeof v === 'bigint' ? 1 : 2);
  return rank(a) - rank(b);
}

/** Orders key tuples as Elasticsearch's composite aggregation orders buckets (ascending, nulls first). */
export function compareKeyTuples(a: readonly KeyValue[], b: readonly KeyValue[]): number {
  for (let i = 0; i < Math.min(a.length, b.length); i++) {
    const c = compareKeyValues(a[i], b[i]);
    if (c !== 0) return c;
  }
  return a.length - b.length;
}

/**
 * A stable identity of a key tuple (type-aware: `1` and `"1"` differ; a bigint is written as its
 * digits, so 9007199254740993 and 9007199254740992 differ).
 */
export function keyId(values: readonly KeyValue[]): string {
  return stringifyExact(values);
}

function normalise(value: unknown, type: string | undefined, format: string | undefined, flavour: KeyFlavour): KeyValue | undefined {
  if (value === null || value === undefined) return undefined;
  const kind = type === undefined ? undefined : kindOfType(type);
  if (kind === 'integer' || kind === 'rational') {
    if (typeof value === 'bigint') return value;
    const n = typeof value === 'number' ? value : typeof value === 'string' && value.trim() !== '' ? Number(value) : NaN;
    if (typeof value === 'string' && !Number.isSafeInteger(n) && /^\s*[+-]?\d+\s*$/.test(value)) return BigInt(value.trim());
    return Number.isNaN(n) ? String(value) : n;
  }
  if (kind === 'boolean') {
    if (value === 'true') return true;
    if (value === 'false') return false;
  }
  if (kind === 'date' && flavour === 'sample') {
    // Composite aggregation keys of date fields are epoch milliseconds.
    const millis = parseTimestamp(value, format);
    if (millis !== undefined) return Math.floor(millis);
  }
  if (kind === 'string' || kind === 'text' || kind === 'ip' || kind === 'version') {
    if (typeof value === 'number' || typeof value === 'bigint' || typeof value === 'boolean') return String(value);
  }
  if (typeof value === 'string' || typeof value === 'number' || typeof value === 'bigint' || typeof value === 'boolean') return value;
  return stringifyExact(value);
}

/**
 * Compiles the join keys of one stage.
 *
 * @param keys key expressions: the query's `by` keys followed by the stage's own `by` keys.
 * @param mapping optional index mapping (aliases, field types for value normalisation, date formats).
 * @param flavour `sequence` keeps field values as found; `sample` presents date keys as epoch millis.
 * @returns an extractor; never throws on odd documents.
 * @throws Error when a key is not a field.
 */
export function compileJoinKeys(
  keys: readonly Expression[],
  mapping: FieldMapping | undefined,
  flavour: KeyFlavour,
): JoinKeyExtractor {
  const parts = keys.map((expr) => {
    // Elasticsearch accepts only fields as join keys (the checker rejects other expressions,
    // QA cases "sequenceNonFieldBasedJoin" in test_queries_unsupported.toml).
    if (expr.kind !== 'field') throw new Error('join keys must be fields');
    const getter = compileFieldGetter(expr.name, mapping);
    const info = lookupField(mapping, expr.name);
    const format = info?.format;
    const type = info?.type;
    return { optional: expr.optional, values: (doc: Record<string, unknown>) => getter(doc).map((v) => normalise(v, type, format, flavour)) };
  });
  return {
    size: parts.length,
    keysOf(doc) {
      let tuples: KeyValue[][] = [[]];
      for (const part of parts) {
        const raw = part.values(doc).filter((v): v is KeyValue => v !== undefined);
        let values: KeyValue[];
        if (raw.length === 0) {
          if (!part.optional) return [];
          values = [null];
        } else {
          values = [...new Map(raw.map((v) => [keyId([v]), v])).values()].sort(compareKeyValues);
        }
        const next: KeyValue[][] = [];
        for (const t of tuples) for (const v of values) next.push([...t, v]);
        tuples = next;
      }
      return tuples;
    },
  };
}
