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

/** Events left after the exceptions, and what each item took out. */
export interface ExceptionFiltering {
  /** The events no applied item applies to, in input order. */
  kept: EventRecord[];
  /** Per item (same order as given): the events it applies to (an event may be in several), or `expired`. */
  perItem: Array<{ item: ExceptionItem; expired: boolean; events: EventRecord[] }>;
}

/**
 * Leaves out the events any (unexpired) item applies to, as the `_eql/search` request's filter does.
 * @param events events in input order.
 * @param items exception items; expired ones (see {@link isExpired}) are not applied.
 * @param now the time of the run (default: the current time).
 */
export function filterEvents(events: readonly EventRecord[], items: readonly ExceptionItem[], now = new Date()): ExceptionFiltering {
  const active = items.map((item) => ({ item, expired: isExpired(item, now), test: compileExceptionItem(item), events: [] as EventRecord[] }));
  const kept: EventRecord[] = [];
  for (const event of events) {
    let excluded = false;
    for (const a of active) {
      if (!a.expired && a.test(event.doc)) {
        a.events.push(event);
        excluded = true;
      }
    }
    if (!excluded) kept.push(event);
  }
  return { kept, perItem: active.map(({ item, expired, events: e }) => ({ item, expired, events: e })) };
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
 * A removed match is listed under every item that left out one of its events.
 *
 * @param without matches of the replay over all events.
 * @param withExceptions matches of the replay over `filtering.kept`.
 * @param filtering the result of {@link filterEvents} for the same events.
 */
export function exceptionEffects(without: readonly Match[], withExceptions: readonly Match[], filtering: ExceptionFiltering): ExceptionEffects {
  const remaining = new Set(withExceptions.map(matchKey));
  const before = new Set(without.map(matchKey));
  const gone = without.filter((m) => !remaining.has(matchKey(m)));
  const leftOutBy = filtering.perItem.map((p) => new Set(p.events));
  const attributed = new Set<Match>();
  const removedByItem = filtering.perItem.map((p, i) => {
    const removed = gone.filter((m) => m.events.some((e) => e.event !== undefined && leftOutBy[i].has(e.event)));
    removed.forEach((m) => attributed.add(m));
    return { item: p.item, expired: p.expired, events: p.events.length, removed };
  });
  return {
    removedByItem,
    removedIndirectly: gone.filter((m) => !attributed.has(m)),
    added: withExceptions.filter((m) => !before.has(matchKey(m))),
  };
}
