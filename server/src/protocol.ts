/**
 * Custom requests between the EQL Workbench client and language server, declared once and
 * imported by both sides so their shapes cannot drift apart.
 *
 * Everything here is plain JSON: URIs are strings (`file:///…`), lines are 1-based, stages 0-based.
 */
import { RequestType, type Diagnostic } from 'vscode-languageserver-protocol';

/** Replay settings, with the meaning of the Elasticsearch `_eql/search` parameters of the same name. */
export interface ReplayRequestOptions {
  /** Elasticsearch `timestamp_field`; e.g. `@timestamp`. */
  timestampField: string;
  /** Elasticsearch `tiebreaker_field`; empty string: none (events with equal timestamps keep file order). */
  tiebreakerField: string;
  /** Elasticsearch `event_category_field`; e.g. `event.category`. */
  eventCategoryField: string;
}

/** Params of `eqlWorkbench/replay`. */
export interface ReplayParams {
  /** The rule document. Its text is taken from the open document if the client has it open, else read from disk. */
  uri: string;
  /** NDJSON sample files, in the order their events enter the stream (ties keep this order). */
  sampleUris: string[];
  options: ReplayRequestOptions;
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
   * Same diagnostics as published for the document.
   */
  diagnostics?: Diagnostic[];
  matches: ReplayMatch[];
  malformedLines: MalformedLine[];
  /** Number of sample files read. */
  sampleFiles: number;
  /** Number of events read (well-formed lines). */
  events: number;
  /** Engine warnings and unreadable sample files, as readable sentences. */
  warnings: string[];
}

/**
 * `eqlWorkbench/replay` (client → server): analyze the rule and replay it over the sample files
 * with Elasticsearch EQL semantics. Fails with a `ResponseError` only for unusable input (rule file
 * neither open nor readable).
 */
export const ReplayRequest = new RequestType<ReplayParams, ReplayResult, void>('eqlWorkbench/replay');
