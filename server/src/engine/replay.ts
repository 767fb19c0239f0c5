/**
 * Replay of one EQL statement over a stream of events: the engine's entry point.
 *
 * Flow: compile the rule once (filters via `compileFilter`, join keys), put the events in
 * Elasticsearch's order (timestamp, tiebreaker, input order — `order.ts`), run the event filter or the
 * sequence / sample state machine, then apply `head`/`tail` pipes and `size`. `ReplaySession` runs
 * the same flow one event at a time for step-through inspection; `replay` runs it to the end.
 *
 * Sources: docs "EQL search" (ordering, `size`, `result_position`, `max_samples_per_key`,
 * `timestamp_field`, `tiebreaker_field`, `event_category_field`), "EQL syntax reference", "EQL pipe
 * reference"; the state machines cite their own sources.
 */
import type { EventFilter, Expression, Statement, SequenceQuery, SampleQuery, Stage } from '../eql/ast';
import { compileFieldGetter } from './fields';
import { compileFilter } from './filter';
import { FieldMapping, kindOfType, lookupField } from './mapping';
import { Ordinal, compareOrdinals, tiebreakerValue, timestampParser } from './order';
import { applyLimits, limitSteps, LimitStep } from './pipes';
import { compileJoinKeys } from './joinKeys';
import { CompiledSampleStage, SampleMatcher, type SampleSnapshot } from './sample';
import {
  CompiledSequence,
  CompiledSequenceStage,
  OrderedEvent,
  SequenceMatcher,
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
  const timestampField = options.timestampField || DEFAULT_TIMESTAMP_FIELD;
  const timestampOf = compileFieldGetter(timestampField, options.mapping);
  const readTimestamp = timestampParser(mappedFormat(options.mapping, timestampField));
  const tiebreakerOf = options.tiebreakerField ? compileFieldGetter(options.tiebreakerField, options.mapping) : undefined;
  const tiebreakerKind = options.tiebreakerField
    ? kindOfType(lookupField(options.mapping, options.tiebreakerField)?.type ?? '')
    : undefined;
  const ordered: OrderedEvent[] = [];
  let skipped = 0;
  let firstSkipped: EventRecord | undefined;
  let index = 0;
  for (const record of events) {
    const position = index++;
    const timestamp = readTimestamp(timestampOf(record.doc));
    if (timestamp === undefined) {
      skipped++;
      firstSkipped ??= record;
      continue;
    }
    let tiebreaker = tiebreakerOf ? tiebreakerValue(tiebreakerOf(record.doc)) : undefined;
    if ((tiebreakerKind === 'integer' || tiebreakerKind === 'rational') && typeof tiebreaker === 'string' && tiebreaker.trim() !== '') {
      const n = Number(tiebreaker);
      if (!Number.isNaN(n)) tiebreaker = n;
    }
    const ordinal: Ordinal = { timestamp, tiebreaker, index: position };
    ordered.push({ record, ordinal });
  }
  ordered.sort((a, b) => compareOrdinals(a.ordinal, b.ordinal));
  const warnings: string[] = [];
  if (skipped > 0) {
    warnings.push(
      `${skipped} event(s) skipped: no readable "${timestampField}" value (first: ${firstSkipped!.source.file}:${firstSkipped!.source.line})`,
    );
  }
  return { ordered, warnings };
}

interface Context {
  eventCategoryField: string;
  mapping?: FieldMapping;
}

function compileEventFilter(filter: EventFilter, ctx: Context): (doc: Record<string, unknown>) => boolean {
  return compileFilter(filter, { eventCategoryField: ctx.eventCategoryField, mapping: ctx.mapping });
}

/** Expands `with runs=N` into N consecutive copies of the stage (Elasticsearch's parser does the same). */
function expandRuns(stages: readonly Stage[]): Array<{ stage: Stage; queryStage: number }> {
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
export function compileSequence(query: SequenceQuery, ctx: Context): { compiled: CompiledSequence; queryStages: number[] } {
  const keysFor = (own: readonly Expression[]) =>
    compileJoinKeys([...query.joinKeys, ...own], ctx.mapping, 'sequence');
  const expanded = expandRuns(query.stages);
  const stages: CompiledSequenceStage[] = [];
  const cache = new Map<Stage, { matches: (doc: Record<string, unknown>) => boolean; keys: ReturnType<typeof keysFor> }>();
  for (const { stage, queryStage } of expanded) {
    let c = cache.get(stage);
    if (!c) {
      c = { matches: compileEventFilter(stage.filter, ctx), keys: keysFor(stage.joinKeys) };
      cache.set(stage, c);
    }
    stages.push({ queryStage, missing: stage.missing, matches: c.matches, keys: c.keys });
  }
  const until = query.until
    ? { matches: compileEventFilter(query.until.filter, ctx), keys: keysFor(query.until.joinKeys) }
    : undefined;
  return {
    compiled: { stages, until, maxspanMillis: query.maxspan?.millis },
    queryStages: expanded.map((e) => e.queryStage),
  };
}

/**
 * Compiles a sample query for {@link SampleMatcher}.
 * @throws Error when a filter cannot be compiled.
 */
export function compileSample(query: SampleQuery, ctx: Context): CompiledSampleStage[] {
  return query.stages.map((stage) => ({
    matches: compileEventFilter(stage.filter, ctx),
    keys: compileJoinKeys([...query.joinKeys, ...stage.joinKeys], ctx.mapping, 'sample'),
  }));
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
  push(event: OrderedEvent): void;
  snapshot(): ReplaySnapshot;
  finish(): Match[];
}

function eventMachine(filter: (doc: Record<string, unknown>) => boolean): Machine {
  const out: Match[] = [];
  return {
    push(e) {
      if (filter(e.record.doc)) out.push({ type: 'event', events: [{ stage: 0, missing: false, event: e.record }] });
    },
    snapshot: () => ({ kind: 'event', matched: out.length }),
    finish: () => out.slice(),
  };
}

function sequenceMachine(query: SequenceQuery, ctx: Context, observer?: SequenceObserver): Machine {
  const { compiled, queryStages } = compileSequence(query, ctx);
  const matcher = new SequenceMatcher(compiled, observer);
  return {
    push: (e) => matcher.push(e),
    snapshot: () => ({ kind: 'sequence', ...matcher.snapshot() }),
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
  const matcher = new SampleMatcher(compileSample(query, ctx), maxSamplesPerKey);
  return {
    push: (e) => matcher.push(e),
    snapshot: () => ({ kind: 'sample', ...matcher.snapshot() }),
    finish: () =>
      matcher.finish().map((s) => ({
        type: 'sample',
        joinKeys: s.key,
        events: s.events.map((e, stage) => ({ stage, missing: false, event: e.record })),
      })),
  };
}

/**
 * A replay that can be stepped one event at a time and inspected between events (the engine of a
 * step-through debugger). The rule compiles once, in the constructor.
 *
 * Events are fed in the order Elasticsearch sees them: event and sequence queries in timestamp order
 * (see {@link orderEvents}); sample queries in input order (Elasticsearch samples are unordered and
 * take each stage's first matching documents).
 */
export class ReplaySession {
  /** The events in the order `step()` feeds them. */
  readonly events: readonly OrderedEvent[];
  /** Notes about skipped input (events without a timestamp). */
  /** Ordering warnings, then one `path:line: warning: …` per event skipped over a limit. */
  readonly warnings: string[];
  private readonly machine: Machine;
  private readonly limits: LimitStep[];
  private position = 0;

  /**
   * @param statement a statement `analyze()` accepted (no error diagnostics).
   * @param events events in input order (files in the order given, lines in file order).
   * @param options request options and the index `mapping`.
   * @throws Error with a readable message when the statement cannot be evaluated (an unsupported
   *   pipe, a syntax-error placeholder, a join key that is not a field, a sequence of missing events only).
   */
  constructor(statement: Statement, events: Iterable<EventRecord>, options: ReplayRunOptions = {}) {
    const ctx: Context = { eventCategoryField: options.eventCategoryField || DEFAULT_EVENT_CATEGORY_FIELD, mapping: options.mapping };
    this.limits = finalLimits(limitSteps(statement.pipes), options);
    const query = statement.query;
    if (query.kind === 'sample') {
      this.machine = sampleMachine(query, ctx, options.maxSamplesPerKey ?? 1);
      const inInputOrder: OrderedEvent[] = [];
      let index = 0;
      for (const record of events) inInputOrder.push({ record, ordinal: { timestamp: 0, index: index++ } });
      this.events = inInputOrder;
      this.warnings = [];
    } else {
      this.machine = query.kind === 'event' ? eventMachine(compileEventFilter(query.filter, ctx)) : sequenceMachine(query, ctx, options.sequenceObserver);
      const { ordered, warnings } = orderEvents(events, options);
      this.events = ordered;
      this.warnings = warnings;
    }
  }

  /** Number of events fed so far. */
  get fed(): number {
    return this.position;
  }

  /** Feeds the next event. @returns it, or undefined when all events were fed. */
  step(): OrderedEvent | undefined {
    const event = this.events[this.position];
    if (event === undefined) return undefined;
    this.position++;
    try {
      this.machine.push(event);
    } catch (error) {
      // One event over a limit of this engine (not an Elasticsearch failure) is skipped, not fatal.
      if (error instanceof EventLimitError) {
        const { file, line } = event.record.source;
        this.warnings.push(`${file}:${line}: warning: ${error.message}`);
        return event;
      }
      // Say which event made the search fail, so the author can open it.
      if (error instanceof EqlEvaluationError) error.source ??= event.record.source;
      throw error;
    }
    return event;
  }

  /** The state between two events: pending sequences per join key, events kept per sample key, … */
  snapshot(): ReplaySnapshot {
    return this.machine.snapshot();
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
  return new ReplaySession(statement, events, options).finish();
}
