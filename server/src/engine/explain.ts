/**
 * Explanation of a replay: what a rule misses, and why.
 *
 * The explanation runs the engine's own {@link ReplaySession} and listens to the sequence state
 * machine's decisions through a {@link SequenceObserver}, so every reason below is a decision the
 * engine took, not a second reading of the semantics:
 * - per stage (and `until`): how many events passed the category, how many also passed the
 *   condition, and, for the condition's top-level `and` terms, how many category-matching events
 *   each term rejected (the filter's own compiled predicate tree, `compileFilterTree`);
 * - for sequences, per join key: how many sequences completed, and each pending sequence that never
 *   completed with why it ended — `expired` (maxspan exceeded, Elasticsearch `SequenceMatcher`
 *   rejects a sequence when `to - from > maxspan`), `until` (an until event of the key came after
 *   its last event), `replaced` (Elasticsearch keeps one pending sequence per stage and key,
 *   `OrdinalGroup.trimBefore`, so a newer one drops it), `no-next-event` (the input ended first),
 *   `missing-event` (a `![…]` stage matched) — with near misses: events of the same key that passed
 *   the next stage's category but failed its condition, and events that passed the next stage's
 *   filter under other join key values, within the sequence's window;
 * - events that passed a later stage's filter while no sequence of their key was waiting at the
 *   previous stage, with the nearest event of the key that tried the previous stage.
 *
 * Sources: docs "EQL syntax reference" (sections "Sequences", "maxspan", "until", "Missing events")
 * and the Elasticsearch sources cited in `sequence.ts`.
 */
import type { EventFilter, Expression, SequenceQuery, Span, Statement } from '../eql/ast';
import { printExpression } from '../eql/printer';
import { compileFieldGetter, type FieldGetter } from './fields';
import { compileFilterTree, type CompiledPredicate } from './filter';
import { compileJoinKeys, compareKeyTuples, keyId, type JoinKeyExtractor, type KeyValue } from './joinKeys';
import { compareOrdinals } from './order';
import { DEFAULT_EVENT_CATEGORY_FIELD, expandRuns, ReplaySession, type ReplayRunOptions } from './replay';
import { beyondMaxspan, type OrderedEvent, type SequenceRejection, type SequenceState } from './sequence';
import type { EventRecord } from './types';
import type { OmittedEvents } from './explanationInput';

/** Where an event is: sample file, 1-based line, and its timestamp in epoch milliseconds. */
export interface EventRef {
  file: string;
  line: number;
  /** Epoch ms; absent for sample queries, whose events are taken in input order, not by time. */
  timestamp?: number;
}

/** One top-level `and` term of a stage condition and how many events it rejected. */
export interface TermStats {
  /** The term as canonical EQL (`printExpression`). */
  term: string;
  /** Its 0-based UTF-16 offsets in the query text (end exclusive). */
  span: Span;
  /** Events of the stage's category for which the term was not true. */
  failed: number;
  /** Of those, events for which it was the only term not true. */
  onlyFailure: number;
  /**
   * The fields the term reads (after aliases), each with the number of failing events that had no
   * value for it (missing, null or empty array) — often the whole story (a field a data source never sets).
   */
  fields: Array<{ field: string; missingWhenFailed: number }>;
  /**
   * When the term is an `or` block: its branches (nested `or`s flattened), each with `failed` counting
   * the events of the category for which that branch was not true (whether or not the block was), and
   * `onlyFailure` 0.
   */
  branches?: TermStats[];
}

/** An event that has the stage's category but failed its condition. */
export interface ConditionNearMiss {
  event: EventRef;
  /** Indexes into {@link StageStats.terms} of the terms that were not true. */
  failedTerms: number[];
}

/** How the events fared against one stage's filter (`category where condition`). */
export interface StageStats {
  /** 0-based stage index as written in the query; -1 for `until`. */
  stage: number;
  /** The category, or null for `any`. */
  category: string | null;
  /** Events tried (all events fed). */
  events: number;
  /** Events of the category. */
  passedCategory: number;
  /** Events of the category for which the condition held too (the stage's filter passed). */
  passed: number;
  /** The condition's top-level `and` terms (one term when it is not an `and`). */
  terms: TermStats[];
  /**
   * Events of the category that failed the condition, fewest failed terms first, then in replay
   * order (at most `maxNearMisses`).
   */
  nearMisses: ConditionNearMiss[];
}

/** An event near a pending sequence that could not extend it. */
export interface SequenceNearMiss {
  event: EventRef;
  /** The event's join key values; `[]` when it has no value for a join key (it takes part in no sequence). */
  joinKeys: KeyValue[][];
  /** Milliseconds from the sequence's first event to this event. */
  afterMillis: number;
  /** For events of the same key that failed the next stage's condition: the terms not true (printed). */
  failedTerms?: string[];
}

/** Why a pending sequence never completed. */
export type PartialEnd =
  /**
   * maxspan exceeded: `at` (an event of the next stage with the same key) came `elapsedMillis` after
   * the first event; without `at`, no such event came within maxspan (`replacedBy`: the newer
   * sequence that later took its place).
   */
  | { reason: 'expired'; maxspanMillis: number; at?: EventRef; elapsedMillis?: number; replacedBy?: EventRef }
  /** An until event of the key (`at`) came after its last event. */
  | { reason: 'until'; at: EventRef }
  /** A newer sequence of the key reached the same stage (`by`: its last event) within maxspan. */
  | { reason: 'replaced'; by: EventRef }
  /** No event of the next stage with this key came before the input ended (and within maxspan). */
  | { reason: 'no-next-event' }
  /** All positive stages matched but an event of a missing-event stage `![…]` (`at`) was found. */
  | { reason: 'missing-event'; at: EventRef };

/** A sequence that reached some stages and never completed. */
export interface PartialSequence {
  /** 0-based index of the last stage it filled (stages after `with runs=N` expansion). */
  reached: number;
  /** The events of the stages it filled, by expanded stage; null for missing-event stages and stages not reached. */
  events: Array<EventRef | null>;
  end: PartialEnd;
  /**
   * Events of this key that had the next stage's category but failed its condition, after the
   * last event and within maxspan (and before the sequence ended).
   */
  sameKeyFailed: SequenceNearMiss[];
  /** Events that passed the next stage's filter in the same window under other join key values. */
  otherKeys: SequenceNearMiss[];
}

/** An event that passed a stage's filter while no sequence of its key waited at the previous stage. */
export interface UnmatchedStageEvent {
  /** 0-based expanded stage whose filter it passed. */
  stage: number;
  event: EventRef;
  /**
   * The latest earlier event of the same key with the previous stage's category (within maxspan),
   * whether it passed that stage's condition, and if not which terms failed. When it passed, its
   * sequence had already advanced, expired or been cancelled.
   */
  previous?: { event: EventRef; passed: boolean; failedTerms: string[]; beforeMillis: number };
  /** The first later event of the same key that passed the previous stage's filter (stage order matters). */
  laterPrevious?: EventRef;
}

/** What happened under one join key value. */
export interface KeyExplanation {
  joinKeys: KeyValue[];
  completed: number;
  /** Partial sequences of the key, by reason (all of them). */
  ends: Partial<Record<PartialEnd['reason'], number>>;
  /** The first partial sequences in time order (at most `maxPerKey`; `ends` counts all). */
  partials: PartialSequence[];
  /** Number of unmatched events of the key (all of them). */
  unmatchedCount: number;
  /** The first unmatched events in time order (at most `maxPerKey`). */
  unmatched: UnmatchedStageEvent[];
}

/** The explanation of a replay, by query kind. */
export type Explanation =
  | { kind: 'event'; events: number; matches: number; stages: StageStats[]; warnings: string[] }
  | { kind: 'sample'; events: number; matches: number; stages: StageStats[]; warnings: string[] }
  | {
      kind: 'sequence';
      /** Events fed (events without a timestamp are left out, see `warnings`). */
      events: number;
      /** Matches returned (after pipes and `size`). */
      matches: number;
      /** Sequences completed (before pipes and `size`). */
      completed: number;
      maxspanMillis?: number;
      /** Per expanded stage: the 0-based stage as written in the query (`with runs=N` repeats it). */
      stageOfExpanded: number[];
      /** Per expanded stage: whether it is a missing-event stage `![…]`. */
      missingStages: boolean[];
      stages: StageStats[];
      until?: StageStats;
      /** Partial sequences of all keys, by reason. */
      ends: Partial<Record<PartialEnd['reason'], number>>;
      /** Unmatched events of all keys. */
      unmatchedCount: number;
      /** Join keys with something to report, in key order. */
      keys: KeyExplanation[];
      warnings: string[];
    };

/** Options: the replay's options plus how many near misses each list keeps. */
export type ExplainOptions = ReplayRunOptions & {
  /** Near misses kept per stage; default 10. */
  maxNearMisses?: number;
  /** Near misses kept per list of a partial sequence (`sameKeyFailed`, `otherKeys`); default 3. */
  maxSequenceNearMisses?: number;
  /** Partial sequences and unmatched events kept per join key (the first in time order); default 100. */
  maxPerKey?: number;
  /**
   * Events left out of `events` because the explanation does not need them (`ExplanationInput`):
   * counted as tried by every stage, and their latest timestamp ends the input as theirs would.
   */
  omitted?: OmittedEvents;
  /**
   * Called every {@link CHECK_INTERVAL} events taken in and again every as many events stepped, with
   * the count so far; it may throw to stop the explanation (the command line passes its
   * `HeapGuard`, which throws a `ReplayMemoryError` before the explanation's own records of each
   * event exhaust the heap).
   */
  check?: (events: number) => void;
};

const DEFAULT_MAX_NEAR_MISSES = 10;
const DEFAULT_MAX_SEQUENCE_NEAR_MISSES = 3;
const DEFAULT_MAX_PER_KEY = 100;
/** Events between two calls of `ExplainOptions.check`. */
const CHECK_INTERVAL = 1024;

/** `events`, with `check` called every {@link CHECK_INTERVAL} events taken. */
function* checkedEvents(events: Iterable<EventRecord>, check: ((events: number) => void) | undefined): Iterable<EventRecord> {
  let n = 0;
  for (const e of events) {
    if (check && ++n % CHECK_INTERVAL === 0) check(n);
    yield e;
  }
}

/** Events looked at per near-miss list, so that an explanation stays linear on long inputs. */
const MAX_SCAN = 1000;

function refOf(e: OrderedEvent, timed = true): EventRef {
  const ref: EventRef = { file: e.record.source.file, line: e.record.source.line };
  if (timed) ref.timestamp = e.ordinal.timestamp;
  return ref;
}

/** The category test and the condition's top-level `and` terms of a compiled filter tree. */
interface StageEvaluator {
  stats: StageStats;
  /** Whether event references carry timestamps (not for sample queries). */
  timed: boolean;
  category: (doc: Record<string, unknown>) => boolean;
  terms: CompiledPredicate[];
  /** Per term, per field: its value getter. */
  getters: FieldGetter[][];
  /** Per term: the branches of an `or` block with their field getters (empty for other terms). */
  branches: Array<Array<{ predicate: CompiledPredicate; getters: FieldGetter[] }>>;
  /** Candidate near misses (all, trimmed at the end). */
  misses: ConditionNearMiss[];
}

function flattenOr(p: CompiledPredicate): CompiledPredicate[] {
  // An `or` chain compiles to one n-ary node whose children are its branches.
  if (p.op === 'or' && p.node.kind === 'logical' && p.node.operator === 'or' && p.children.length >= 2) {
    return p.children.flatMap(flattenOr);
  }
  return [p];
}

function termStats(p: CompiledPredicate, filter: EventFilter, fields: string[]): TermStats {
  return {
    term: p.node.kind === 'eventFilter' ? printExpression(filter.condition) : printExpression(p.node as Expression),
    span: p.node.span,
    failed: 0,
    onlyFailure: 0,
    fields: fields.map((field) => ({ field, missingWhenFailed: 0 })),
  };
}

function flattenAnd(p: CompiledPredicate): CompiledPredicate[] {
  // An `and` chain compiles to one n-ary node whose children are its terms.
  if (p.op === 'and' && p.node.kind === 'logical' && p.node.operator === 'and' && p.children.length >= 2) {
    return p.children.flatMap(flattenAnd);
  }
  return [p];
}

/** The fields read by a predicate's leaves, deduplicated, in order. */
function fieldsOf(p: CompiledPredicate, out: string[] = []): string[] {
  for (const f of p.fields ?? []) if (!out.includes(f)) out.push(f);
  for (const c of p.children) fieldsOf(c, out);
  return out;
}

function stageEvaluator(
  filter: EventFilter,
  stage: number,
  ctx: { eventCategoryField: string; mapping?: ReplayRunOptions['mapping'] },
  timed = true,
): StageEvaluator {
  const tree = compileFilterTree(filter, ctx);
  const category = filter.category === null ? () => true : tree.children[0].test;
  const condition = filter.category === null ? tree.children[0] ?? tree : tree.children[1];
  const terms = flattenAnd(condition);
  const termFields = terms.map((t) => fieldsOf(t));
  const branches = terms.map((t) => {
    const parts = flattenOr(t);
    return parts.length < 2 ? [] : parts.map((predicate) => ({ predicate, getters: fieldsOf(predicate).map((f) => compileFieldGetter(f, ctx.mapping)) }));
  });
  return {
    timed,
    stats: {
      stage,
      category: filter.category,
      events: 0,
      passedCategory: 0,
      passed: 0,
      terms: terms.map((t, i) => {
        const stats = termStats(t, filter, termFields[i]);
        if (branches[i].length > 0) stats.branches = branches[i].map((b) => termStats(b.predicate, filter, fieldsOf(b.predicate)));
        return stats;
      }),
      nearMisses: [],
    },
    category,
    terms,
    getters: termFields.map((fs) => fs.map((f) => compileFieldGetter(f, ctx.mapping))),
    branches,
    misses: [],
  };
}

/** Outcome of one event against one stage. */
interface StageOutcome {
  category: boolean;
  passed: boolean;
  failedTerms: number[];
}

function safeTest(test: (doc: Record<string, unknown>) => boolean, doc: Record<string, unknown>): boolean {
  try {
    return test(doc);
  } catch {
    // A script failure on this event: Elasticsearch fails the search; the session reports it.
    return false;
  }
}

function evaluate(ev: StageEvaluator, event: OrderedEvent): StageOutcome {
  const doc = event.record.doc;
  ev.stats.events++;
  if (!safeTest(ev.category, doc)) return { category: false, passed: false, failedTerms: [] };
  ev.stats.passedCategory++;
  const failedTerms: number[] = [];
  ev.terms.forEach((t, i) => {
    if (!safeTest(t.test, doc)) failedTerms.push(i);
    ev.branches[i].forEach((b, j) => {
      if (safeTest(b.predicate.test, doc)) return;
      const stats = ev.stats.terms[i].branches![j];
      stats.failed++;
      b.getters.forEach((get, k) => {
        if (get(doc).length === 0) stats.fields[k].missingWhenFailed++;
      });
    });
  });
  if (failedTerms.length === 0) {
    ev.stats.passed++;
  } else {
    for (const i of failedTerms) {
      const term = ev.stats.terms[i];
      term.failed++;
      if (failedTerms.length === 1) term.onlyFailure++;
      ev.getters[i].forEach((get, j) => {
        if (get(doc).length === 0) term.fields[j].missingWhenFailed++;
      });
    }
    ev.misses.push({ event: refOf(event, ev.timed), failedTerms });
  }
  return { category: true, passed: failedTerms.length === 0, failedTerms };
}

function finishStats(ev: StageEvaluator, max: number): StageStats {
  // Stable sort: fewest failed terms first, replay order within.
  ev.stats.nearMisses = ev.misses
    .map((m, i) => ({ m, i }))
    .sort((a, b) => a.m.failedTerms.length - b.m.failedTerms.length || a.i - b.i)
    .slice(0, max)
    .map((x) => x.m);
  return ev.stats;
}

/** An event that had a stage's category, with its outcome and join keys (sequence explanations). */
interface Tried {
  event: OrderedEvent;
  passed: boolean;
  failedTerms: number[];
  keys: KeyValue[][];
  keyIds: Set<string>;
}

/**
 * Explains a replay: per stage how many events passed, and for sequences why pending sequences
 * never completed (see the module comment for the reasons and their sources).
 *
 * @param statement a statement `analyze()` accepted (no error diagnostics).
 * @param events events in input order (files in the order given, lines in file order).
 * @param options the replay options (same meaning as for `replay`), plus `maxNearMisses` (default 10):
 *   how many near misses each stage keeps, `maxSequenceNearMisses` (default 3) per list of a partial
 *   sequence, and `maxPerKey` (default 100): how many partial sequences
 *   and unmatched events are listed per join key (all are counted).
 * @returns plain data ({@link Explanation}); times in epoch ms, lines 1-based, stages 0-based.
 * @throws the errors of `replay` (a statement that cannot be evaluated; `EqlEvaluationError` when a
 *   script fails on an event, as Elasticsearch fails the search).
 */
export function explainReplay(statement: Statement, events: Iterable<EventRecord>, options: ExplainOptions = {}): Explanation {
  const max = options.maxNearMisses ?? DEFAULT_MAX_NEAR_MISSES;
  const ctx = { eventCategoryField: options.eventCategoryField || DEFAULT_EVENT_CATEGORY_FIELD, mapping: options.mapping };
  const query = statement.query;
  if (query.kind !== 'sequence') {
    const filters = query.kind === 'event' ? [query.filter] : query.stages.map((s) => s.filter);
    const evaluators = filters.map((f, i) => stageEvaluator(f, i, ctx, query.kind === 'event'));
    const session = new ReplaySession(statement, checkedEvents(events, options.check), options);
    let stepped = 0;
    for (let e = session.step(); e !== undefined; e = session.step()) {
      if (options.check && ++stepped % CHECK_INTERVAL === 0) options.check(stepped);
      for (const ev of evaluators) evaluate(ev, e);
    }
    const result = session.finish();
    return withOmitted(
      {
        kind: query.kind,
        events: session.events.length,
        matches: result.matches.length,
        stages: evaluators.map((ev) => finishStats(ev, max)),
        warnings: result.warnings,
      },
      options.omitted,
    );
  }
  return withOmitted(explainSequence(statement, query, events, options, ctx, max), options.omitted);
}

/** Counts the omitted events as fed and tried by every stage (each found another category). */
function withOmitted(explanation: Explanation, omitted: OmittedEvents | undefined): Explanation {
  const n = omitted?.events ?? 0;
  if (n === 0) return explanation;
  explanation.events += n;
  for (const stage of explanation.stages) stage.events += n;
  if (explanation.kind === 'sequence' && explanation.until) explanation.until.events += n;
  return explanation;
}

function explainSequence(
  statement: Statement,
  query: SequenceQuery,
  events: Iterable<EventRecord>,
  options: ExplainOptions,
  ctx: { eventCategoryField: string; mapping?: ReplayRunOptions['mapping'] },
  max: number,
): Explanation {
  const maxspan = query.maxspan?.millis ?? 0;
  // The engine's own expansion of `with runs=N`.
  const expanded = expandRuns(query.stages);
  const stageOfExpanded = expanded.map((e) => e.queryStage);
  const missing = expanded.map((e) => e.stage.missing);
  const evaluators = query.stages.map((s, i) => stageEvaluator(s.filter, i, ctx));
  const keyExtractors: JoinKeyExtractor[] = query.stages.map((s) => compileJoinKeys([...query.joinKeys, ...s.joinKeys], ctx.mapping, 'sequence'));
  const untilEvaluator = query.until ? stageEvaluator(query.until.filter, -1, ctx) : undefined;
  // Per query stage, in replay order: the events of its category by join key, and the events that
  // passed its filter (whatever their key). Lookups are binary searches, so long inputs stay linear.
  const triedByKey: Array<Map<string, Tried[]>> = query.stages.map(() => new Map());
  const passedList: Tried[][] = query.stages.map(() => []);

  const byKey = new Map<string, KeyExplanation>();
  const keyFor = (key: KeyValue[]): KeyExplanation => {
    const id = keyId(key);
    let k = byKey.get(id);
    if (!k) {
      k = { joinKeys: key, completed: 0, ends: {}, partials: [], unmatchedCount: 0, unmatched: [] };
      byKey.set(id, k);
    }
    return k;
  };
  // Partials are resolved once all events are known (their near misses may lie later).
  const ended: Array<{ seq: { key: KeyValue[]; events: Array<OrderedEvent | undefined> }; end: PartialEnd; windowEnd?: OrderedEvent }> = [];
  const unmatched: Array<{ stage: number; key: KeyValue[]; event: OrderedEvent }> = [];
  let completed = 0;

  const lastOf = (events: Array<OrderedEvent | undefined>): number => {
    for (let i = events.length - 1; i >= 0; i--) if (events[i]) return i;
    return -1;
  };
  const startOf = (events: Array<OrderedEvent | undefined>) => events.find((e) => e !== undefined)!;

  const session = new ReplaySession(statement, checkedEvents(events, options.check), {
    ...options,
    sequenceObserver: {
      completed: (seq: SequenceState) => {
        completed++;
        keyFor(seq.key).completed++;
      },
      unmatched: (stage, key, event) => unmatched.push({ stage, key, event }),
      replaced: (dropped, by, cancelledBy) => {
        const start = startOf(dropped.events);
        let end: PartialEnd;
        if (cancelledBy) end = { reason: 'until', at: refOf(cancelledBy) };
        else if (beyondMaxspan(start.ordinal.timestamp, by.ordinal.timestamp, maxspan)) {
          end = { reason: 'expired', maxspanMillis: maxspan, replacedBy: refOf(by) };
        } else end = { reason: 'replaced', by: refOf(by) };
        ended.push({ seq: dropped, end, windowEnd: by });
      },
      rejected: (r: SequenceRejection) => {
        const at = r.at!;
        let end: PartialEnd;
        if (r.reason === 'maxspan') {
          end = { reason: 'expired', maxspanMillis: maxspan, at: refOf(at), elapsedMillis: at.ordinal.timestamp - startOf(r.events).ordinal.timestamp };
        } else if (r.reason === 'until') end = { reason: 'until', at: refOf(at) };
        else end = { reason: 'missing-event', at: refOf(at) };
        ended.push({ seq: r, end, windowEnd: r.reason === 'maxspan' ? at : undefined });
      },
    },
  });

  let stepped = 0;
  for (let e = session.step(); e !== undefined; e = session.step()) {
    if (options.check && ++stepped % CHECK_INTERVAL === 0) options.check(stepped);
    evaluators.forEach((ev, stage) => {
      const outcome = evaluate(ev, e);
      if (!outcome.category) return;
      const keys = keyExtractors[stage].keysOf(e.record.doc);
      const t: Tried = { event: e, passed: outcome.passed, failedTerms: outcome.failedTerms, keys, keyIds: new Set(keys.map(keyId)) };
      for (const id of t.keyIds) {
        const list = triedByKey[stage].get(id);
        if (list) list.push(t);
        else triedByKey[stage].set(id, [t]);
      }
      if (t.passed) passedList[stage].push(t);
    });
    if (untilEvaluator) evaluate(untilEvaluator, e);
  }
  const snapshot = session.snapshot();
  const result = session.finish();
  if (snapshot.kind === 'sequence') {
    // Sequences still pending at the end of the input.
    // The end of the input: the latest event, omitted ones included.
    const omittedLast = options.omitted?.lastTimestamp;
    const lastTimestamp = omittedLast !== undefined && (snapshot.lastTimestamp === undefined || omittedLast > snapshot.lastTimestamp) ? omittedLast : (snapshot.lastTimestamp ?? 0);
    for (const k of snapshot.keys) {
      for (const p of k.pending) {
        let end: PartialEnd;
        if (p.cancelledByUntil && k.lastUntil) end = { reason: 'until', at: refOf(k.lastUntil) };
        else if (beyondMaxspan(startOf(p.events).ordinal.timestamp, lastTimestamp, maxspan)) end = { reason: 'expired', maxspanMillis: maxspan };
        else end = { reason: 'no-next-event' };
        ended.push({ seq: { key: k.joinKeys, events: p.events }, end });
      }
    }
  }

  // Tried events after a given event, in replay order: binary search on the ordinal.
  const after = (list: Tried[], e: OrderedEvent): number => {
    let lo = 0;
    let hi = list.length;
    while (lo < hi) {
      const mid = (lo + hi) >> 1;
      if (compareOrdinals(list[mid].event.ordinal, e.ordinal) <= 0) lo = mid + 1;
      else hi = mid;
    }
    return lo;
  };
  const termsOf = (stage: number, failed: number[]) => failed.map((i) => evaluators[stage].stats.terms[i].term);

  // Per key, the first partial sequences in time order; the others are only counted.
  const maxPerKey = options.maxPerKey ?? DEFAULT_MAX_PER_KEY;
  const maxSeq = options.maxSequenceNearMisses ?? DEFAULT_MAX_SEQUENCE_NEAR_MISSES;
  const endedByKey = new Map<string, typeof ended>();
  const ends: Partial<Record<PartialEnd['reason'], number>> = {};
  for (const x of ended) {
    const id = keyId(x.seq.key);
    const list = endedByKey.get(id);
    if (list) list.push(x);
    else endedByKey.set(id, [x]);
    const k = keyFor(x.seq.key);
    k.ends[x.end.reason] = (k.ends[x.end.reason] ?? 0) + 1;
    ends[x.end.reason] = (ends[x.end.reason] ?? 0) + 1;
  }
  const kept: typeof ended = [];
  for (const list of endedByKey.values()) {
    list.sort((a, b) => compareOrdinals(startOf(a.seq.events).ordinal, startOf(b.seq.events).ordinal));
    kept.push(...list.slice(0, maxPerKey));
  }

  for (const { seq, end, windowEnd } of kept) {
    const reached = lastOf(seq.events);
    const first = startOf(seq.events);
    const partial: PartialSequence = {
      reached,
      events: seq.events.slice(0, reached + 1).map((e) => (e ? refOf(e) : null)),
      end,
      sameKeyFailed: [],
      otherKeys: [],
    };
    let next = reached + 1;
    while (next < missing.length && missing[next]) next++;
    if (end.reason !== 'missing-event' && next < missing.length) {
      const stage = stageOfExpanded[next];
      const id = keyId(seq.key);
      const limit = maxspan > 0 ? first.ordinal.timestamp + maxspan : Infinity;
      // In the window: after the last event, within maxspan, before the event that ended the
      // sequence (reported as the reason, not as a near miss).
      const inWindow = (t: Tried) =>
        t.event.ordinal.timestamp <= limit && !(windowEnd && compareOrdinals(t.event.ordinal, windowEnd.ordinal) >= 0);
      const nearMiss = (t: Tried): SequenceNearMiss => ({
        event: refOf(t.event),
        joinKeys: t.keys,
        afterMillis: t.event.ordinal.timestamp - first.ordinal.timestamp,
      });
      const last = seq.events[reached]!;
      const own = triedByKey[stage].get(id) ?? [];
      for (let i = after(own, last), seen = 0; i < own.length && seen < MAX_SCAN && partial.sameKeyFailed.length < maxSeq; i++, seen++) {
        const t = own[i];
        if (!inWindow(t)) break;
        if (!t.passed) partial.sameKeyFailed.push({ ...nearMiss(t), failedTerms: termsOf(stage, t.failedTerms) });
      }
      const passed = passedList[stage];
      for (let i = after(passed, last), seen = 0; i < passed.length && seen < MAX_SCAN && partial.otherKeys.length < maxSeq; i++, seen++) {
        const t = passed[i];
        if (!inWindow(t)) break;
        if (!t.keyIds.has(id)) partial.otherKeys.push(nearMiss(t));
      }
    }
    keyFor(seq.key).partials.push(partial);
  }

  for (const u of unmatched) {
    // `unmatched` is in replay order: the first ones of each key are kept.
    const k = keyFor(u.key);
    if (k.unmatchedCount++ >= maxPerKey) continue;
    const entry: UnmatchedStageEvent = { stage: u.stage, event: refOf(u.event) };
    let prev = u.stage - 1;
    while (prev >= 0 && missing[prev]) prev--;
    if (prev >= 0) {
      const stage = stageOfExpanded[prev];
      const own = triedByKey[stage].get(keyId(u.key)) ?? [];
      const at = after(own, u.event);
      // The event itself may have the previous stage's category too: take the one strictly before it.
      const before = own[at - 1]?.event === u.event ? own[at - 2] : own[at - 1];
      if (before && !(maxspan > 0 && u.event.ordinal.timestamp - before.event.ordinal.timestamp > maxspan)) {
        entry.previous = {
          event: refOf(before.event),
          passed: before.passed,
          failedTerms: termsOf(stage, before.failedTerms),
          beforeMillis: u.event.ordinal.timestamp - before.event.ordinal.timestamp,
        };
      }
      for (let i = at, seen = 0; i < own.length && seen < MAX_SCAN; i++, seen++) {
        const t = own[i];
        if (maxspan > 0 && t.event.ordinal.timestamp - u.event.ordinal.timestamp > maxspan) break;
        if (t.passed) {
          entry.laterPrevious = refOf(t.event);
          break;
        }
      }
    }
    k.unmatched.push(entry);
  }

  const keys = [...byKey.values()].sort((a, b) => compareKeyTuples(a.joinKeys, b.joinKeys));
  return {
    kind: 'sequence',
    events: session.events.length,
    matches: result.matches.length,
    completed,
    maxspanMillis: maxspan > 0 ? maxspan : undefined,
    stageOfExpanded,
    missingStages: missing,
    stages: evaluators.map((ev) => finishStats(ev, max)),
    until: untilEvaluator ? finishStats(untilEvaluator, max) : undefined,
    ends,
    unmatchedCount: unmatched.length,
    keys,
    warnings: result.warnings,
  };
}
