/**
 * The replay debugger's model, without any protocol: the engine's own {@link ReplaySession} fed one
 * event at a time, what each event did (from the sequence matcher's observer and the stage filters),
 * and moves back in time by restoring saved engine states (checkpoints every `interval` events,
 * then re-feeding the few events after the checkpoint through the engine itself).
 *
 * Events are read from the sample files only when they are fed or looked at (`SampleEventIndex`);
 * a line the rule's raw-line prefilter (`engine/prefilter.ts`) shows can pass no filter is fed
 * unparsed, as an empty document with its ordinal (the engine only notes its timestamp), so
 * Continue and Step Into run at the speed of reading.
 *
 * Memory: the index (about 36 bytes an event), one saved state per `interval` events reached (at
 * most about 200 per replay, whatever its size), one small record per event that passed a filter or
 * made the matcher decide something, and the last events looked at.
 */
import type { EventFilter, SampleQuery, SequenceQuery, Stage } from '../eql/ast';
import { EventLimitError } from '../engine/errors';
import { compileFilter } from '../engine/filter';
import type { KeyValue } from '../engine/joinKeys';
import { compilePrefilter, type LinePrefilter } from '../engine/prefilter';
import { ReplaySession, type ReplaySessionState, type ReplaySnapshot } from '../engine/replay';
import type { OrderedEvent, SequenceObserver, SequenceState } from '../engine/sequence';
import type { EventRecord, ReplayResult } from '../engine/types';
import { lineColumnAt } from '../samples/textPosition';
import type { PreparedReplay } from './launch';
import { stringifyExact } from '../engine/values';

/** The exception-style breakpoint filters: things the sequence matcher decides. */
export const HAPPENING_FILTERS = [
  { filter: 'sequenceCompleted', label: 'Sequence completed' },
  { filter: 'pendingReplaced', label: 'Pending sequence replaced' },
  { filter: 'maxspanExpired', label: 'Expired past maxspan' },
  { filter: 'untilCancelled', label: 'Cancelled by until' },
  { filter: 'missingEventSeen', label: 'Missing-event stage seen' },
] as const;

/** One of {@link HAPPENING_FILTERS}' ids. */
export type HappeningKind = (typeof HAPPENING_FILTERS)[number]['filter'] | 'unmatched';

/** Something the state machine decided while taking one event, in words. */
export interface Happening {
  kind: HappeningKind;
  text: string;
  /** For `sequenceCompleted`: the events of the sequence. */
  events?: OrderedEvent[];
  joinKeys?: KeyValue[];
}

/** What one event did. */
export interface EventOutcome {
  /** Indexes (into {@link ReplayDebugger.stages}) of the stages whose filter the event passed. */
  passed: number[];
  happenings: Happening[];
  /** Evaluation errors of stage filters on this event (the stage counts as not passed). */
  errors: string[];
  /**
   * Why the engine skipped the event, when it is over a limit of this engine (`EventLimitError`,
   * e.g. too many multi-valued field combinations): it then counts as passing no stage.
   */
  overLimit?: string;
}

/** A stage of the rule as the debugger shows it: filter, label and place in the rule file. */
export interface DebugStage {
  /** `stage 1 [network]`, `until [process]`, `query [process]` (1-based). */
  label: string;
  kind: 'stage' | 'missing' | 'until' | 'query';
  filter: EventFilter;
  /** 1-based lines of the rule file the stage covers (TOML rules: lines of the TOML file). */
  startLine: number;
  endLine: number;
  test(doc: Record<string, unknown>): boolean;
}

const NO_OUTCOME: EventOutcome = { passed: [], happenings: [], errors: [] };

/** Events kept at hand (read and parsed once while the replay stays around them). */
const RECENT_EVENTS = 256;

/** How many events between two saved engine states: at most ~200 states, at least 64 events apart. */
export function checkpointInterval(events: number): number {
  return Math.max(64, Math.ceil(events / 200));
}

/** Steps a prepared replay forwards and backwards. */
export class ReplayDebugger {
  readonly session: ReplaySession;
  readonly stages: DebugStage[];
  /** Query-stage index of each expanded (runs) sequence stage. */
  private readonly expandedToQuery: number[];
  private readonly outcomes = new Map<number, EventOutcome>();
  private readonly checkpoints = new Map<number, ReplaySessionState>();
  private readonly interval: number;
  private recording: Happening[] | undefined;
  private final?: { result: ReplayResult; happenings: Happening[] };
  private readonly prefilter?: LinePrefilter;
  private readonly recent = new Map<number, OrderedEvent>();
  /** The engine's warnings already told to {@link onWarning} (each once per launch). */
  private readonly warned = new Set<string>();
  /**
   * Told each warning of the engine (`path:line: warning: …`, an event skipped over a limit of this
   * engine) the first time the replay reaches it; stepping back and forwards again repeats nothing.
   */
  onWarning: (text: string) => void = () => undefined;

  /**
   * @param prepared the rule and the index of its events (see `prepareReplay`).
   * @throws Error when the engine cannot compile the rule (a pattern it refuses).
   */
  constructor(readonly prepared: PreparedReplay) {
    const query = prepared.statement.query;
    this.stages = debugStages(prepared);
    this.expandedToQuery = query.kind === 'sequence' ? query.stages.flatMap((s, i) => new Array<number>(Math.max(1, s.runs ?? 1)).fill(i)) : [];
    // Fed one by one from the index (`feed`), in the order the index holds them.
    this.session = new ReplaySession(prepared.statement, [], {
      ...prepared.options,
      sequenceObserver: this.observer(),
    });
    this.prefilter = compilePrefilter(prepared.statement, { eventCategoryField: prepared.options.eventCategoryField });
    this.interval = checkpointInterval(this.count);
  }

  /** Number of events, in the order the engine takes them. */
  get count(): number {
    return this.prepared.index.count;
  }

  /**
   * The event at `index` (0-based, replay order). Its document is read from its file when first
   * looked at; the last {@link RECENT_EVENTS} events asked for are kept (the same object each time).
   */
  event(index: number): OrderedEvent {
    let event = this.recent.get(index);
    if (event) {
      this.recent.delete(index);
    } else {
      const events = this.prepared.index;
      const source = events.source(index);
      let doc: Record<string, unknown> | undefined;
      const record: EventRecord = {
        source,
        get doc() {
          return (doc ??= events.document(index));
        },
      };
      event = { record, ordinal: events.ordinal(index) };
      if (this.recent.size >= RECENT_EVENTS) this.recent.delete(this.recent.keys().next().value!);
    }
    this.recent.set(index, event);
    return event;
  }

  /** Number of events fed; the current event is `event(position - 1)`. */
  get position(): number {
    return this.session.fed;
  }

  /** The event the replay stands on (the last one fed), or undefined before the first. */
  get current(): OrderedEvent | undefined {
    return this.position > 0 ? this.event(this.position - 1) : undefined;
  }

  /** True when every event was fed. */
  get atEnd(): boolean {
    return this.position >= this.count;
  }

  /** Closes the sample files (the session is over). */
  close(): void {
    this.prepared.index.close();
  }

  /** What the event at `index` (0-based, into `events`) did; known for every event fed at least once. */
  outcome(index: number): EventOutcome {
    return this.outcomes.get(index) ?? NO_OUTCOME;
  }

  /**
   * Feeds the next event to the engine. @returns its outcome, or undefined at the end.
   * @throws EqlEvaluationError when the rule fails on the event (as Elasticsearch fails the search).
   */
  forward(): EventOutcome | undefined {
    const position = this.position;
    if (position >= this.count) return undefined;
    if (position % this.interval === 0 && !this.checkpoints.has(position)) this.checkpoints.set(position, this.session.saveState());
    const irrelevant = this.passesNoFilter(position);
    const event = irrelevant ? this.unparsed(position) : this.event(position);
    const happenings: Happening[] = [];
    // An event whose line passes no filter cannot be over a limit (no filter runs on it).
    const warnings = irrelevant ? 0 : this.session.warnings.length;
    this.recording = happenings;
    try {
      this.session.feed(event);
    } finally {
      this.recording = undefined;
    }
    if (irrelevant) {
      this.outcomes.delete(position);
      return NO_OUTCOME;
    }
    if (this.session.warnings.length > warnings) this.tellWarnings(this.session.warnings.slice(warnings));
    const passed: number[] = [];
    const errors: string[] = [];
    let overLimit: string | undefined;
    this.stages.forEach((stage, i) => {
      try {
        if (stage.test(event.record.doc)) passed.push(i);
      } catch (e) {
        // The engine skipped the event for this reason (said once, as a warning): not a failure of each stage.
        if (e instanceof EventLimitError) overLimit ??= e.message;
        else errors.push(`${stage.label}: ${e instanceof Error ? e.message : String(e)}`);
      }
    });
    const outcome: EventOutcome = overLimit === undefined ? { passed, happenings, errors } : { passed: [], happenings, errors, overLimit };
    if (outcome.passed.length > 0 || happenings.length > 0 || errors.length > 0 || overLimit !== undefined) this.outcomes.set(position, outcome);
    else this.outcomes.delete(position);
    return outcome;
  }

  /** Tells {@link onWarning} the warnings it was not told yet. */
  private tellWarnings(warnings: readonly string[]): void {
    for (const w of warnings) {
      if (this.warned.has(w)) continue;
      this.warned.add(w);
      this.onWarning(w);
    }
  }

  /**
   * Moves to `target` events fed (0 … events.length): forwards by feeding, backwards by restoring
   * the nearest saved engine state at or before it and feeding the events after it.
   */
  goTo(target: number): void {
    const to = Math.max(0, Math.min(target, this.count));
    if (to < this.position) {
      let from = to - (to % this.interval);
      while (from > 0 && !this.checkpoints.has(from)) from -= this.interval;
      const state = this.checkpoints.get(from);
      if (!state) throw new Error(`no saved replay state at ${from}`);
      this.session.restoreState(state);
    }
    while (this.position < to) this.forward();
  }

  /** True when the raw line of the event at `index` shows it can pass no filter of the rule. */
  private passesNoFilter(index: number): boolean {
    if (!this.prefilter) return false;
    const line = this.prepared.index.rawLine(index);
    return line !== undefined && !this.prefilter(line);
  }

  /**
   * The event at `index` for the engine only, unparsed: an empty document with its place and
   * ordinal. It passes no filter (as its line), so the engine only notes its timestamp.
   */
  private unparsed(index: number): OrderedEvent {
    const events = this.prepared.index;
    return { record: { doc: {}, source: events.source(index) }, ordinal: events.ordinal(index) };
  }

  /** The engine's state now (pending sequences per join key, kept sample events, counters). */
  snapshot(): ReplaySnapshot {
    return this.session.snapshot();
  }

  /**
   * The replay's result, as the replay command gives it (pipes and `size` applied), and what the end
   * of the stream decided (missing-event checks). Computed once, on a copy of the engine's state.
   */
  finalResult(): { result: ReplayResult; happenings: Happening[] } {
    if (!this.final) {
      const saved = this.session.saveState();
      const happenings: Happening[] = [];
      try {
        while (!this.atEnd) this.forward();
        this.recording = happenings;
        // Every event was fed: finish() only makes the end-of-stream decisions and applies the pipes.
        this.final = { result: this.session.finish(), happenings };
      } finally {
        this.recording = undefined;
        this.session.restoreState(saved);
      }
    }
    return this.final;
  }

  /** The matches found by the events fed so far (all of them, with pipes applied, at the end). */
  matchesSoFar(): Array<{ joinKeys?: KeyValue[]; events: OrderedEvent[]; at: number }> {
    const query = this.prepared.statement.query;
    const out: Array<{ joinKeys?: KeyValue[]; events: OrderedEvent[]; at: number }> = [];
    for (let i = 0; i < this.position; i++) {
      const o = this.outcomes.get(i);
      if (!o) continue;
      if (query.kind === 'event' && o.passed.includes(0)) out.push({ events: [this.event(i)], at: i });
      for (const h of o.happenings) if (h.kind === 'sequenceCompleted' && h.events) out.push({ joinKeys: h.joinKeys, events: h.events, at: i });
    }
    return out;
  }

  /**
   * What the current event did, as sentences: the stages it passed, the sequences it started,
   * advanced, completed or replaced, the ones it found expired or cancelled by `until`.
   */
  describe(index = this.position - 1): string[] {
    if (index < 0) return [];
    const o = this.outcome(index);
    const lines: string[] = [];
    if (o.overLimit !== undefined) lines.push(`matched no stage: ${o.overLimit}`);
    else lines.push(o.passed.length === 0 ? 'matched no stage' : `passed ${o.passed.map((i) => this.stages[i].label).join(', ')}`);
    if (index === this.position - 1 && o.passed.length > 0) lines.push(...this.progressOf(this.prepared.index.ordinal(index).index));
    for (const h of o.happenings) lines.push(h.text);
    lines.push(...o.errors.map((e) => `evaluation failed: ${e}`));
    return lines;
  }

  /**
   * Sequences whose latest event is the event at input position `input` (its ordinal's index) in
   * the current state: started or advanced by it.
   */
  private progressOf(input: number): string[] {
    const snap = this.snapshot();
    if (snap.kind !== 'sequence') return [];
    const out: string[] = [];
    const firstPositive = this.firstPositiveStage();
    for (const key of snap.keys) {
      for (const p of key.pending) {
        if (p.events[p.stage]?.ordinal.index !== input) continue;
        const stage = this.expandedToQuery[p.stage] + 1;
        out.push(
          p.stage === firstPositive
            ? `started a sequence${forKey(key.joinKeys)} (stage ${stage})`
            : `advanced the sequence${ofKey(key.joinKeys)} to stage ${stage}`,
        );
      }
    }
    return out;
  }

  private firstPositiveStage(): number {
    const query = this.prepared.statement.query;
    if (query.kind !== 'sequence') return 0;
    let expanded = 0;
    for (const s of query.stages) {
      if (!s.missing) return expanded;
      expanded += Math.max(1, s.runs ?? 1);
    }
    return 0;
  }

  /** Human stage number (1-based, as written in the rule) of an expanded sequence stage. */
  queryStageOf(expanded: number): number {
    return (this.expandedToQuery[expanded] ?? expanded) + 1;
  }

  private observer(): SequenceObserver {
    const record = (h: Happening) => this.recording?.push(h);
    const stageText = (expanded: number) => `stage ${this.queryStageOf(expanded)}`;
    return {
      unmatched: (stage, key) =>
        record({ kind: 'unmatched', text: `no sequence${ofKey(key)} was waiting for ${stageText(stage)}, so the event advances none` }),
      replaced: (dropped, by) =>
        record({
          kind: 'pendingReplaced',
          text: `replaced the pending sequence${ofKey(dropped.key)} at ${stageText(dropped.stage)} (was ${eventsText(dropped.events)}; ${where(by)} is newer)`,
        }),
      rejected: (r) => {
        if (r.reason === 'maxspan') {
          record({ kind: 'maxspanExpired', text: `found the pending sequence${ofKey(r.key)} (${eventsText(r.events)}) expired: past maxspan` });
        } else if (r.reason === 'until') {
          record({
            kind: 'untilCancelled',
            text: `found the pending sequence${ofKey(r.key)} (${eventsText(r.events)}) cancelled by until${r.at ? ` (${where(r.at)})` : ''}`,
          });
        } else {
          record({
            kind: 'missingEventSeen',
            text: `the candidate sequence${ofKey(r.key)} (${eventsText(r.events)}) was dropped: missing-event stage seen${r.at ? ` at ${where(r.at)}` : ''}`,
          });
        }
      },
      completed: (seq: SequenceState) =>
        record({
          kind: 'sequenceCompleted',
          text: `completed the sequence${ofKey(seq.key)}: ${eventsText(seq.events)}`,
          events: seq.events.filter((e): e is OrderedEvent => e !== undefined),
          joinKeys: seq.key,
        }),
      missingSeen: (stage) => record({ kind: 'missingEventSeen', text: `passed missing-event ${stageText(stage)} ![…]; it cancels candidates around it` }),
    };
  }
}

/** The rule's stages with their lines in the rule file and their compiled filters. */
function debugStages(prepared: PreparedReplay): DebugStage[] {
  const { rule, statement, options } = prepared;
  const ctx = { eventCategoryField: options.eventCategoryField };
  const lines = (span: { start: number; end: number }) => ({
    startLine: lineColumnAt(rule.fileText, rule.toFileOffset(span.start)).line,
    endLine: lineColumnAt(rule.fileText, rule.toFileOffset(Math.max(span.start, span.end - 1))).line,
  });
  const category = (f: EventFilter) => f.category ?? 'any';
  const query = statement.query;
  if (query.kind === 'event') {
    return [{ label: `query [${category(query.filter)}]`, kind: 'query', filter: query.filter, ...lines(query.span), test: compileFilter(query.filter, ctx) }];
  }
  const stages: Stage[] = (query as SequenceQuery | SampleQuery).stages;
  const out: DebugStage[] = stages.map((s, i) => ({
    label: `stage ${i + 1} ${s.missing ? '!' : ''}[${category(s.filter)}]`,
    kind: s.missing ? 'missing' : 'stage',
    filter: s.filter,
    ...lines(s.span),
    test: compileFilter(s.filter, ctx),
  }));
  if (query.kind === 'sequence' && query.until) {
    const u = query.until;
    out.push({ label: `until [${category(u.filter)}]`, kind: 'until', filter: u.filter, ...lines(u.span), test: compileFilter(u.filter, ctx) });
  }
  return out;
}

/** `"a3f1…"` or `"h1", 42`: join key values as EQL literals. */
export function keyText(key: readonly KeyValue[]): string {
  return key.map((v) => stringifyExact(v)).join(', ');
}

/** ` of join key "a3f1…"`, or nothing for a sequence without join keys (no `by`). */
function ofKey(key: readonly KeyValue[]): string {
  return key.length > 0 ? ` of join key ${keyText(key)}` : '';
}

/** ` for join key "a3f1…"`, or nothing for a sequence without join keys (no `by`). */
function forKey(key: readonly KeyValue[]): string {
  return key.length > 0 ? ` for join key ${keyText(key)}` : '';
}

/** `join key "a3f1…"`, or `no join key` for a sequence or sample without `by` (a variable's name). */
export function keyName(key: readonly KeyValue[]): string {
  return key.length > 0 ? `join key ${keyText(key)}` : 'no join key';
}

/** `win-dc01.ndjson:4` for an event. */
export function where(e: OrderedEvent): string {
  const file = e.record.source.file;
  return `${file.slice(Math.max(file.lastIndexOf('/'), file.lastIndexOf('\\')) + 1)}:${e.record.source.line}`;
}

function eventsText(events: ReadonlyArray<OrderedEvent | undefined>): string {
  return events.filter((e): e is OrderedEvent => e !== undefined).map(where).join(' → ');
}
