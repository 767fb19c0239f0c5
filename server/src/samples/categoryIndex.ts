/**
 * The event category values of the events of a cached sample file, so that a re-run of a rule
 * whose every filter names a category (no `any`) looks only at the events of those categories, and
 * tries on each only the filters of its categories, without reading the category field again.
 *
 * Exactness: every filter of such a rule is `category where condition`, which passes an event only
 * when one of its category values passes the category test (`compileCategoryValueTest`), and the
 * condition is only evaluated after that. An event none of whose values passes the test of any
 * filter therefore passes no filter: a relevant-only replay drops it without any other effect
 * (no warning, no error), so it is left out unseen. An event some of whose values pass the test of
 * a filter's category passes that filter exactly when it passes its condition, so the replay tries
 * the condition alone (`ReplaySession.relevanceFor`), in the order the whole filters are tried:
 * the same filters are evaluated, and a failing one fails alike. The events given to the replay
 * keep their file order, hence the implicit tiebreaker. Events without a value (missing, null,
 * `[]`) never pass a category test (Elasticsearch's term query on a field the document lacks).
 * Values other than strings, numbers and booleans (objects) are not keyed: the filters whose
 * category their event's other values do not pass are tried whole on it.
 */
import type { ValueTest } from '../engine/compare';
import { compileCategoryValueTest } from '../engine/filter';
import { compileFieldGetter } from '../engine/fields';
import { lookupField, resolveAlias, type FieldMapping } from '../engine/mapping';
import { queryFilters } from '../engine/queryFilters';
import type { RelevanceTest, ReplaySession } from '../engine/replay';
import type { EventRecord } from '../engine/types';
import type { Statement } from '../eql/ast';

/** One file's events by the values of one category field. */
export interface CategoryIndex {
  /**
   * Per event (its position in the file's events): the id of its set of values in `valueSets`;
   * 0 for an event without a value.
   */
  setOf: Int32Array;
  /**
   * The distinct sets of values, by id (id 0: the empty set). `values` are the set's strings,
   * numbers and booleans, each once, in the order first met; `other` is true when the events of
   * the set also have a value of another type (an object), which no value test covers.
   */
  valueSets: Array<{ values: Array<string | number | boolean>; other: boolean }>;
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
 * Cost: one field lookup per event; memory: 4 bytes per event, plus the distinct sets of values
 * (a handful in real logs: one per category and per combination of categories).
 */
export function buildCategoryIndex(events: readonly EventRecord[], field: string, mapping?: FieldMapping): CategoryIndex {
  const valuesOf = compileFieldGetter(field, mapping);
  const setOf = new Int32Array(events.length);
  const valueSets: CategoryIndex['valueSets'] = [{ values: [], other: false }];
  const ids = new Map<string, number>();
  let withValue = 0;
  for (let i = 0; i < events.length; i++) {
    const values = valuesOf(events[i].doc);
    if (values.length === 0) continue;
    withValue++;
    const v = values[0];
    if (values.length === 1 && (typeof v === 'string' || typeof v === 'number' || typeof v === 'boolean')) {
      // The common case, one value: keyed without building a list.
      const key = valueKey(v);
      let id = ids.get(key);
      if (id === undefined) {
        ids.set(key, (id = valueSets.length));
        valueSets.push({ values: [v], other: false });
      }
      setOf[i] = id;
      continue;
    }
    const keys: string[] = [];
    const set: CategoryIndex['valueSets'][number] = { values: [], other: false };
    for (const x of values) {
      if (typeof x === 'string' || typeof x === 'number' || typeof x === 'boolean') {
        const key = valueKey(x);
        // A value repeated within one event (`["a","a"]`) is in its set once.
        if (keys.includes(key)) continue;
        keys.push(key);
        set.values.push(x);
      } else {
        set.other = true;
      }
    }
    // Sets of several values (or of an object) are keyed by the JSON list of their keys, which
    // cannot be a single value's key (those start with `s`, `n` or `b`).
    const key = set.values.length === 1 && !set.other ? keys[0] : JSON.stringify([keys, set.other]);
    let id = ids.get(key);
    if (id === undefined) {
      ids.set(key, (id = valueSets.length));
      valueSets.push(set);
    }
    setOf[i] = id;
  }
  return { setOf, valueSets, withValue };
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
 * How a replay session decides on the events of each set of values of `index`: per set id, the
 * test `session.relevanceFor` gives for events having those category values, or undefined when no
 * filter of the rule can pass them (they are left out unseen). A set holding an object value
 * (`other`), which no value test covers, leaves the filters whose category none of its other
 * values passes to their whole test.
 *
 * @param ctx the replay's event category field and mapping (the field the index was built for).
 */
export function relevanceBySet(
  index: CategoryIndex,
  session: Pick<ReplaySession, 'relevanceFor'>,
  ctx: { eventCategoryField: string; mapping?: FieldMapping },
): Array<RelevanceTest | undefined> {
  const tests = new Map<string, ValueTest>();
  const testOf = (category: string): ValueTest => {
    let t = tests.get(category);
    if (t === undefined) tests.set(category, (t = compileCategoryValueTest(category, ctx)));
    return t;
  };
  return index.valueSets.map(({ values, other }) =>
    values.length === 0 && !other ? undefined : session.relevanceFor((category) => (values.some(testOf(category)) ? true : other ? undefined : false)),
  );
}

/** Distinguishes `"1"` from `1` and `"true"` from `true` (the tests may treat them differently). */
function valueKey(v: string | number | boolean): string {
  if (typeof v === 'string') return `s${v}`;
  if (typeof v === 'number') return Object.is(v, -0) ? 'n-0' : `n${v}`;
  return v ? 'btrue' : 'bfalse';
}
