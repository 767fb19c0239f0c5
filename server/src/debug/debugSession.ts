/**
 * The replay debugger over the Debug Adapter Protocol (`@vscode/debugadapter`, Microsoft's
 * implementation of the protocol's wire format and request dispatch). No `vscode` import: the same
 * class runs inline in VS Code's extension host and over stdio as `eql-workbench debug-adapter`.
 *
 * Model: one thread (the replay); the current event is the top stack frame at its NDJSON file and
 * line, the rule stage(s) it passed the second frame. Stepping: `next` = next event, `stepIn` =
 * next event that passes a stage or `until` filter, `continue` = next breakpoint or the end,
 * `stepBack` / `reverseContinue` restore the engine's saved state (see `ReplayDebugger`).
 * Spec: https://microsoft.github.io/debug-adapter-protocol/specification. No file is ever written.
 */
import * as nodePath from 'node:path';
import {
  Breakpoint,
  BreakpointEvent,
  DebugSession,
  Response,
  Handles,
  InitializedEvent,
  OutputEvent,
  Scope,
  Source,
  StackFrame,
  StoppedEvent,
  TerminatedEvent,
  Thread,
} from '@vscode/debugadapter';
import type { DebugProtocol } from '@vscode/debugprotocol';
import type { Expression } from '../eql/ast';
import { forEachNode } from '../eql/walk';
import { printExpression } from '../eql/printer';
import { getFieldValue } from '../engine/fields';
import { compileRuleExplainer, type ConditionExplanation, type EventExplanation, type RuleExplainer } from '../engine/eventExplanation';
import type { OrderedEvent } from '../engine/sequence';
import { compileEqlExpression, type CompiledEqlExpression } from './eqlExpression';
import { LaunchError, prepareReplay, type EqlReplayLaunchArguments } from './launch';
import { HAPPENING_FILTERS, keyName, keyText, ReplayDebugger, where, type EventOutcome, type HappeningKind } from './replayDebugger';
import { stringifyExact } from '../engine/values';

const THREAD_ID = 1;
const EVENT_FRAME = 1;
const STAGE_FRAME = 2;
/** Most sentences in the Debug Console line of a stop (what the event did). */
const STEP_LINE_SENTENCES = 5;
/** Events fed between two checks for a `pause` request during a long `continue`. */
const YIELD_EVERY = 2000;

type LaunchArgs = DebugProtocol.LaunchRequestArguments & EqlReplayLaunchArguments;

interface LineBreakpoint {
  id: number;
  /** As requested (1-based line), to verify again on restart. */
  request: DebugProtocol.SourceBreakpoint;
  line: number;
  verified: boolean;
  condition?: CompiledEqlExpression;
  hit?: (hits: number) => boolean;
  logMessage?: string;
  /** The file it is in (absolute path): the rule or a sample file. */
  path: string;
  /**
   * For a hit count: the indexes (into the model's events, ascending) of the events that hit the
   * breakpoint's location and condition, found so far, and the next index to look at. A hit's number
   * is its rank in replay order from the start, the same going forwards, back, or forwards again.
   */
  hitIndexes: number[];
  scanned: number;
}

type VariablesOf = () => DebugProtocol.Variable[];

/** Why the replay stopped: DAP reason, a short description, optional breakpoint ids. */
interface StopReason {
  reason: string;
  description: string;
  text?: string;
  hitBreakpointIds?: number[];
}

/** An `eql-replay` debug session. */
export class EqlReplayDebugSession extends DebugSession {
  private args?: LaunchArgs;
  private model?: ReplayDebugger;
  private readonly breakpoints = new Map<string, LineBreakpoint[]>();
  private filters = new Set<string>();
  private nextBreakpointId = 1;
  private readonly variables = new Handles<VariablesOf>();
  private lastStop?: StopReason;
  private pauseRequested = false;
  private running = false;
  /** Problems said in the Debug Console since the launch ({@link outputOnce}). */
  private said = new Set<string>();
  /** The replay reached the end of the stream since it last stood on an event (its decisions were shown). */
  private streamEnded = false;

  constructor() {
    super();
    this.setDebuggerLinesStartAt1(true);
    this.setDebuggerColumnsStartAt1(true);
    // `@vscode/debugadapter` answers an 'error' (a frame whose body is not JSON, a broken stream) by
    // ending the process with exit code 0 and no word. A bad body is skipped instead (the library has
    // read exactly Content-Length bytes, so the frames after it are still in step); a broken stream
    // is reported to the `unreadableInput` listeners (the stdio runner exits 1), else ends the session.
    this.removeAllListeners('error');
    this.on('error', (event: DebugProtocol.Event) => {
      const text = String(event.body ?? 'unknown error');
      const body = /^Error handling data: (.*)$/s.exec(text);
      if (body) this.unreadableInput(`the message is not JSON: ${body[1]}`, false);
      else this.unreadableInput(text, true);
    });
  }

  /**
   * Reads messages from `input`, answers on `output` (stdio, a socket). A header whose Content-Length
   * is not a number of bytes leaves the reader out of step with the frames after it (the library then
   * reads bodies as headers and silently drops messages): that is fatal, as in the language server.
   * The check reads the library's frame state (`_contentLength`, @vscode/debugadapter 1.68: -1
   * between frames, the length while reading a body; NaN or another negative after a bad header).
   */
  override start(input: NodeJS.ReadableStream, output: NodeJS.WritableStream): void {
    super.start(input, output);
    input.on('data', () => {
      const length = (this as unknown as { _contentLength?: number })._contentLength;
      if (length !== undefined && (Number.isNaN(length) || length < -1)) {
        (this as unknown as { _contentLength?: number })._contentLength = -1;
        this.unreadableInput('a frame header has no valid Content-Length', true);
      }
    });
  }

  /**
   * Reports input that is not a Debug Adapter Protocol message: an `output` event (category
   * `stderr`) when the session goes on, and an `unreadableInput` event `{ reason, fatal }` for the
   * process that runs the session. Without a listener a fatal error ends the session.
   */
  private unreadableInput(reason: string, fatal: boolean): void {
    const line = reason.replace(/\s+/g, ' ').slice(0, 300);
    if (!fatal) this.output(`Cannot read a message from the client (${line}); the message is skipped.\n`, 'error');
    if (this.listenerCount('unreadableInput') > 0) this.emit('unreadableInput', { reason: line, fatal });
    else if (fatal) this.shutdown();
  }

  /** Every message from the client: a JSON object with a `type`; anything else is reported and skipped. */
  override handleMessage(message: DebugProtocol.ProtocolMessage): void {
    const m = message as unknown;
    if (m === null || typeof m !== 'object' || Array.isArray(m) || typeof (m as { type?: unknown }).type !== 'string') {
      this.unreadableInput(`expected a JSON object with a "type", got ${JSON.stringify(m)?.slice(0, 60) ?? String(m)}`, false);
      return;
    }
    super.handleMessage(message);
  }

  /**
   * Checks a request's arguments before its handler runs (DAP clients, unlike VS Code, may send
   * anything) and refuses stepping before `launch`: a clear error response instead of a crash.
   * An `initialize` without `pathFormat` gets the protocol's default, `path`.
   */
  protected override dispatchRequest(request: DebugProtocol.Request): void {
    // DAP, InitializeRequestArguments.pathFormat: "The default is `path`"; the library refuses any
    // `pathFormat` but 'path', an absent one too, so the default is filled in before it looks.
    if (request.command === 'initialize' && (request.arguments as { pathFormat?: unknown } | undefined)?.pathFormat === undefined) {
      request = { ...request, arguments: { ...(request.arguments as object | undefined), pathFormat: 'path' } };
    }
    const problem = requestProblem(request, this.model !== undefined);
    if (problem !== undefined) {
      this.sendErrorResponse(new Response(request), { id: 1100, format: problem, showUser: false });
      return;
    }
    super.dispatchRequest(request);
  }

  /**
   * The library answers a handler's exception with its JavaScript stack (error 1104, `{_stack}`);
   * the client gets the message alone, without internal paths.
   */
  protected override sendErrorResponse(
    response: DebugProtocol.Response,
    codeOrMessage: number | DebugProtocol.Message,
    format?: string,
    variables?: Record<string, string>,
    dest?: number,
  ): void {
    if (codeOrMessage === 1104 && variables?._exception !== undefined) {
      const message = `The ${response.command} request failed: ${variables._exception}`.replace(/[{}]/g, '');
      super.sendErrorResponse(response, { id: 1104, format: message, showUser: false });
      return;
    }
    super.sendErrorResponse(response, codeOrMessage as DebugProtocol.Message, format, variables, dest);
  }

  protected override initializeRequest(response: DebugProtocol.InitializeResponse): void {
    response.body = {
      supportsConfigurationDoneRequest: true,
      supportsStepBack: true,
      supportsRestartRequest: true,
      supportsConditionalBreakpoints: true,
      supportsHitConditionalBreakpoints: true,
      supportsLogPoints: true,
      supportsTerminateRequest: true,
      supportsEvaluateForHovers: true,
      exceptionBreakpointFilters: HAPPENING_FILTERS.map((f) => ({ filter: f.filter, label: f.label, default: false })),
    };
    this.sendResponse(response);
  }

  protected override async launchRequest(response: DebugProtocol.LaunchResponse, args: LaunchArgs): Promise<void> {
    this.args = args;
    try {
      await this.load();
    } catch (e) {
      this.sendErrorResponse(response, { id: 1001, format: launchMessage(e), showUser: true });
      return;
    }
    this.sendResponse(response);
    this.sendEvent(new InitializedEvent());
  }

  protected override configurationDoneRequest(response: DebugProtocol.ConfigurationDoneResponse): void {
    this.sendResponse(response);
    this.begin();
  }

  protected override async restartRequest(response: DebugProtocol.RestartResponse, args: DebugProtocol.RestartArguments | undefined): Promise<void> {
    if (args?.arguments) this.args = { ...this.args, ...(args.arguments as LaunchArgs) };
    try {
      await this.load();
    } catch (e) {
      this.sendErrorResponse(response, { id: 1002, format: launchMessage(e), showUser: true });
      return;
    }
    // Breakpoints were verified against the files of the previous launch.
    for (const [path, list] of [...this.breakpoints]) {
      const fresh: LineBreakpoint[] = [];
      const again = this.verify(path, list.map((b) => b.request), fresh, list);
      this.breakpoints.set(path, fresh);
      again.forEach((b) => this.sendEvent(new BreakpointEvent('changed', b)));
    }
    this.sendResponse(response);
    this.begin();
  }

  /** Reads the rule and samples and builds the model. @throws LaunchError and engine compile errors. */
  private async load(): Promise<void> {
    const prepared = await prepareReplay(this.args ?? ({} as LaunchArgs));
    let model: ReplayDebugger;
    try {
      model = new ReplayDebugger(prepared);
    } catch (e) {
      prepared.index.close();
      throw e;
    }
    this.model?.close();
    this.model = model;
    this.said = new Set();
    prepared.index.onNote = (note) => this.output(`${note}\n`, 'warning');
    model.onWarning = (warning) => this.output(`${warning}\n`, 'warning');
    for (const note of prepared.notes) this.output(`${note}\n`, 'warning');
    const warnings = this.model.session.warnings;
    for (const w of warnings) this.output(`warning: ${w}\n`, 'warning');
    const query = prepared.statement.query;
    const kind = query.kind === 'event' ? 'event query' : `${query.kind} of ${query.stages.length} stages`;
    this.output(
      `Replaying ${prepared.rulePath} (${kind}) over ${this.model.count} events from ${prepared.files.length} sample file${prepared.files.length === 1 ? '' : 's'}.\n`,
    );
  }

  private begin(): void {
    this.streamEnded = false;
    for (const list of this.breakpoints.values()) {
      for (const b of list) {
        b.hitIndexes = [];
        b.scanned = 0;
      }
    }
    if (this.args?.stopOnEntry === false) this.runSafely('continue');
    else this.stopHere({ reason: 'entry', description: 'Before the first event' });
  }

  // ------------------------------------------------------------------------------ breakpoints

  protected override setBreakPointsRequest(response: DebugProtocol.SetBreakpointsResponse, args: DebugProtocol.SetBreakpointsArguments): void {
    const path = args.source.path ? nodePath.resolve(this.convertClientPathToDebugger(args.source.path)) : '';
    const requested = (args.breakpoints ?? []).map((b) => ({ ...b, line: this.convertClientLineToDebugger(b.line) }));
    const list: LineBreakpoint[] = [];
    const result = this.verify(path, requested, list);
    this.breakpoints.set(path, list);
    response.body = { breakpoints: result };
    this.sendResponse(response);
  }

  /**
   * Checks requested breakpoints against the replay: a sample line holding an event, or a rule line
   * inside a stage. Fills `list` (reusing ids of `previous`) and returns the protocol breakpoints.
   */
  private verify(path: string, requested: DebugProtocol.SourceBreakpoint[], list: LineBreakpoint[], previous?: LineBreakpoint[]): DebugProtocol.Breakpoint[] {
    const out: DebugProtocol.Breakpoint[] = [];
    requested.forEach((req, i) => {
      const id = previous?.[i]?.id ?? this.nextBreakpointId++;
      const problem = this.lineProblem(path, req.line);
      let condition: CompiledEqlExpression | undefined;
      let message = problem;
      if (!problem && req.condition?.trim()) {
        condition = compileEqlExpression(req.condition, this.expressionOptions());
        if (condition.error) message = `Condition is not a valid EQL expression: ${condition.error}`;
      }
      const hit = req.hitCondition?.trim() ? parseHitCondition(req.hitCondition) : undefined;
      if (!message && req.hitCondition?.trim() && !hit) message = `Hit count "${req.hitCondition}" is not understood: use N, >= N, > N, == N or % N`;
      const verified = message === undefined;
      list.push({ id, request: req, line: req.line, verified, condition, hit, logMessage: req.logMessage, path, hitIndexes: [], scanned: 0 });
      const bp: DebugProtocol.Breakpoint = new Breakpoint(verified, this.convertDebuggerLineToClient(req.line));
      bp.id = id;
      if (message) bp.message = message;
      out.push(bp);
    });
    return out;
  }

  /** Why a breakpoint at `line` (1-based) of `path` can never be hit, or undefined when it can. */
  private lineProblem(path: string, line: number): string | undefined {
    const model = this.model;
    if (!model) return 'The replay has not started';
    const prepared = model.prepared;
    if (path === prepared.rulePath) {
      return model.stages.some((s) => line >= s.startLine && line <= s.endLine)
        ? undefined
        : `Line ${line} is not inside a stage of the rule: put the breakpoint on a stage ([… where …]) to stop when an event passes its filter`;
    }
    if (!prepared.files.includes(path)) return 'This file is neither the rule nor a sample file of this replay';
    if (this.eventsAt(path, line).length > 0) return undefined;
    const skipped = prepared.skippedLines.get(path)?.get(line);
    if (skipped) return `Line ${line} is not an event (skipped: ${skipped})`;
    if (prepared.index.leftOutAt(path, line)) {
      return `The event on line ${line} has no readable "${prepared.options.timestampField}" value, so the replay leaves it out`;
    }
    return `Line ${line} holds no event (blank line or past the end of the file)`;
  }

  /** Indexes (into the model's events) of the events read from `path` at `line`. */
  private eventsAt(path: string, line: number): number[] {
    return this.model!.prepared.index.positionsAt(path, line);
  }

  protected override setExceptionBreakPointsRequest(
    response: DebugProtocol.SetExceptionBreakpointsResponse,
    args: DebugProtocol.SetExceptionBreakpointsArguments,
  ): void {
    this.filters = new Set(args.filters);
    response.body = { breakpoints: args.filters.map(() => ({ verified: true })) };
    this.sendResponse(response);
  }

  /**
   * The breakpoints the event at `index` hits. Forwards (`counting`) log points print and condition
   * failures are reported; backwards (Reverse Continue) the same breakpoints stop on the same events
   * (location, condition and hit count alike), and log points print nothing. Log points never stop.
   */
  private hitsAt(index: number, counting: boolean): StopReason | undefined {
    const model = this.model!;
    const file = model.prepared.index.source(index).file;
    const ids: number[] = [];
    const descriptions: string[] = [];
    for (const b of [...(this.breakpoints.get(file) ?? []), ...(this.breakpoints.get(model.prepared.rulePath) ?? [])]) {
      const what = this.locatedAt(b, index);
      if (what === undefined || !this.conditionHolds(b, index, counting)) continue;
      if (b.hit && !b.hit(this.hitNumber(b, index))) continue;
      if (b.logMessage !== undefined) {
        if (counting) this.output(`${this.interpolate(b.logMessage, model.event(index).record.doc)}\n`);
        continue;
      }
      ids.push(b.id);
      descriptions.push(what);
    }
    const outcome = model.outcome(index);
    if (ids.length > 0) return { reason: 'breakpoint', description: [...new Set(descriptions)].join('; '), hitBreakpointIds: ids };
    const happened = outcome.happenings.find((h) => this.filters.has(h.kind as HappeningKind));
    if (happened) {
      const label = HAPPENING_FILTERS.find((f) => f.filter === happened.kind)!.label;
      return { reason: 'exception', description: label, text: happened.text };
    }
    return undefined;
  }

  /** When the event at `index` is at the breakpoint's place, the stop description; else undefined. */
  private locatedAt(b: LineBreakpoint, index: number): string | undefined {
    if (!b.verified) return undefined;
    const model = this.model!;
    if (b.path === model.prepared.rulePath) {
      const stage = model.outcome(index).passed.find((s) => b.line >= model.stages[s].startLine && b.line <= model.stages[s].endLine);
      return stage === undefined ? undefined : `Breakpoint: ${model.stages[stage].label} passed`;
    }
    const source = model.prepared.index.source(index);
    return source.file === b.path && source.line === b.line ? `Breakpoint at ${where(model.event(index))}` : undefined;
  }

  /** The breakpoint's condition on the event at `index` (true without one); a failure is false. */
  private conditionHolds(b: LineBreakpoint, index: number, report: boolean): boolean {
    if (!b.condition || b.condition.error !== undefined) return true;
    const event = this.model!.event(index);
    try {
      return b.condition.test(event.record.doc);
    } catch (e) {
      if (report) this.outputOnce(`Breakpoint condition failed on ${where(event)}: ${(e as Error).message}\n`, 'error');
      return false;
    }
  }

  /**
   * The hit number (1-based) of the event at `index`, which hits `b`: how many events up to it, in
   * replay order from the first, hit the breakpoint's location and condition. Every event up to
   * `index` has been fed at least once, so each one's stage outcome is known.
   */
  private hitNumber(b: LineBreakpoint, index: number): number {
    for (; b.scanned <= index; b.scanned++) {
      if (this.locatedAt(b, b.scanned) !== undefined && this.conditionHolds(b, b.scanned, false)) b.hitIndexes.push(b.scanned);
    }
    let lo = 0;
    let hi = b.hitIndexes.length;
    while (lo < hi) {
      const mid = (lo + hi) >> 1;
      if (b.hitIndexes[mid] <= index) lo = mid + 1;
      else hi = mid;
    }
    return lo;
  }

  // ------------------------------------------------------------------------------ execution

  protected override continueRequest(response: DebugProtocol.ContinueResponse): void {
    this.sendResponse(response);
    this.runSafely('continue');
  }

  protected override nextRequest(response: DebugProtocol.NextResponse): void {
    this.sendResponse(response);
    this.runSafely('next');
  }

  protected override stepInRequest(response: DebugProtocol.StepInResponse): void {
    this.sendResponse(response);
    this.runSafely('stepIn');
  }

  protected override stepOutRequest(response: DebugProtocol.StepOutResponse): void {
    // No nested calls in a replay: Step Out is Continue.
    this.sendResponse(response);
    this.runSafely('continue');
  }

  protected override pauseRequest(response: DebugProtocol.PauseResponse): void {
    this.pauseRequested = true;
    this.sendResponse(response);
  }

  protected override stepBackRequest(response: DebugProtocol.StepBackResponse): void {
    const model = this.model;
    this.sendResponse(response);
    if (!model) return;
    this.streamEnded = false;
    model.goTo(model.position - 1);
    // The description says what the event stepped back to did (the Debug Console says nothing going back).
    this.stopHere(
      model.position === 0
        ? { reason: 'entry', description: 'Before the first event' }
        : { reason: 'step', description: `Stepped back: ${model.describe()[0] ?? 'previous event'}` },
    );
  }

  protected override reverseContinueRequest(response: DebugProtocol.ReverseContinueResponse): void {
    const model = this.model;
    this.sendResponse(response);
    if (!model) return;
    this.streamEnded = false;
    for (let index = model.position - 2; index >= 0; index--) {
      const hit = this.hitsAt(index, false);
      if (hit) {
        model.goTo(index + 1);
        this.stopHere(hit);
        return;
      }
    }
    model.goTo(0);
    this.stopHere({ reason: 'entry', description: 'Before the first event' });
  }

  /** {@link run}, with any failure reported in the debug console instead of ending the adapter. */
  private runSafely(mode: 'next' | 'stepIn' | 'continue'): void {
    this.run(mode).catch((e: unknown) => {
      this.running = false;
      this.output(`Internal error while replaying: ${e instanceof Error ? (e.stack ?? e.message) : String(e)}\n`, 'error');
      this.stopHere({ reason: 'exception', description: 'Internal error', text: e instanceof Error ? e.message : String(e) });
    });
  }

  /** Feeds events until the mode's stop condition, a breakpoint, a pause or the end. */
  private async run(mode: 'next' | 'stepIn' | 'continue'): Promise<void> {
    const model = this.model;
    if (!model || this.running) return;
    this.running = true;
    this.pauseRequested = false;
    try {
      for (let fed = 0; ; fed++) {
        if (model.atEnd) {
          this.endOfStream();
          return;
        }
        if (fed > 0 && fed % YIELD_EVERY === 0) {
          await new Promise((resolve) => setImmediate(resolve));
          if (this.pauseRequested) {
            this.stopHere({ reason: 'pause', description: 'Paused' });
            return;
          }
        }
        let outcome: EventOutcome | undefined;
        try {
          outcome = model.forward();
        } catch (e) {
          const message = e instanceof Error ? e.message : String(e);
          this.stopHere({ reason: 'exception', description: 'The rule fails on this event', text: message });
          return;
        }
        if (!outcome) continue;
        const index = model.position - 1;
        const stop =
          this.hitsAt(index, true) ??
          (mode === 'next' || (mode === 'stepIn' && outcome.passed.length > 0)
            ? { reason: 'step', description: model.describe(index)[0] ?? 'Next event' }
            : undefined);
        if (stop) {
          // One line per stop, for the event stopped on: the events passed over (Step Into,
          // Continue) say nothing; what each did is in the Variables when stepped to.
          this.output(this.stepLine(index));
          this.stopHere(stop);
          return;
        }
      }
    } finally {
      this.running = false;
    }
  }

  /**
   * The end of the stream: the decisions only the end can make (missing-event checks: candidates
   * dropped or completed) are printed once, and stop the replay when their exception filter is on,
   * as the same decisions do on an event; then (or when none is wanted) the end stop.
   */
  private endOfStream(): void {
    const model = this.model!;
    if (!this.streamEnded) {
      this.streamEnded = true;
      const { happenings } = model.finalResult();
      for (const h of happenings) this.output(`End of stream: ${h.text}\n`);
      const wanted = happenings.filter((h) => this.filters.has(h.kind));
      if (wanted.length > 0) {
        const label = HAPPENING_FILTERS.find((f) => f.filter === wanted[0].kind)!.label;
        this.stopHere({ reason: 'exception', description: `${label} (end of stream)`, text: wanted.map((h) => h.text).join('\n') });
        return;
      }
    }
    const n = model.finalResult().result.matches.length;
    const description = `End of replay: ${n} match${n === 1 ? '' : 'es'}`;
    this.output(`${description}.\n`);
    this.stopHere({ reason: 'end', description });
  }

  private stopHere(stop: StopReason): void {
    this.lastStop = stop;
    this.variables.reset();
    const event: DebugProtocol.StoppedEvent = new StoppedEvent(stop.reason, THREAD_ID, stop.text);
    event.body.description = stop.description;
    event.body.allThreadsStopped = true;
    if (stop.hitBreakpointIds) event.body.hitBreakpointIds = stop.hitBreakpointIds;
    this.sendEvent(event);
  }

  /**
   * `[12/36] win-dc01.ndjson:4 2024-…Z network: passed stage 1 [network]; started …`: at most
   * {@link STEP_LINE_SENTENCES} sentences, then how many more (an event whose join key field holds
   * many values starts or advances a sequence per value: the Sequences scope lists them all).
   */
  private stepLine(index: number): string {
    const model = this.model!;
    const event = model.event(index);
    const said = model.describe(index);
    const shown = said.length > STEP_LINE_SENTENCES ? [...said.slice(0, STEP_LINE_SENTENCES - 1), `and ${said.length - STEP_LINE_SENTENCES + 1} more (see the Sequences and Matches so far scopes)`] : said;
    return `[${index + 1}/${model.count}] ${where(event)} ${timeText(event)}: ${shown.join('; ')}\n`;
  }

  // ------------------------------------------------------------------------------ inspection

  protected override threadsRequest(response: DebugProtocol.ThreadsResponse): void {
    response.body = { threads: [new Thread(THREAD_ID, 'replay')] };
    this.sendResponse(response);
  }

  protected override stackTraceRequest(response: DebugProtocol.StackTraceResponse): void {
    const model = this.model;
    const frames: DebugProtocol.StackFrame[] = [];
    if (model) {
      const rule = model.prepared.rulePath;
      const current = model.current;
      if (!current) {
        const line = model.stages[0]?.startLine ?? 1;
        frames.push(new StackFrame(EVENT_FRAME, `start of the replay (${model.count} events)`, this.source(rule), this.convertDebuggerLineToClient(line), 1));
      } else {
        const index = model.position - 1;
        const file = current.record.source.file;
        frames.push(
          new StackFrame(
            EVENT_FRAME,
            `event ${index + 1}/${model.count}: ${eventTitle(current, model.prepared.options.eventCategoryField)}`,
            this.source(file),
            this.convertDebuggerLineToClient(current.record.source.line),
            1,
          ),
        );
        const passed = model.outcome(index).passed;
        const line = passed.length > 0 ? model.stages[passed[0]].startLine : (model.stages[0]?.startLine ?? 1);
        const name = passed.length > 0 ? `${passed.map((s) => model.stages[s].label).join(', ')} passed` : 'no stage passed';
        frames.push(new StackFrame(STAGE_FRAME, name, this.source(rule), this.convertDebuggerLineToClient(line), 1));
      }
    }
    response.body = { stackFrames: frames, totalFrames: frames.length };
    this.sendResponse(response);
  }

  /**
   * A sample file as the person reads it: relative to the launch's folder (`cwd`, the workspace
   * folder in VS Code) with `/` separators when inside it, else absolute. Sources keep absolute paths.
   */
  private displayPath(path: string): string {
    const relative = nodePath.relative(this.model?.prepared.cwd ?? process.cwd(), path);
    return relative === '' || relative === '..' || relative.startsWith(`..${nodePath.sep}`) || nodePath.isAbsolute(relative) ? path : relative.split(nodePath.sep).join('/');
  }

  private source(path: string): Source {
    return new Source(nodePath.basename(path), this.convertDebuggerPathToClient(path));
  }

  protected override scopesRequest(response: DebugProtocol.ScopesResponse): void {
    const model = this.model;
    const scopes: DebugProtocol.Scope[] = [];
    if (model) {
      scopes.push(new Scope('Event', this.variables.create(() => this.eventVariables()), false));
      scopes.push(new Scope('Stages', this.variables.create(() => this.stageVariables()), false));
      const kind = model.prepared.statement.query.kind;
      if (kind === 'sequence') scopes.push(new Scope('Sequences', this.variables.create(() => this.sequenceVariables()), false));
      if (kind === 'sample') scopes.push(new Scope('Samples', this.variables.create(() => this.sampleVariables()), false));
      scopes.push(new Scope('Matches so far', this.variables.create(() => this.matchVariables()), false));
    }
    response.body = { scopes };
    this.sendResponse(response);
  }

  protected override variablesRequest(response: DebugProtocol.VariablesResponse, args: DebugProtocol.VariablesArguments): void {
    const of = this.variables.get(args.variablesReference);
    if (!of) {
      // References live until the next stop (DAP: "valid only while the execution remains suspended").
      this.sendErrorResponse(response, {
        id: 2004,
        format: `No variables with reference ${args.variablesReference}: references from before the last stop are no longer valid`,
        showUser: false,
      });
      return;
    }
    response.body = { variables: of() };
    this.sendResponse(response);
  }

  /** The fields the rule reads, with the event's values, then the whole document. */
  private eventVariables(): DebugProtocol.Variable[] {
    const model = this.model!;
    const event = model.current;
    if (!event) return [text('event', 'none yet: step to the first event')];
    const { timestampField, eventCategoryField } = model.prepared.options;
    const names = [timestampField, eventCategoryField, ...fieldsRead(model.prepared.statement.query)];
    const vars = [...new Set(names)].map((name) => this.valueVariable(name, getFieldValue(event.record.doc, name) ?? null));
    vars.push(text('source', `${this.displayPath(event.record.source.file)}:${event.record.source.line}`));
    vars.push(this.valueVariable('document', event.record.doc));
    return vars;
  }

  /**
   * Per stage: passed or not, and on the current event the condition tree with each term's values
   * and result (true, false, or null when a field it reads is absent), from the engine's per-event
   * explanation (`compileRuleExplainer`, the stage filters' own compiled predicate trees).
   */
  private stageVariables(): DebugProtocol.Variable[] {
    const model = this.model!;
    const index = model.position - 1;
    const outcome = index >= 0 ? model.outcome(index) : undefined;
    const event = model.current;
    let explanation: EventExplanation | undefined;
    // An event over a limit of the engine would be over it again here: the stages say so instead.
    if (event && outcome?.overLimit === undefined) {
      try {
        explanation = this.explainer().explainEvent(event.record.doc);
      } catch (e) {
        this.outputOnce(`The stage explanation failed on ${where(event)}: ${(e as Error).message}\n`, 'error');
      }
    }
    const untilAt = model.stages.findIndex((s) => s.kind === 'until');
    return model.stages.map((stage, i) => {
      const explained = explanation ? (i === untilAt ? explanation.until : explanation.stages[i]) : undefined;
      // Why not, in the value itself: readable without expanding the stage.
      const state = !outcome
        ? 'no event yet'
        : outcome.passed.includes(i)
          ? 'passed'
          : outcome.overLimit !== undefined
            ? `not passed: the event is skipped (${outcome.overLimit.replace(/; the event is skipped$/, '')})`
            : explained?.why[0] !== undefined
              ? `not passed: ${explained.why[0]}${explained.why.length > 1 ? ` (and ${explained.why.length - 1} more)` : ''}`
              : 'not passed';
      const children: VariablesOf = () => {
        const out: DebugProtocol.Variable[] = [];
        if (explained) {
          const category = explained.category ?? 'any';
          out.push(
            text(
              'category',
              `${category === 'any' ? 'any' : `${explained.categoryMatched ? 'matched' : 'not matched'}: ${explained.eventCategory.field} is ${formatValues(explained.eventCategory.values)}, stage needs "${category}"`}`,
            ),
          );
          // Named `condition`, not by its text: a whole stage's condition is too long to leave room for its value.
          out.push({ ...this.conditionVariable(explained.condition), name: 'condition' });
          if (explained.why.length > 0) out.push(text('why not', explained.why.join('; ')));
        }
        out.push(text('filter', `${stage.filter.category ?? 'any'} where ${printExpression(stage.filter.condition)}`));
        out.push(text('lines', stage.startLine === stage.endLine ? `${stage.startLine}` : `${stage.startLine}–${stage.endLine}`));
        return out;
      };
      return { name: stage.label, value: state, variablesReference: this.variables.create(children) };
    });
  }

  /** One node of a condition tree: `true`, `false` or `null (…absent)`, with its reason and sub-terms. */
  private conditionVariable(c: ConditionExplanation): DebugProtocol.Variable {
    const result = c.result === null ? 'null' : String(c.result);
    const value = c.why ? `${result} — ${c.why}` : result;
    const kids: VariablesOf = () => [
      ...c.fields.map((f) => text(f.field, formatValues(f.values))),
      ...c.children.map((child) => this.conditionVariable(child)),
    ];
    const hasKids = c.fields.length > 0 || c.children.length > 0;
    return { name: c.condition, value, variablesReference: hasKids ? this.variables.create(kids) : 0 };
  }

  private explainerCache?: { model: ReplayDebugger; explainer: RuleExplainer };

  /** The rule compiled for per-event explanations, once per launch. */
  private explainer(): RuleExplainer {
    const model = this.model!;
    if (this.explainerCache?.model !== model) {
      this.explainerCache = { model, explainer: compileRuleExplainer(model.prepared.statement, model.prepared.options) };
    }
    return this.explainerCache.explainer;
  }

  /** Per join key: the pending sequence at each stage, its events and the time left before maxspan. */
  private sequenceVariables(): DebugProtocol.Variable[] {
    const model = this.model!;
    const snap = model.snapshot();
    if (snap.kind !== 'sequence') return [];
    const now = snap.lastTimestamp;
    const vars = snap.keys
      .filter((k) => k.pending.length > 0)
      .map((k) => {
        const children: VariablesOf = () =>
          k.pending.map((p) => {
            const events = p.events.filter((e): e is OrderedEvent => e !== undefined);
            const details: VariablesOf = () => {
              const out = events.map((e, i) => text(`event ${i + 1}`, `${where(e)} ${timeText(e)}`));
              if (p.expiresAt !== undefined && now !== undefined) {
                const left = p.expiresAt - now;
                out.push(text('time left before maxspan', left >= 0 ? `${formatSeconds(left)}` : `expired ${formatSeconds(-left)} ago`));
              }
              if (p.cancelledByUntil) out.push(text('cancelled by until', 'yes: it can no longer advance'));
              return out;
            };
            return {
              name: `pending at stage ${model.queryStageOf(p.stage)}`,
              value: events.map(where).join(' → '),
              variablesReference: this.variables.create(details),
            };
          });
        return { name: keyName(k.joinKeys), value: `${k.pending.length} pending`, variablesReference: this.variables.create(children) };
      });
    if (vars.length === 0) vars.push(text('pending', 'none'));
    vars.push(text('completed so far', `${snap.completed}`));
    return vars;
  }

  private sampleVariables(): DebugProtocol.Variable[] {
    const snap = this.model!.snapshot();
    if (snap.kind !== 'sample') return [];
    return snap.keys.map((k) => ({
      name: keyName(k.joinKeys),
      value: k.eventsPerStage.map((l, i) => `stage ${i + 1}: ${l.length}`).join(', '),
      variablesReference: this.variables.create(() =>
        k.eventsPerStage.map((l, i) => text(`stage ${i + 1}`, l.map(where).join(', ') || 'none yet')),
      ),
    }));
  }

  private matchVariables(): DebugProtocol.Variable[] {
    const model = this.model!;
    if (model.atEnd && model.position > 0) {
      const matches = model.finalResult().result.matches;
      if (matches.length === 0) return [text('matches', 'none: the replay found no match')];
      return matches.map((m, i) => ({
        name: `match ${i + 1}`,
        value: m.events.map((e) => (e.event ? `${nodePath.basename(e.event.source.file)}:${e.event.source.line}` : `![stage ${e.stage + 1}]`)).join(' → '),
        variablesReference: 0,
      }));
    }
    const kind = model.prepared.statement.query.kind;
    if (kind === 'sample') return [text('samples', 'built at the end of the replay')];
    const sofar = model.matchesSoFar();
    if (sofar.length === 0) return [text('matches', model.position === 0 ? 'none yet: step to the first event' : 'none yet')];
    return sofar.map((m, i) => ({
      name: `match ${i + 1}`,
      value: `${m.events.map(where).join(' → ')}${m.joinKeys && m.joinKeys.length > 0 ? ` (join key ${keyText(m.joinKeys)})` : ''}`,
      variablesReference: 0,
    }));
  }

  private valueVariable(name: string, value: unknown): DebugProtocol.Variable {
    if (value !== null && typeof value === 'object') {
      const entries = Array.isArray(value) ? value.map((v, i) => [`[${i}]`, v] as const) : Object.entries(value);
      return {
        name,
        value: Array.isArray(value) ? `Array(${value.length})` : `{${Object.keys(value).slice(0, 4).join(', ')}${Object.keys(value).length > 4 ? ', …' : ''}}`,
        variablesReference: this.variables.create(() => entries.map(([k, v]) => this.valueVariable(k, v))),
      };
    }
    return { name, value: stringifyExact(value) ?? 'null', variablesReference: 0 };
  }

  protected override evaluateRequest(response: DebugProtocol.EvaluateResponse, args: DebugProtocol.EvaluateArguments): void {
    const event = this.model?.current;
    if (!event) {
      this.sendErrorResponse(response, { id: 2001, format: 'No current event: step to an event first', showUser: false });
      return;
    }
    const compiled = compileEqlExpression(args.expression, this.expressionOptions(), true);
    if (compiled.error !== undefined) {
      this.sendErrorResponse(response, { id: 2002, format: `EQL: ${compiled.error}`, showUser: false });
      return;
    }
    // Hovering in a rule or a sample shows a field's value on the current event; any other word
    // under the mouse (a keyword, a string, a JSON key) is not evaluated (no hover is shown).
    if (args.context === 'hover' && compiled.expression.kind !== 'field') {
      this.sendErrorResponse(response, { id: 2005, format: 'Only a field name is evaluated on hover', showUser: false });
      return;
    }
    try {
      const value = compiled.value(event.record.doc);
      const v = this.valueVariable(args.expression, value);
      response.body = { result: v.value, variablesReference: v.variablesReference };
      this.sendResponse(response);
    } catch (e) {
      this.sendErrorResponse(response, { id: 2003, format: `EQL: ${(e as Error).message}`, showUser: false });
    }
  }

  protected override disconnectRequest(response: DebugProtocol.DisconnectResponse, args: DebugProtocol.DisconnectArguments): void {
    this.pauseRequested = true;
    this.model?.close();
    // Responds, then ends the process when running alone over stdio (not inline nor as a server).
    super.disconnectRequest(response, args);
  }

  protected override terminateRequest(response: DebugProtocol.TerminateResponse): void {
    this.pauseRequested = true;
    this.sendResponse(response);
    this.sendEvent(new TerminatedEvent());
  }

  private expressionOptions() {
    return { eventCategoryField: this.model?.prepared.options.eventCategoryField ?? 'event.category' };
  }

  /** A log message with each `{expression}` replaced by its value on `doc`. */
  private interpolate(message: string, doc: Record<string, unknown>): string {
    return message.replace(/\{([^{}]+)\}/g, (_, expression: string) => {
      const c = compileEqlExpression(expression, this.expressionOptions(), true);
      if (c.error !== undefined) return `{${expression}: ${c.error}}`;
      try {
        return stringifyExact(c.value(doc)) ?? 'null';
      } catch (e) {
        return `{${expression}: ${(e as Error).message}}`;
      }
    });
  }

  /**
   * {@link output}, unless the same message was said since the launch: a problem found on an event
   * (a breakpoint condition failing on it) is said once, not again each time the replay passes the
   * event after stepping back.
   */
  private outputOnce(message: string, kind: OutputKind): void {
    if (this.said.has(message)) return;
    this.said.add(message);
    this.output(message, kind);
  }

  /** Sends `message` to the Debug Console, in the category that shows it as what it is ({@link OUTPUT_CATEGORY}). */
  private output(message: string, kind: OutputKind = 'narration'): void {
    this.sendEvent(new OutputEvent(message, OUTPUT_CATEGORY[kind]));
  }

  /** For tests and tools: the reason of the last stop. */
  get lastStopReason(): StopReason | undefined {
    return this.lastStop;
  }
}

/** What a Debug Console line is: what the replay did, a problem it goes on despite, or a failure. */
type OutputKind = 'narration' | 'warning' | 'error';

/**
 * The DAP output category of each kind of line. VS Code's Debug Console shows `stderr` as an error,
 * `console` as a warning and any other category as plain text (`outputSeverity` in VS Code's
 * src/vs/workbench/contrib/debug/browser/debugSession.ts), so the replay's own account, one line per
 * stop, is `stdout` (the output of what is debugged: the replay), and warnings stand out from it.
 */
const OUTPUT_CATEGORY: Record<OutputKind, 'stdout' | 'console' | 'stderr'> = { narration: 'stdout', warning: 'console', error: 'stderr' };

/** Requests that need a launched replay: the execution requests, and `configurationDone`, which starts it. */
const NEEDS_LAUNCH = new Set(['configurationDone', 'continue', 'next', 'stepIn', 'stepOut', 'stepBack', 'reverseContinue', 'pause']);

/**
 * What is wrong with a request's arguments, per the DAP specification's required properties and
 * types (https://microsoft.github.io/debug-adapter-protocol/specification), for the requests this
 * adapter reads arguments of; or why it cannot run yet. @returns the message, or undefined when fine.
 */
export function requestProblem(request: DebugProtocol.Request, launched: boolean): string | undefined {
  const command = request.command;
  if (typeof command !== 'string') return 'The request has no "command" string';
  if (NEEDS_LAUNCH.has(command) && !launched) return `No replay is running: send "launch" before "${command}"`;
  const args = request.arguments as Record<string, unknown> | undefined;
  const isObject = (v: unknown): v is Record<string, unknown> => v !== null && typeof v === 'object' && !Array.isArray(v);
  const integer = (v: unknown) => typeof v === 'number' && Number.isInteger(v);
  const needs = (what: string) => `${command}: ${what}`;
  const optionalString = (o: Record<string, unknown>, key: string) => o[key] === undefined || typeof o[key] === 'string';
  switch (command) {
    case 'setBreakpoints': {
      if (!isObject(args) || !isObject(args.source)) return needs('"source" (an object with a "path") is required');
      if (!optionalString(args.source, 'path')) return needs('"source.path" must be a string');
      if (args.breakpoints === undefined) return undefined;
      if (!Array.isArray(args.breakpoints)) return needs('"breakpoints" must be an array');
      for (const [i, b] of args.breakpoints.entries()) {
        if (!isObject(b) || !integer(b.line)) return needs(`breakpoints[${i}] needs an integer "line"`);
        for (const key of ['condition', 'hitCondition', 'logMessage']) {
          if (!optionalString(b, key)) return needs(`breakpoints[${i}].${key} must be a string`);
        }
      }
      return undefined;
    }
    case 'setExceptionBreakpoints':
      if (!isObject(args) || !Array.isArray(args.filters) || args.filters.some((f) => typeof f !== 'string')) {
        return needs('"filters" (an array of filter ids) is required');
      }
      return undefined;
    case 'evaluate':
      return isObject(args) && typeof args.expression === 'string' ? undefined : needs('"expression" (a string) is required');
    case 'variables':
      return isObject(args) && integer(args.variablesReference) ? undefined : needs('"variablesReference" (an integer) is required');
    case 'launch':
      return args === undefined || isObject(args) ? undefined : needs('the arguments must be an object');
    case 'restart':
      return args === undefined || (isObject(args) && (args.arguments === undefined || isObject(args.arguments)))
        ? undefined
        : needs('"arguments" must be an object');
    default:
      return undefined;
  }
}

/** The message shown when a launch fails. */
function launchMessage(e: unknown): string {
  if (e instanceof LaunchError) return e.message;
  return `The replay cannot start: ${e instanceof Error ? e.message : String(e)}`;
}

/**
 * Parses a hit count: `N` or `>= N` (from the N-th hit on), `> N`, `== N` / `= N` (only the N-th),
 * `% N` (every N-th). @returns the test on the hit number (1-based), or undefined when not understood.
 */
export function parseHitCondition(text: string): ((hits: number) => boolean) | undefined {
  const m = /^\s*(>=|>|==|=|%)?\s*(\d+)\s*$/.exec(text);
  if (!m) return undefined;
  const n = Number(m[2]);
  switch (m[1]) {
    case '>':
      return (h) => h > n;
    case '==':
    case '=':
      return (h) => h === n;
    case '%':
      return n > 0 ? (h) => h % n === 0 : undefined;
    default:
      return (h) => h >= n;
  }
}

/** Dotted names of the fields a query reads (conditions and join keys), in order of appearance. */
function fieldsRead(query: DebugQuery): string[] {
  const names: string[] = [];
  forEachNode(query, (n) => {
    if (n.kind === 'field') names.push((n as Expression & { kind: 'field' }).name);
  });
  return names;
}

type DebugQuery = Parameters<typeof forEachNode>[0];

/** Values of a field: `null (absent)`, one value as JSON, or `[a, b]`. */
function formatValues(values: unknown[]): string {
  if (values.length === 0) return 'null (absent)';
  return values.length === 1 ? stringifyExact(values[0]) : `[${values.map((v) => stringifyExact(v)).join(', ')}]`;
}

function text(name: string, value: string): DebugProtocol.Variable {
  return { name, value, variablesReference: 0 };
}

function timeText(e: OrderedEvent): string {
  return new Date(e.ordinal.timestamp).toISOString();
}

function formatSeconds(ms: number): string {
  return `${(ms / 1000).toFixed(3).replace(/\.?0+$/, '')} s`;
}

/** `network · 10.0.1.15` style title: the category and the event's most telling field. */
function eventTitle(e: OrderedEvent, categoryField: string): string {
  const doc = e.record.doc;
  const category = getFieldValue(doc, categoryField);
  const cat = Array.isArray(category) ? category.join(',') : (category ?? 'event');
  for (const f of ['process.name', 'destination.port', 'file.name', 'registry.path', 'dns.question.name', 'event.action']) {
    const v = getFieldValue(doc, f);
    if (v !== undefined && v !== null) return `${cat} ${f}=${stringifyExact(v)} (${where(e)})`;
  }
  return `${cat} (${where(e)})`;
}
