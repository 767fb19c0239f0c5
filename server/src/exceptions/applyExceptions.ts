/**
 * Applying exception items to a replay, as Kibana applies them to an EQL rule.
 *
 * Source (elastic/kibana): `x-pack/solutions/security/plugins/lists/server/services/exception_lists/build_exception_filter.ts`
 * turns the rule's exception items into one query filter — per entry `match` → `match_phrase`,
 * `match_any` → a `should` of `match_phrase`, `wildcard` → a `wildcard` query, `exists` → `exists`,
 * `excluded` → `must_not` of the same clause, `nested` → a `nested` query on the entries' parent;
 * the entries of one item are ANDed (`bool.filter`), the items ORed (`bool.should`), an item with
 * `os_types` also needs `host.os.type` (or `host.os.name.caseless`) to be one of them, expired
 * items (`expire_time` in the past) are dropped — and negates the whole filter (`negate: true`).
 * `x-pack/solutions/security/plugins/security_solution/server/lib/detection_engine/rule_types/eql/build_eql_search_request.ts`
 * puts that filter into the `filter` of the `_eql/search` request, and Elasticsearch applies the
 * request's `filter` to every event before the EQL query runs ("EQL search API": `filter`). So an
 * exception removes *events* before sequences are built, not alerts afterwards: a sequence loses
 * an excluded event and may then complete with another one, or not at all. (Items with large value
 * lists, which Kibana cannot put into the filter, only produce a warning for EQL rules in
 * `rule_types/eql/eql.ts`; value lists are not available here and such items are refused when read.)
 *
 * Values are compared as on `keyword` fields (as ECS maps most fields): `match` is exact and
 * case-sensitive, `wildcard` takes `*` and `?` (a `\` escapes the next character), case-sensitive;
 * numbers and booleans compare by their text (`5985` matches "5985"). An array field matches when
 * one of its values does. Fields mapped as `text` (analysed) are not modelled.
 */
import { getFieldValues } from '../engine/fields';
import { compileLuceneWildcard } from '../engine/wildcard';
import type { EventRecord, Match } from '../engine/types';
import type { ExceptionEntry, ExceptionItem } from './exceptionItem';

type Doc = Record<string, unknown>;
type Predicate = (doc: Doc) => boolean;

/** The text an indexed scalar has on a keyword field; undefined for objects. */
function indexedText(v: unknown): string | undefined {
  if (typeof v === 'string') return v;
  if (typeof v === 'number' || typeof v === 'boolean' || typeof v === 'bigint') return String(v);
  return undefined;
}

function matchesValue(v: unknown, value: string): boolean {
  const text = indexedText(v);
  if (text === undefined) return false;
  if (text === value) return true;
  // A numeric field matches a numeric query text however it is written (`5985` and "5985.0").
  return typeof v === 'number' && value.trim() !== '' && Number(value) === v;
}

function compileEntry(entry: ExceptionEntry, parent?: string): Predicate {
  const field = parent !== undefined ? `${parent}.${entry.field}` : entry.field;
  let clause: Predicate;
  switch (entry.type) {
    case 'match': {
      const value = entry.value;
      clause = (doc) => getFieldValues(doc, field).some((v) => matchesValue(v, value));
      break;
    }
    case 'match_any': {
      const values = entry.value;
      clause = (doc) => getFieldValues(doc, field).some((v) => values.some((value) => matchesValue(v, value)));
      break;
    }
    case 'wildcard': {
      const matcher = compileLuceneWildcard(entry.value, false);
      clause = (doc) =>
        getFieldValues(doc, field).some((v) => {
          const text = indexedText(v);
          return text !== undefined && matcher(text);
        });
      break;
    }
    case 'exists':
      clause = (doc) => getFieldValues(doc, field).length > 0;
      break;
    case 'nested': {
      // A `nested` query holds when one element of the array of objects satisfies every inner entry.
      const inner = entry.entries.map((e) => compileEntry(e));
      return (doc) =>
        getFieldValues(doc, field).some(
          (element) => typeof element === 'object' && element !== null && !Array.isArray(element) && inner.every((p) => p(element as Doc)),
        );
    }
  }
  return entry.operator === 'excluded' ? (doc) => !clause(doc) : clause;
}

/**
 * Compiles an item into a predicate: true when the item applies to the event (it is then left out).
 * Entries are ANDed; with `os_types`, `host.os.type` or `host.os.name.caseless` must also equal one of them.
 */
export function compileExceptionItem(item: ExceptionItem): Predicate {
  const entries = item.entries.map((e) => compileEntry(e));
  const all: Predicate = (doc) => entries.every((p) => p(doc));
  if (item.osTypes.length === 0) return all;
  const osTypes = item.osTypes;
  return (doc) =>
    all(doc) &&
    (getFieldValues(doc, 'host.os.type').some((v) => typeof v === 'string' && osTypes.includes(v)) ||
      getFieldValues(doc, 'host.os.name.caseless').some((v) => typeof v === 'string' && osTypes.includes(v)));
}

/** Whether an item has expired at `now` (Kibana's `removeExpiredExceptions`: `expire_time` < start). */
export function isExpired(item: ExceptionItem, now: Date): boolean {
  return item.expireTime !== undefined && new Date(item.expireTime) < now;
}

/**
 * The exception items of a replay, compiled once: tells whether an event is left out, and counts
 * the events each item leaves out. Expired items (see {@link isExpired}) are not applied.
 */
export class ExceptionFilter {
  private readonly compiled: Array<{ item: ExceptionItem; expired: boolean; test: Predicate; leftOut: number }>;

  /**
   * @param items exception items, in the order their effects are reported.
   * @param now the time of the run (default: the current time), for `expire_time`.
   */
  constructor(items: readonly ExceptionItem[], now = new Date()) {
    this.compiled = items.map((item) => ({ item, expired: isExpired(item, now), test: compileExceptionItem(item), leftOut: 0 }));
  }

  /** Whether any applied item applies to the document; counts it for every such item (call once per event). */
  excludes(doc: Doc): boolean {
    let excluded = false;
    for (const c of this.compiled) {
      if (!c.expired && c.test(doc)) {
        c.leftOut++;
        excluded = true;
      }
    }
    return excluded;
  }

  /** Whether any applied item applies to the document (nothing counted). */
  appliesTo(doc: Doc): boolean {
    return this.compiled.some((c) => !c.expired && c.test(doc));
  }

  /** Per item, in the given order: whether it expired, the events counted by {@link excludes}, and its predicate. */
  get items(): ReadonlyArray<{ item: ExceptionItem; expired: boolean; leftOut: number; test: Predicate }> {
    return this.compiled;
  }
}

/** The events left after the exceptions, in input order, and the filter (with its counts). */
export function filterEvents(events: readonly EventRecord[], items: readonly ExceptionItem[], now = new Date()): { kept: EventRecord[]; filter: ExceptionFilter } {
  const filter = new ExceptionFilter(items, now);
  return { kept: events.filter((e) => !filter.excludes(e.doc)), filter };
}

/** A stable identity for a match: its events' `file:line` in order (missing stages as `-`). */
export function matchKey(match: Match): string {
  return match.events.map((e) => (e.event ? `${e.event.source.file}:${e.event.source.line}` : '-')).join(' ');
}

/** What the exceptions changed in the results. */
export interface ExceptionEffects {
  /** Per item (given order): the matches of the replay without exceptions that contain an event it left out. */
  removedByItem: Array<{ item: ExceptionItem; expired: boolean; events: number; removed: Match[] }>;
  /** Matches of the replay without exceptions that are gone although no event of theirs was left out (the stream changed). */
  removedIndirectly: Match[];
  /** Matches that appear only with the exceptions (a sequence completed with other events once one was left out). */
  added: Match[];
}

/**
 * Compares the matches without and with exceptions and tells, per item, the matches it removed.
 * A removed match is listed under every applied item that applies to one of its events.
 *
 * @param without matches of the replay over all events.
 * @param withExceptions matches of the replay over the events the filter left.
 * @param filter the filter used (its counts of left-out events are reported).
 */
export function exceptionEffects(without: readonly Match[], withExceptions: readonly Match[], filter: ExceptionFilter): ExceptionEffects {
  const remaining = new Set(withExceptions.map(matchKey));
  const before = new Set(without.map(matchKey));
  const gone = without.filter((m) => !remaining.has(matchKey(m)));
  const attributed = new Set<Match>();
  const removedByItem = filter.items.map((c) => {
    const removed = c.expired ? [] : gone.filter((m) => m.events.some((e) => e.event !== undefined && c.test(e.event.doc)));
    removed.forEach((m) => attributed.add(m));
    return { item: c.item, expired: c.expired, events: c.leftOut, removed };
  });
  return {
    removedByItem,
    removedIndirectly: gone.filter((m) => !attributed.has(m)),
    added: withExceptions.filter((m) => !before.has(matchKey(m))),
  };
}
