/**
 * Where the events of each event category are in a cached sample file, so that a re-run of a rule
 * whose every filter names a category (no `any`) looks only at the events of those categories
 * instead of reading the category field of every cached event.
 *
 * Exactness: every filter of such a rule is `category where condition`, which passes an event only
 * when one of its category values passes the category test (`compileCategoryValueTest`), and the
 * condition is only evaluated after that. An event none of whose values passes the test of any
 * filter therefore passes no filter: a relevant-only replay drops it without any other effect
 * (no warning, no error). The positions selected here are a superset of the events that can pass
 * some filter, in file order, and the replay still applies every filter to them; relative input
 * order, hence the implicit tiebreaker, is unchanged. Events without a value (missing, null, `[]`)
 * never pass a category test (Elasticsearch's term query on a field the document lacks) and are
 * never selected. Values other than strings, numbers and booleans (objects) are not keyed: their
 * events are always selected.
 */
import { compileCategoryValueTest } from '../engine/filter';
import { compileFieldGetter } from '../engine/fields';
import { lookupField, resolveAlias, type FieldMapping } from '../engine/mapping';
import { queryFilters } from '../engine/queryFilters';
import type { EventRecord } from '../engine/types';
import type { Statement } from '../eql/ast';

/** One file's events by the values of one category field. */
export interface CategoryIndex {
  /** Per distinct value (keyed by type and value, {@link valueKey}): the value and the positions of the events having it, ascending. */
  byValue: Map<string, { value: string | number | boolean; positions: Int32Array }>;
  /** Positions (ascending) of the events with a value that is not a string, number or boolean: always selected. */
  other: Int32Array;
  /** Events with at least one value. */
  withValue: number;
}

/**
 * The key under which indexes of one field are kept: what decides the values read (the concrete
 * field after aliases and multi-fields, its `null_value` and `constant_keyword` value).
 */
export function categoryIndexKey(field: string, mapping?: FieldMapping): string {
  const info = lookupField(mapping, field);
  return JSON.stringify([info?.source ?? resolveAlias(mapping, field), info?.nullValue ?? null, info?.constantValue ?? null]);
}

/**
 * Indexes `events` (a file's events, in file order) by the values of `field`.
 * Cost: one field lookup per event; memory: 4 bytes per (event, distinct value) pair.
 */
export function buildCategoryIndex(events: readonly EventRecord[], field: string, mapping?: FieldMapping): CategoryIndex {
  const valuesOf = compileFieldGetter(field, mapping);
  const lists = new Map<string, { value: string | number | boolean; positions: number[] }>();
  const other: number[] = [];
  let withValue = 0;
  for (let i = 0; i < events.length; i++) {
    const values = valuesOf(events[i].doc);
    if (values.length === 0) continue;
    withValue++;
    for (let j = 0; j < values.length; j++) {
      const v = values[j];
      if (typeof v === 'string' || typeof v === 'number' || typeof v === 'boolean') {
        const key = valueKey(v);
        let list = lists.get(key);
        if (list === undefined) lists.set(key, (list = { value: v, positions: [] }));
        // A value repeated within one event (`["a","a"]`) lists the event once.
        if (list.positions[list.positions.length - 1] !== i) list.positions.push(i);
      } else if (other[other.length - 1] !== i) {
        other.push(i);
      }
    }
  }
  const byValue = new Map<string, { value: string | number | boolean; positions: Int32Array }>();
  for (const [key, { value, positions }] of lists) byValue.set(key, { value, positions: Int32Array.from(positions) });
  return { byValue, other: Int32Array.from(other), withValue };
}

/**
 * The categories named by the filters of `statement` (stages, `until`, missing-event stages,
 * sample stages), or undefined when some filter is `any` (every event may pass it).
 */
export function ruleCategories(statement: Statement): string[] | undefined {
  const categories = new Set<string>();
  for (const f of queryFilters(statement.query)) {
    if (f.category === null) return undefined;
    categories.add(f.category);
  }
  return [...categories];
}

/**
 * The positions of the events that may pass a filter of one of `categories`: those with a value
 * some category's test accepts (and those with a value that is not keyed), ascending, each once.
 *
 * @param categories from {@link ruleCategories}.
 * @param ctx the replay's event category field and mapping (the field the index was built for).
 */
export function selectCategories(index: CategoryIndex, categories: readonly string[], ctx: { eventCategoryField: string; mapping?: FieldMapping }): Int32Array {
  const tests = categories.map((c) => compileCategoryValueTest(c, ctx));
  const chosen: Int32Array[] = [];
  if (index.other.length > 0) chosen.push(index.other);
  for (const { value, positions } of index.byValue.values()) if (tests.some((t) => t(value))) chosen.push(positions);
  if (chosen.length === 0) return new Int32Array(0);
  if (chosen.length === 1) return chosen[0];
  // Merged pairwise (each list is ascending): linear per round, no sort; an event with several
  // selected values (a multi-valued category) is fed once.
  let lists = chosen;
  while (lists.length > 1) {
    const next: Int32Array[] = [];
    for (let i = 0; i + 1 < lists.length; i += 2) next.push(mergeUnique(lists[i], lists[i + 1]));
    if (lists.length % 2 === 1) next.push(lists[lists.length - 1]);
    lists = next;
  }
  return lists[0];
}

/** The ascending union of two ascending lists, each position once. */
function mergeUnique(a: Int32Array, b: Int32Array): Int32Array {
  const out = new Int32Array(a.length + b.length);
  let i = 0;
  let j = 0;
  let n = 0;
  while (i < a.length && j < b.length) {
    const x = a[i];
    const y = b[j];
    if (x < y) {
      out[n++] = x;
      i++;
    } else if (y < x) {
      out[n++] = y;
      j++;
    } else {
      out[n++] = x;
      i++;
      j++;
    }
  }
  while (i < a.length) out[n++] = a[i++];
  while (j < b.length) out[n++] = b[j++];
  return out.subarray(0, n);
}

/** Distinguishes `"1"` from `1` and `"true"` from `true` (the tests may treat them differently). */
function valueKey(v: string | number | boolean): string {
  if (typeof v === 'string') return `s${v}`;
  if (typeof v === 'number') return Object.is(v, -0) ? 'n-0' : `n${v}`;
  return v ? 'btrue' : 'bfalse';
}
