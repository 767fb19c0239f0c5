/**
 * Plain data shapes that go into and come out of the replay engine.
 * No `vscode`, no LSP: the CLI, the language server and the tests share them.
 */

/** Where an event came from: the file as given or found, and its 1-based line number. */
export interface SourceRef {
  file: string;
  line: number;
}

/** One event of the input stream: the parsed JSON document and where it was read. */
export interface EventRecord {
  doc: Record<string, unknown>;
  source: SourceRef;
  /** The `_index` of the search hit the event was read from (absent for a plain event document). */
  index?: string;
}

/** Options with the meaning of the Elasticsearch `_eql/search` request parameters of the same name. */
export interface ReplayOptions {
  /** Default `@timestamp`. */
  timestampField?: string;
  /** Default none; when set, events with equal timestamps are ordered by it. */
  tiebreakerField?: string;
  /** Default `event.category`. */
  eventCategoryField?: string;
  /** Maximum number of matches returned; default unlimited. */
  size?: number;
  /**
   * Which matches `size` keeps when there are more: the first (`head`, default) or the last (`tail`),
   * as the `result_position` request parameter.
   */
  resultPosition?: 'head' | 'tail';
  /** Samples returned per join key (`max_samples_per_key`); default 1. */
  maxSamplesPerKey?: number;
}

/** What a replay returns: the matches in Elasticsearch's order, and notes about skipped input. */
export interface ReplayResult {
  matches: Match[];
  /** Human-readable notes, e.g. events skipped for lack of a timestamp. */
  warnings: string[];
}

/** One event of a match; `missing` marks the placeholder of a `![…]` stage (no `event`). */
export interface MatchedEvent {
  /** 0-based index of the stage in the query (0 for event queries). */
  stage: number;
  missing: boolean;
  event?: EventRecord;
}

/** One result, in the order Elasticsearch would return it. */
export interface Match {
  type: 'event' | 'sequence' | 'sample';
  /** Join key values for sequences and samples (absent for event queries). */
  joinKeys?: unknown[];
  events: MatchedEvent[];
}
