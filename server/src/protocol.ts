/**
 * Custom requests between the EQL Workbench client and language server, declared once and
 * imported by both sides so their shapes cannot drift apart.
 *
 * Everything here is plain JSON: URIs are strings (`file:///…`), lines are 1-based, stages 0-based.
 */
import { NotificationType, RequestType, type Diagnostic, type ProgressToken } from 'vscode-languageserver-protocol';
import type { EventExplanation } from './engine/eventExplanation';
import type { Explanation } from './engine/explain';
import type { IndexPatternSummary } from './samples/indexPatterns';

/** Replay settings, with the meaning of the Elasticsearch `_eql/search` parameters of the same name. */
export interface ReplayRequestOptions {
  /** Elasticsearch `timestamp_field`; e.g. `@timestamp`. */
  timestampField: string;
  /** Elasticsearch `tiebreaker_field`; empty string: none (events with equal timestamps keep file order). */
  tiebreakerField: string;
  /** Elasticsearch `event_category_field`; e.g. `event.category`. */
  eventCategoryField: string;
  /**
   * False: a detection rule's `index` patterns do not apply (every event is replayed, whatever its
   * `_index` or `data_stream` fields). Absent or true: they apply, as Kibana runs the rule.
   */
  indexFilter?: boolean;
}

/** Params of `eqlWorkbench/replay`. */
export interface ReplayParams {
  /** The rule document. Its text is taken from the open document if the client has it open, else read from disk. */
  uri: string;
  /** NDJSON sample files, in the order their events enter the stream (ties keep this order). */
  sampleUris: string[];
  options: ReplayRequestOptions;
  /**
   * Unsaved text of sample files open in the client (dirty editors), replayed instead of the file on
   * disk so matches line up with what the editor shows. Each `uri` is one of `sampleUris`, spelled the
   * same; others are ignored. Absent or empty: every sample is read from disk.
   */
  openSamples?: OpenSample[];
  /**
   * Exception files (`file:` URIs: Kibana export `.ndjson` or `.toml`) whose items leave events out
   * before the rule runs, as Kibana does; the result then tells what each item removed.
   */
  exceptionUris?: string[];
  /** LSP work-done progress token: the server reports bytes and events read on it (`$/progress`). */
  workDoneToken?: ProgressToken;
  /**
   * Memory budget (MiB, estimated) of the parsed sample files the server keeps between replays, so
   * that re-runs over unchanged samples skip reading and parsing them (setting
   * `eqlWorkbench.replay.cacheBudgetMB`); 0: no cache; absent: 512.
   */
  sampleCacheBudgetMB?: number;
}

/** The text of an open sample document, as the client's editor holds it. */
export interface OpenSample {
  uri: string;
  /** The whole document text (line ends `\n`, `\r\n` or `\r`). */
  text: string;
}

/** One event of a replay match, or the placeholder of a missing-event stage `![…]`. */
export interface ReplayMatchEvent {
  /** The sample file (as sent in `sampleUris`); empty string for a missing-event placeholder. */
  uri: string;
  /** 1-based line in the sample file; 0 for a missing-event placeholder. */
  line: number;
  /** 0-based stage index in the query (0 for event queries). */
  stage: number;
  /** True for the placeholder of a `![…]` stage (no event, no file). */
  missing: boolean;
  /** Join key fields of this event's stage as written (query-level `by` keys first), e.g. `["host.id"]`. */
  joinKeyFields?: string[];
  /** Value of the timestamp field, as found in the document (string or epoch-millis number). */
  timestamp?: string | number;
  /** The event category (configured field, default `event.category`); several values joined by `, `. */
  category?: string;
  /** `event.action` of the event, when it holds text (several values joined by `, `). */
  action?: string;
  /** `process.name` of the event, when it holds text (several values joined by `, `). */
  processName?: string;
}

/** One replay match, in the order Elasticsearch would return it. */
export interface ReplayMatch {
  type: 'event' | 'sequence' | 'sample';
  /** Join key values (sequences and samples only), in key order. */
  joinKeys?: unknown[];
  /** Number of stages of the query (1 for event queries), for "stage i/N" displays. */
  stageCount: number;
  events: ReplayMatchEvent[];
}

/** A sample line that is not a JSON object; it is skipped, like a document Elasticsearch would reject. */
export interface MalformedLine {
  uri: string;
  /** 1-based line number. */
  line: number;
  message: string;
}

/** Result of `eqlWorkbench/replay`. */
export interface ReplayResult {
  /**
   * Present (non-empty) when the rule has errors: then nothing was replayed and `matches` is empty.
   * Only the errors (severity Error) of the diagnostics published for the document; warnings and
   * hints are not repeated here.
   */
  diagnostics?: Diagnostic[];
  matches: ReplayMatch[];
  malformedLines: MalformedLine[];
  /** Number of sample files read. */
  sampleFiles: number;
  /** Of `sampleFiles`, those replayed from the server's cache of parsed samples (unchanged since read). */
  cachedSampleFiles?: number;
  /** Number of events read (well-formed lines). */
  events: number;
  /**
   * Engine warnings, unreadable sample files and a sample set in which no event has a value for the
   * event category field, as readable sentences.
   */
  warnings: string[];
  /** With `exceptionUris`: per exception item (file order), what it did. Problems of the files are in `warnings`. */
  exceptions?: ReplayExceptionEffect[];
  /**
   * For a detection rule with `index` patterns (unless `options.indexFilter` is false): how many
   * events each pattern kept and which indices were left out (`samples/indexPatterns.ts`).
   */
  indexPatterns?: ReplayIndexPatterns;
}

/** What a rule's index patterns did to a replay's events (counted over every event read). */
export type ReplayIndexPatterns = IndexPatternSummary;

/** What one exception item did to a replay. */
export interface ReplayExceptionEffect {
  /** The item's name (else its `item_id`). */
  name: string;
  /** Where the item was read: exception file URI and 1-based line. */
  uri: string;
  line: number;
  /** An item past its `expire_time` is not applied. */
  expired: boolean;
  /** Number of events it left out. */
  eventsLeftOut: number;
  /** The matches of the replay without exceptions that lost an event to this item. */
  removed: ReplayMatch[];
}

/**
 * `eqlWorkbench/replay` (client → server): analyze the rule and replay it over the sample files
 * with Elasticsearch EQL semantics. A rule with errors is answered normally (`diagnostics`). Fails
 * with a `ResponseError`:
 * - `InvalidParams` for unusable input: the rule is neither open nor a readable rule file, or the
 *   engine refuses it (a regular expression it cannot compile, a script failure on an event such as
 *   an integer division by zero, as Elasticsearch fails the search);
 * - `InternalError` for any other failure (a defect; the server logs its stack).
 */
export const ReplayRequest = new RequestType<ReplayParams, ReplayResult, void>('eqlWorkbench/replay');

// ---------------------------------------------------------------------------------------------
// Explanations: why events passed or failed the stages of the last replayed rule
// ---------------------------------------------------------------------------------------------

/** Params of `eqlWorkbench/explainEvent`: the replay's params and the sample line to explain. */
export interface ExplainEventParams extends ReplayParams {
  /** The sample file (one of `sampleUris`, spelled the same). */
  sampleUri: string;
  /** 1-based line of the event in that file. */
  line: number;
}

/** Result of `eqlWorkbench/explainEvent`. */
export interface ExplainEventResult {
  /** Non-empty when the rule has errors: nothing is explained. */
  ruleErrors?: string[];
  /**
   * The event evaluated against each stage (0-based `stage`, 1-based `label`) and what the
   * sequence state machine did with it; absent when the line holds no event (blank or malformed).
   * Event references (`file`) are sample URIs; their texts name files by base name.
   */
  explanation?: EventExplanation;
  /**
   * The index the event comes from (`_index`, or the data stream its `data_stream` fields name),
   * when the rule's index patterns leave it out: then it is not replayed and not explained.
   */
  leftOutFromIndex?: string;
  /**
   * The name of the exception item (`exceptionUris`) that leaves the event out: then, as for the
   * replay, it is not replayed and not explained.
   */
  leftOutByException?: string;
}

/**
 * `eqlWorkbench/explainEvent` (client → server): explain one sample event against the rule, from
 * the same compiled filters and engine session as the replay. Fails like `eqlWorkbench/replay`.
 */
export const ExplainEventRequest = new RequestType<ExplainEventParams, ExplainEventResult, void>('eqlWorkbench/explainEvent');

/** A position in the rule document (0-based line and UTF-16 character), TOML positions for TOML rules. */
export interface RulePosition {
  line: number;
  character: number;
}

/** Where a stage ends in the rule document, for per-stage counts shown there. */
export interface StageEnd {
  /** 0-based stage as written; -1 for `until`; 0 for an event query. */
  stage: number;
  /** Just after the stage's `]` (event queries: the end of the query). */
  position: RulePosition;
}

/** Result of `eqlWorkbench/explainReplay`. */
export interface ExplainReplayResult {
  /** Non-empty when the rule has errors: nothing is explained. */
  ruleErrors?: string[];
  /**
   * The replay's explanation (the CLI's `replay --explain` data; stages 0-based, times epoch ms):
   * per stage the events of its category and those that passed, the terms that failed most (an
   * `or` term with its branches), near misses (fewest failed terms first), partial sequences and
   * why each ended. Event references (`file`) are sample URIs.
   */
  explanation?: Explanation;
  /** Where each stage (and `until`) ends in the rule document. */
  stageEnds: StageEnd[];
}

/** `eqlWorkbench/explainReplay` (client → server): the explanation of a replay. Params as `eqlWorkbench/replay`. */
export const ExplainReplayRequest = new RequestType<ReplayParams, ExplainReplayResult, void>('eqlWorkbench/explainReplay');

// ---- Rule tests (`*.test.toml`) --------------------------------------------------------------

/** Params of `eqlWorkbench/listRuleTests`. */
export interface ListRuleTestsParams {
  /** The test file (`file:` URI). */
  uri: string;
  /** Its text when an editor holds it (unsaved changes); else it is read from disk. */
  text?: string;
}

/** A problem of a test file: 1-based line (0: the file as a whole). */
export interface RuleTestProblem {
  line: number;
  message: string;
}

/** Result of `eqlWorkbench/listRuleTests`: the cases of a test file (1-based lines of their `[[case]]`). */
export interface ListRuleTestsResult {
  cases: Array<{
    name: string;
    line: number;
    /** What a debugger needs to replay the case: the rule's path, the sample patterns (relative to `cwd`) and options. */
    replay?: { rule: string; cwd: string; samples: string[]; timestampField?: string; tiebreakerField?: string; eventCategoryField?: string };
  }>;
  /** Non-empty when the file is invalid (then `cases` is empty). */
  problems: RuleTestProblem[];
}

/** `eqlWorkbench/listRuleTests` (client → server): read a rule test file's cases, for the Testing view. */
export const ListRuleTestsRequest = new RequestType<ListRuleTestsParams, ListRuleTestsResult, void>('eqlWorkbench/listRuleTests');

/** Params of `eqlWorkbench/runRuleTests`. */
export interface RunRuleTestsParams {
  /** The test file (`file:` URI); it is run as saved on disk. */
  uri: string;
  /** Names of the cases to run; absent: all. */
  cases?: string[];
  /** Exception files (`file:` URIs) applied to every case, besides the test file's own. */
  exceptions?: string[];
}

/** An event of a sample file: URI and 1-based line. */
export interface SampleEventLocation {
  uri: string;
  line: number;
}

/** The outcome of one case. */
export interface RuleTestCaseOutcome {
  name: string;
  /** 1-based line of the case's `[[case]]` header. */
  line: number;
  status: 'passed' | 'failed' | 'error';
  /** Why it failed (one reason per line), or why it could not run. */
  message?: string;
  /** The expected matches as text (one per line: `file:line → file:line`), for a diff against `actual`. */
  expected?: string;
  /** The actual matches as text, in the same form and order as `expected` where they agree. */
  actual?: string;
  /** The whole report of the case (reasons, side-by-side table, must-not-match hits, exceptions). */
  report: string;
  /** Per match that made the case fail (unexpected, or holding a must-not-match event): its first event and a one-line description. */
  offending: Array<SampleEventLocation & { description: string }>;
  /** Every match found, each as its events (missing-event stages left out), for recording them as expected. */
  matches: Array<{ events: Array<SampleEventLocation & { id?: { field: string; value: string | number } }> }>;
  /** Wall-clock time, in milliseconds. */
  durationMs: number;
}

/** Result of `eqlWorkbench/runRuleTests`. */
export interface RunRuleTestsResult {
  /** Non-empty when the file (or its rule) cannot be used: no case ran. */
  problems: RuleTestProblem[];
  cases: RuleTestCaseOutcome[];
}

/** `eqlWorkbench/runRuleTests` (client → server): run a rule test file's cases on the replay engine. */
export const RunRuleTestsRequest = new RequestType<RunRuleTestsParams, RunRuleTestsResult, void>('eqlWorkbench/runRuleTests');

/** Params of `eqlWorkbench/recordRuleTestCase`. */
export interface RecordRuleTestCaseParams {
  /** The test file (`file:` URI), as saved on disk. */
  uri: string;
  caseName: string;
}

/** Result of `eqlWorkbench/recordRuleTestCase`: the whole new text of the test file (not written). */
export interface RecordRuleTestCaseResult {
  text: string;
  /** Number of matches recorded. */
  matches: number;
}

/**
 * `eqlWorkbench/recordRuleTestCase` (client → server): run one case and return the test file with
 * the case's expected matches replaced by the matches found (stable ids where events have one).
 * Fails with `InvalidParams` when the file is invalid or the case cannot run.
 */
export const RecordRuleTestCaseRequest = new RequestType<RecordRuleTestCaseParams, RecordRuleTestCaseResult, void>('eqlWorkbench/recordRuleTestCase');

/** Params of `eqlWorkbench/recordReplay`. */
export interface RecordReplayParams {
  /** The rule replayed (`file:` URI). */
  ruleUri: string;
  /** The sample files of the replay (`file:` URIs). */
  sampleUris: string[];
}

/** Result of `eqlWorkbench/recordReplay`: the new text of the test file beside the rule (not written). */
export interface RecordReplayResult {
  /** The test file (`x.test.toml` beside `x.eql` / `x.toml`). */
  uri: string;
  text: string;
  /** Its text before ('' when it does not exist yet). */
  original: string;
  created: boolean;
  caseName: string;
  matches: number;
}

/** `eqlWorkbench/recordReplay` (client → server): record a rule's current matches as a case of the test file beside it. */
export const RecordReplayRequest = new RequestType<RecordReplayParams, RecordReplayResult, void>('eqlWorkbench/recordReplay');

/** Params of `eqlWorkbench/sampleText`. */
export interface SampleTextParams {
  /** A sample file open in the editor (`file:` URI). */
  uri: string;
  /** Its unsaved text; null once the editor holds no unsaved edits of it (saved, reverted or closed): the file on disk counts again. */
  text: string | null;
}

/**
 * Client → server: the unsaved text of an open sample file (sent a moment after the last edit), so
 * the fields and values learnt from the samples follow the editor, not only the disk.
 */
export const SampleTextNotification = new NotificationType<SampleTextParams>('eqlWorkbench/sampleText');
