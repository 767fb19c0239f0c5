/**
 * Replay of one EQL statement over a stream of events: the engine's entry point.
 *
 * Flow: compile the rule once (filters via `compileFilter`, join keys), keep the events some filter
 * of the rule passes, put them in Elasticsearch's order (timestamp, tiebreaker, input order —
 * `order.ts`), run the event filter or the sequence / sample state machine, then apply `head`/`tail`
 * pipes and `size`. `ReplaySession` is fed event by event and steps one event at a time (for
 * step-through inspection and streaming readers); `replay` runs it to the end.
 *
 * Sources: docs "EQL search" (ordering, `size`, `result_position`, `max_samples_per_key`,
 * `timestamp_field`, `tiebreaker_field`, `event_category_field`), "EQL syntax reference", "EQL pipe
 * reference"; the state machines cite their own sources.
 */
import type { EventFilter, Expression, Statement, SequenceQuery, SampleQuery, Stage } from '../eql/ast';
import { compileFieldGetter } from './fields';
import { compileFilterParts } from './filter';
import { FieldMapping, kindOfType, lookupField } from './mapping';
import { Ordinal, compareOrdinals, tiebreakerValue, timestampParser } from './order';
import { applyLimits, limitSteps, LimitStep } from './pipes';
import { BoundedSelection } from './boundedSelection';
import { compileJoinKeys } from './joinKeys';
import { CompiledSampleStage, SampleMatcher, type SampleMatcherState, type SampleSnapshot } from './sample';
import {
  CompiledSequence,
  CompiledSequenceStage,
  OrderedEvent,
  SequenceMatcher,
  type SequenceMatcherState,
  type SequenceObserver,
  type SequenceSnapshot,
} from './sequence';
import { EqlEvaluationError, EventLimitError } from './errors';
import type { EventRecord, Match, MatchedEvent, ReplayOptions, ReplayResult } from './types';

/** Replay options plus the index mapping used for aliases, types and date formats. */
export type ReplayRunOptions = ReplayOptions & {
  mapping?: FieldMapping;
  /** Told of every decision of the sequence state machine (sequence queries only; for explanations). */
  sequenceObserver?: SequenceObserver;
};

const DEFAULT_TIMESTAMP_FIELD = '@timestamp';
/** The event category field when the options name none (`event_category_field` of `_eql/search`). */
export const DEFAULT_EVENT_CATEGORY_FIELD = 'event.category';

function mappedFormat(mapping: FieldMapping | undefined, field: string): string | undefined {
  return lookupField(mapping, field)?.format;
}

/**
 * Reads each event's position in Elasticsearch's order: the timestamp (epoch ms) and the tiebreaker
 * value (numeric strings of a numeric tiebreaker field read as numbers).
 *
 * The timestamp has the resolution of the field's type: a `date` field (ECS's type for `@timestamp`
 * and `event.ingested`, and what dynamic mapping gives a date string, so also the default without a
 * mapping) stores whole milliseconds, so sub-millisecond fractions are truncated (towards the past,
 * as `Instant.toEpochMilli`); only a `date_nanos` field keeps them. Source: Elasticsearch reference,
 * "Date nanoseconds field type" ("The `date` data type stores dates in millisecond resolution"), and
 * EQL's `Timestamp`/`MillisTimestamp`/`NanosTimestamp` (x-pack/plugin/eql/.../execution/search).
 * @param options `timestampField` (default `@timestamp`), `tiebreakerField`, `mapping`.
 * @returns `(record, index) => Ordinal`, or undefined when the event has no readable timestamp.
 */
export function ordinalReader(options: ReplayRunOptions = {}): (doc: Record<string, unknown>, index: number) => Ordinal | undefined {
  const timestampField = options.timestampField || DEFAULT_TIMESTAMP_FIELD;
  const timestampOf = compileFieldGetter(timestampField, options.mapping);
  const parse = timestampParser(mappedFormat(options.mapping, timestampField));
  const nanos = lookupField(options.mapping, timestampField)?.type === 'date_nanos';
  const readTimestamp = nanos
    ? parse
    : (value: unknown): number | undefined => {
        const millis = parse(value);
        return millis === undefined ? undefined : Math.floor(millis);
      };
  const tiebreakerOf = options.tiebreakerField ? compileFieldGetter(options.tiebreakerField, options.mapping) : undefined;
  const tiebreakerKind = options.tiebreakerField
    ? kindOfType(lookupField(options.mapping, options.tiebreakerField)?.type ?? '')
    : undefined;
  return (doc, index) => {
    const timestamp = readTimestamp(timestampOf(doc));
    if (timestamp === undefined) return undefined;
    let tiebreaker = tiebreakerOf ? tiebreakerValue(tiebreakerOf(doc)) : undefined;
    if ((tiebreakerKind === 'integer' || tiebreakerKind === 'rational') && typeof tiebreaker === 'string' && tiebreaker.trim() !== '') {
      const n = Number(tiebreaker);
      if (!Number.isNaN(n)) tiebreaker = n;
    }
    return { timestamp, tiebreaker, index };
  };
}

function skippedWarning(timestampField: string, skipped: number, first: EventRecord): string {
  return `${skipped} event(s) that pass a filter of the rule skipped: no readable "${timestampField}" value (first: ${first.source.file}:${first.source.line})`;
}

/**
 * Puts events in Elasticsearch's order: ascending timestamp, then tiebreaker (events without one
 * last), then input order. Events without a readable timestamp are left out (Elasticsearch cannot
 * sort them into a sequence) and counted in a warning.
 *
 * @param events events in input order (files in the order given, lines in file order).
 * @param options `timestampField` (default `@timestamp`), `tiebreakerField`, `mapping`.
 * @returns the ordered events and warnings.
 */
export function orderEvents(
  events: Iterable<EventRecord>,
  options: ReplayRunOptions = {},
): { ordered: OrderedEvent[]; warnings: string[] } {
  const ordinalOf = ordinalReader(options);
  const ordered: OrderedEvent[] = [];
  let skipped = 0;
  let firstSkipped: EventRecord | undefined;
  let index = 0;
  for (const record of events) {
    const ordinal = ordinalOf(record.doc, index++);
    if (ordinal === undefined) {
      skipped++;
      firstSkipped ??= record;
      continue;
    }
    ordered.push({ record, ordinal });
  }
  ordered.sort((a, b) => compareOrdinals(a.ordinal, b.ordinal));
  const warnings = skipped > 0 ? [skippedWarning(options.timestampField || DEFAULT_TIMESTAMP_FIELD, skipped, firstSkipped!)] : [];
  return { ordered, warnings };
}

interface Context {
  eventCategoryField: string;
  mapping?: FieldMapping;
}

type DocTest = (doc: Record<string, unknown>) => boolean;

/**
 * One compiled filter of the rule (a stage's, `until`'s): its category (null for `any`), the whole
 * test, and the test of its condition alone for events known to have the category
 * (`compileFilterParts`).
 */
interface RuleFilter {
  category: string | null;
  test: DocTest;
  condition: DocTest;
}

function compileEventFilter(filter: EventFilter, ctx: Context): RuleFilter {
  return { category: filter.category, ...compileFilterParts(filter, { eventCategoryField: ctx.eventCategoryField, mapping: ctx.mapping }) };
}

/**
 * Expands `with runs=N` into N consecutive copies of the stage (Elasticsearch's parser does the same).
 * @returns per expanded stage: the stage and its 0-based index as written in the query.
 */
export function expandRuns(stages: readonly Stage[]): Array<{ stage: Stage; queryStage: number }> {
  const out: Array<{ stage: Stage; queryStage: number }> = [];
  stages.forEach((stage, queryStage) => {
    const runs = stage.runs !== undefined && stage.runs > 0 ? stage.runs : 1;
    for (let i = 0; i < runs; i++) out.push({ stage, queryStage });
  });
  return out;
}

/**
 * Compiles a sequence query for {@link SequenceMatcher}.
 * @throws Error when a filter cannot be compiled.
 */
export function compileSequence(query: SequenceQuery, ctx: Context): { compiled: CompiledSequence; queryStages: number[]; filters: RuleFilter[] } {
  const keysFor = (own: readonly Expression[]) =>
    compileJoinKeys([...query.joinKeys, ...own], ctx.mapping, 'sequence');
  const expanded = expandRuns(query.stages);
  const stages: CompiledSequenceStage[] = [];
  // Per stage as written, compiled once for all its `runs` copies.
  const cache = new Map<Stage, { filter: RuleFilter; keys: ReturnType<typeof keysFor> }>();
  for (const { stage, queryStage } of expanded) {
    let c = cache.get(stage);
    if (!c) {
      c = { filter: compileEventFilter(stage.filter, ctx), keys: keysFor(stage.joinKeys) };
      cache.set(stage, c);
    }
    stages.push({ queryStage, missing: stage.missing, matches: c.filter.test, keys: c.keys });
  }
  const filters = [...cache.values()].map((c) => c.filter);
  let until: CompiledSequence['until'];
  if (query.until) {
    const filter = compileEventFilter(query.until.filter, ctx);
    filters.push(filter);
    until = { matches: filter.test, keys: keysFor(query.until.joinKeys) };
  }
  return {
    compiled: { stages, until, maxspanMillis: query.maxspan?.millis },
    queryStages: expanded.map((e) => e.queryStage),
    filters,
  };
}

/**
 * Compiles a sample query for {@link SampleMatcher}.
 * @throws Error when a filter cannot be compiled.
 */
export function compileSample(query: SampleQuery, ctx: Context): { stages: CompiledSampleStage[]; filters: RuleFilter[] } {
  const filters = query.stages.map((stage) => compileEventFilter(stage.filter, ctx));
  const stages = query.stages.map((stage, i) => ({
    matches: filters[i].test,
    keys: compileJoinKeys([...query.joinKeys, ...stage.joinKeys], ctx.mapping, 'sample'),
  }));
  return { stages, filters };
}

function finalLimits(pipes: LimitStep[], options: ReplayOptions): LimitStep[] {
  const steps = pipes.slice();
  if (options.size !== undefined && options.size >= 0) {
    steps.push({ kind: options.resultPosition === 'tail' ? 'tail' : 'head', count: options.size });
  }
  return steps;
}

/** What a replay session holds between two events, by query kind. */
export type ReplaySnapshot =
  | { kind: 'event'; matched: number }
  | ({ kind: 'sequence' } & SequenceSnapshot)
  | ({ kind: 'sample' } & SampleSnapshot);

/** The per-kind machine behind a session. */
interface Machine {
  /**
   * The rule's filters (stages, missing-event stages, `until`), each compiled filter once, in the
   * order `relevant` tries them.
   */
  filters: readonly RuleFilter[];
  /** True when the event passes some filter of the rule (a stage, `until`, a missing-event stage). */
  relevant(doc: Record<string, unknown>): boolean;
  push(event: OrderedEvent): void;
  snapshot(): ReplaySnapshot;
  finish(): Match[];
  /** Copies the state (opaque), for `restoreState`. */
  saveState(): unknown;
  restoreState(state: unknown): void;
}

/**
 * A session's position and state machine between two events, saved by
 * {@link ReplaySession.saveState} (opaque to callers).
 */
export interface ReplaySessionState {
  readonly position: number;
  readonly machine: unknown;
  /** Limit warnings given so far (those of events fed again after a restore are not doubled). */
  readonly limitWarnings: number;
}

/** One test true when any of `tests` is (each distinct compiled filter tried once). */
function anyOf(tests: ReadonlyArray<(doc: Record<string, unknown>) => boolean>): (doc: Record<string, unknown>) => boolean {
  const distinct = [...new Set(tests)];
  if (distinct.length === 1) return distinct[0];
  return (doc) => {
    for (let i = 0; i < distinct.length; i++) if (distinct[i](doc)) return true;
    return false;
  };
}

/**
 * @param filter the compiled event filter.
 * @param prefiltered events reach `push` only when `filter` passed (the session dropped the others).
 */
function eventMachine(ruleFilter: RuleFilter, prefiltered: boolean): Machine {
  const out: Match[] = [];
  const filter = ruleFilter.test;
  return {
    filters: [ruleFilter],
    relevant: filter,
    push(e) {
      if (prefiltered || filter(e.record.doc)) out.push({ type: 'event', events: [{ stage: 0, missing: false, event: e.record }] });
    },
    snapshot: () => ({ kind: 'event', matched: out.length }),
    finish: () => out.slice(),
    // Matches are never changed once made: the count is the whole state.
    saveState: () => out.length,
    restoreState: (n) => {
      out.length = n as number;
    },
  };
}

function sequenceMachine(query: SequenceQuery, ctx: Context, observer?: SequenceObserver): Machine {
  const { compiled, queryStages, filters } = compileSequence(query, ctx);
  const matcher = new SequenceMatcher(compiled, observer);
  return {
    filters,
    relevant: anyOf(filters.map((f) => f.test)),
    push: (e) => matcher.push(e),
    snapshot: () => ({ kind: 'sequence', ...matcher.snapshot() }),
    saveState: () => matcher.saveState(),
    restoreState: (state) => matcher.restoreState(state as SequenceMatcherState),
    finish: () =>
      matcher.finish().map((seq) => ({
        type: 'sequence',
        joinKeys: seq.key,
        events: seq.events.map((e, i): MatchedEvent => {
          const stage = queryStages[i];
          return compiled.stages[i].missing ? { stage, missing: true } : { stage, missing: false, event: e!.record };
        }),
      })),
  };
}

function sampleMachine(query: SampleQuery, ctx: Context, maxSamplesPerKey: number): Machine {
  const { stages, filters } = compileSample(query, ctx);
  const matcher = new SampleMatcher(stages, maxSamplesPerKey);
  return {
    filters,
    relevant: anyOf(filters.map((f) => f.test)),
    push: (e) => matcher.push(e),
    snapshot: () => ({ kind: 'sample', ...matcher.snapshot() }),
    saveState: () => matcher.saveState(),
    restoreState: (state) => matcher.restoreState(state as SampleMatcherState),
    finish: () =>
      matcher.finish().map((s) => ({
        type: 'sample',
        joinKeys: s.key,
        events: s.events.map((e, stage) => ({ stage, missing: false, event: e.record })),
      })),
  };
}

/** A test of whether an event passes some filter of the rule, from {@link ReplaySession.relevanceFor}. */
export type RelevanceTest = (doc: Record<string, unknown>) => boolean;

/** Session options: the replay options plus how events are kept. */
export type ReplaySessionOptions = ReplayRunOptions & {
  /**
   * Keep only the events that pass some filter of the rule (a stage, `until`, a missing-event
   * stage); the others are dropped as soon as they are added, so memory is bounded by the events
   * the rule can use. The matches are the same either way. Default false: every event is kept and
   * stepped (what a step-through inspection or an explanation of near misses wants).
   */
  relevantOnly?: boolean;
};

/**
 * A replay that is fed events one at a time ({@link add}), then stepped one event at a time and
 * inspected between events (the engine of a step-through debugger); {@link finish} runs it to the
 * end. The rule compiles once, in the constructor.
 *
 * Events are stepped in the order Elasticsearch sees them: event and sequence queries in timestamp
 * order (see {@link orderEvents}); sample queries in input order (Elasticsearch samples are unordered
 * and take each stage's first matching documents).
 *
 * Out-of-order input: the kept events are buffered while they are added and sorted once when
 * stepping starts (skipped when they arrived in order), so files whose events are out of timestamp
 * order, and several files covering the same period, replay exactly as sorted input does. The cost
 * is memory for the kept events (with `relevantOnly`, only those that pass some filter) and an
 * O(k log k) sort of those k events. An event query with `relevantOnly` under a limit (`head N`,
 * `tail N`, `size`) keeps only the N events its result can hold (`boundedSelection.ts`: memory
 * O(N), O(k log N) time), and {@link events} and stepping then give those N only.
 */
export class ReplaySession {
  private readonly machine: Machine;
  private readonly limits: LimitStep[];
  private readonly ordinalOf: (doc: Record<string, unknown>, index: number) => Ordinal | undefined;
  private readonly relevantOnly: boolean;
  private readonly timestampField: string;
  private kept: OrderedEvent[] = [];
  /**
   * An event query whose every kept event is a match (`relevantOnly`), under a limit: its result
   * is a slice of the first (`head N`, `size`) or last (`tail N`) N matches in order, so only those
   * N are kept as they come (see the class comment).
   */
  private bounded?: BoundedSelection<OrderedEvent>;
  private inOrder = true;
  private sealed = false;
  private addedCount = 0;
  private skipped = 0;
  private firstSkipped?: EventRecord;
  /** One `path:line: warning: …` per event skipped over a limit of this engine. */
  private readonly limitWarnings: string[] = [];
  private position = 0;

  /**
   * @param statement a statement `analyze()` accepted (no error diagnostics).
   * @param events events in input order (files in the order given, lines in file order); more may
   *   be added with {@link add} before the first step.
   * @param options request options, the index `mapping` and `relevantOnly`.
   * @throws Error with a readable message when the statement cannot be evaluated (an unsupported
   *   pipe, a syntax-error placeholder, a join key that is not a field, a sequence of missing events only).
   */
  constructor(statement: Statement, events: Iterable<EventRecord> = [], options: ReplaySessionOptions = {}) {
    const ctx: Context = { eventCategoryField: options.eventCategoryField || DEFAULT_EVENT_CATEGORY_FIELD, mapping: options.mapping };
    this.limits = finalLimits(limitSteps(statement.pipes), options);
    this.relevantOnly = options.relevantOnly === true;
    this.timestampField = options.timestampField || DEFAULT_TIMESTAMP_FIELD;
    const query = statement.query;
    if (query.kind === 'sample') {
      this.machine = sampleMachine(query, ctx, options.maxSamplesPerKey ?? 1);
      // Input order: the ordinal is the input position.
      this.ordinalOf = (_doc, index) => ({ timestamp: 0, index });
    } else {
      this.machine =
        query.kind === 'event'
          ? eventMachine(compileEventFilter(query.filter, ctx), this.relevantOnly)
          : sequenceMachine(query, ctx, options.sequenceObserver);
      this.ordinalOf = ordinalReader(options);
      // The limits only narrow their input, so the first one says which events can be in the result.
      const first = this.limits[0];
      if (query.kind === 'event' && this.relevantOnly && first !== undefined) {
        this.bounded = new BoundedSelection(first.count, (a: OrderedEvent, b: OrderedEvent) => compareOrdinals(a.ordinal, b.ordinal), first.kind === 'head' ? 'first' : 'last');
      }
    }
    for (const record of events) this.add(record);
  }

  /**
   * The test {@link add} applies with `relevantOnly`, for events whose event category values the
   * caller already knows (an index of them, `samples/categoryIndex.ts`): only the filters whose
   * category such an event has are tried, in the same order, and by their condition alone (the
   * category field is not read again); `any` filters are always tried, and filters whose category
   * is not known by their whole test. For such an event it decides exactly as the whole test does,
   * and fails on the same filter when a filter fails.
   *
   * @param hasCategory whether one of the event's category values passes the category test of a
   *   filter of that category (`compileCategoryValueTest`); undefined when that is not known.
   * @returns the test to give {@link add}, or undefined when no filter of the rule can pass such an
   *   event (it can be left out unseen: `add` would drop it without any other effect).
   */
  relevanceFor(hasCategory: (category: string) => boolean | undefined): RelevanceTest | undefined {
    const tests: DocTest[] = [];
    for (const f of this.machine.filters) {
      const has = f.category === null ? true : hasCategory(f.category);
      if (has !== false) tests.push(has ? f.condition : f.test);
    }
    return tests.length === 0 ? undefined : anyOf(tests);
  }

  /**
   * Adds the next input event (input order). With `relevantOnly`, an event that passes no filter of
   * the rule is dropped here.
   * @param relevant with `relevantOnly`: the test deciding that, from {@link relevanceFor} for
   *   this event's category values; default: every filter of the rule.
   * @returns true when the event was kept for stepping.
   * @throws Error once stepping has started; `EqlEvaluationError` (with the event's `source`) when
   *   a filter fails on the event, as Elasticsearch fails the search.
   */
  add(record: EventRecord, relevant?: RelevanceTest): boolean {
    if (this.sealed) throw new Error('events cannot be added to a replay session once stepping has started');
    const index = this.addedCount++;
    if (this.relevantOnly) {
      let passes: boolean;
      try {
        passes = (relevant ?? this.machine.relevant)(record.doc);
      } catch (error) {
        if (error instanceof EventLimitError) {
          this.skipOverLimit(record, error);
          return false;
        }
        if (error instanceof EqlEvaluationError) error.source ??= record.source;
        throw error;
      }
      if (!passes) return false;
    }
    const ordinal = this.ordinalOf(record.doc, index);
    if (ordinal === undefined) {
      this.skipped++;
      this.firstSkipped ??= record;
      return false;
    }
    if (this.bounded) return this.bounded.add({ record, ordinal });
    const last = this.kept[this.kept.length - 1];
    if (this.inOrder && last !== undefined && compareOrdinals(last.ordinal, ordinal) > 0) this.inOrder = false;
    this.kept.push({ record, ordinal });
    return true;
  }

  /** Ends the input phase: sorts the kept events once when they did not arrive in order. */
  private seal(): void {
    if (this.sealed) return;
    this.sealed = true;
    if (this.bounded) this.kept = this.bounded.sorted();
    else if (!this.inOrder) this.kept.sort((a, b) => compareOrdinals(a.ordinal, b.ordinal));
  }

  /** The kept events in the order `step()` feeds them (ends the input phase). */
  get events(): readonly OrderedEvent[] {
    this.seal();
    return this.kept;
  }

  /** Number of events given to the session (kept or not). */
  get added(): number {
    return this.addedCount;
  }

  /**
   * Notes about skipped input: events without a timestamp (with `relevantOnly`, kept ones only),
   * then one `path:line: warning: …` per event skipped over a limit of this engine.
   */
  get warnings(): readonly string[] {
    const untimed = this.skipped > 0 ? [skippedWarning(this.timestampField, this.skipped, this.firstSkipped!)] : [];
    return [...untimed, ...this.limitWarnings];
  }

  /** One event over a limit of this engine (not an Elasticsearch failure) is skipped, not fatal. */
  private skipOverLimit(record: EventRecord, error: EventLimitError): void {
    this.limitWarnings.push(`${record.source.file}:${record.source.line}: warning: ${error.message}`);
  }

  /** Number of events fed so far. */
  get fed(): number {
    return this.position;
  }

  /** Feeds the next event. @returns it, or undefined when all events were fed. */
  step(): OrderedEvent | undefined {
    this.seal();
    const event = this.kept[this.position];
    if (event === undefined) return undefined;
    this.feed(event);
    return event;
  }

  /**
   * Where an event stands in the order this session steps events: the ordinal its events are
   * sorted by (see the class comment), or undefined when it has no readable timestamp and is left out.
   * For a caller that keeps the events itself (a debugger reading them back from the sample files
   * as needed) and feeds them with {@link feed}.
   * @param index the event's 0-based input position (the implicit tiebreaker).
   */
  ordinal(doc: Record<string, unknown>, index: number): Ordinal | undefined {
    return this.ordinalOf(doc, index);
  }

  /**
   * Feeds the next event of a stream the caller holds and orders itself (ascending {@link ordinal}),
   * instead of the events added to the session: the session then holds only the state machine's
   * state. Not to be mixed with added events. Counts in {@link fed}, saved and restored with the state.
   * @throws as {@link step}: `EqlEvaluationError` (with the event's `source`) when a filter fails on it.
   */
  feed(event: OrderedEvent): void {
    this.position++;
    try {
      this.machine.push(event);
    } catch (error) {
      if (error instanceof EventLimitError) {
        this.skipOverLimit(event.record, error);
        return;
      }
      // Say which event made the search fail, so the author can open it.
      if (error instanceof EqlEvaluationError) error.source ??= event.record.source;
      throw error;
    }
  }

  /** The state between two events: pending sequences per join key, events kept per sample key, … */
  snapshot(): ReplaySnapshot {
    return this.machine.snapshot();
  }

  /**
   * Copies the position and the state machine's state (step back in a debugger). Cost: linear in
   * the state held (pending sequences, completed matches), not in the events fed.
   * @returns a value for {@link restoreState}; it can be restored any number of times.
   */
  saveState(): ReplaySessionState {
    return { position: this.position, machine: this.machine.saveState(), limitWarnings: this.limitWarnings.length };
  }

  /**
   * Puts the session back where {@link saveState} (of this same session) found it: the next
   * `step()` feeds the same event and the machine decides as it did then.
   */
  restoreState(state: ReplaySessionState): void {
    this.machine.restoreState(state.machine);
    this.position = state.position;
    this.limitWarnings.length = state.limitWarnings;
  }

  /** Feeds the remaining events and returns the matches with pipes and `size` applied. */
  finish(): ReplayResult {
    while (this.step() !== undefined) {
      // Feeding is all the work: step() pushes each event into the state machine.
    }
    return { matches: applyLimits(this.machine.finish(), this.limits), warnings: this.warnings.slice() };
  }
}

/**
 * Replays a statement over events.
 *
 * @param statement a statement `analyze()` accepted (no error diagnostics).
 * @param events events in input order; event and sequence queries see them in timestamp order
 *   (see {@link orderEvents}); sample queries in input order (Elasticsearch samples are unordered).
 * @param options request options (`timestampField`, `tiebreakerField`, `eventCategoryField`, `size`,
 *   `resultPosition`, `maxSamplesPerKey`) and the index `mapping`.
 * @returns matches in Elasticsearch's result order: events by ordinal; sequences by the ordinal of
 *   their last event; samples by join key. Missing-event stages appear as `{ missing: true }`.
 * @throws Error with a readable message when the statement cannot be evaluated (an unsupported pipe,
 *   a syntax-error placeholder, a join key that is not a field, a sequence of missing events only).
 */
export function replay(statement: Statement, events: Iterable<EventRecord>, options: ReplayRunOptions = {}): ReplayResult {
  return new ReplaySession(statement, events, { ...options, relevantOnly: true }).finish();
}
