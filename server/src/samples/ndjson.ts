/**
 * Reading NDJSON (newline-delimited JSON, also called JSON Lines) sample logs into EventRecords.
 *
 * Format (https://github.com/ndjson/ndjson-spec, https://jsonlines.org): UTF-8 text, one JSON value
 * per line, lines end with `\n` or `\r\n`. Each line must hold a JSON object: an event document (as
 * the `_source` of an Elasticsearch hit), or a whole search hit (`jq -c '.hits.hits[]'`), whose
 * `_source` is the event (`searchHit.ts`); anything else is reported and skipped so one bad line never
 * stops a replay. Blank lines are ignored; a UTF-8 byte order mark at the start of the file is ignored.
 * A UTF-16 / UTF-32 or binary file is refused as a whole; a line with bytes that are not UTF-8 is kept
 * (with U+FFFD in their place) and reported as a warning.
 */
import type { EventRecord } from '../engine/types';
import { escapeControlCharacters } from './controlCharacters';
import { describeInvalidUtf8, firstInvalidUtf8, UnsupportedEncodingError } from './encoding';
import { MAX_LINE_BYTES, openSampleContent, splitLines } from './lineReader';
import { gzipTrailingDataMessage } from './gzipMembers';
import { documentProblem } from './jsonDocumentChecks';
import { parseJsonExact } from './exactJson';
import { isSearchHit, unwrapSearchHit } from './searchHit';

/**
 * A line that needs the user's attention. `line` is 1-based. `severity` `error` (or absent): the
 * line was skipped (invalid JSON, not an object). `warning`: the event was kept, with a caveat
 * (bytes that are not UTF-8 were replaced by U+FFFD). `message` holds no control characters.
 */
export interface NdjsonProblem {
  file: string;
  line: number;
  message: string;
  severity?: 'error' | 'warning';
}

/** The events of one NDJSON text and the lines that were skipped or kept with a warning. */
export interface NdjsonResult {
  /** Events in file order; `source.file` is the path as given, `source.line` 1-based. */
  events: EventRecord[];
  /** The skipped lines (severity `error`), in file order. */
  problems: NdjsonProblem[];
  /** Lines kept as events but reported (severity `warning`), in file order. */
  warnings: NdjsonProblem[];
}

/**
 * Formats a problem the way compilers do, for terminals and problem matchers: `path:line: message`
 * for a skipped line, `path:line: warning: message` for a warning. Control characters of the path
 * are escaped (see `escapeControlCharacters`).
 */
export function formatNdjsonProblem(problem: NdjsonProblem): string {
  const severity = problem.severity === 'warning' ? 'warning: ' : '';
  return `${escapeControlCharacters(problem.file)}:${problem.line}: ${severity}${problem.message}`;
}

/**
 * Parses one line of an NDJSON file.
 *
 * @param text the line without its line terminator (a trailing `\r` is tolerated).
 * @returns `{ doc }` for a JSON object, `{ error }` with a readable message otherwise, or
 *   `undefined` for a blank line (only whitespace), which is not an event. The message gives the
 *   1-based column (UTF-16 code units) when the JSON parser reports a position, e.g.
 *   `invalid JSON: Expected ',' or '}' after property value at column 8`, and has its control
 *   characters escaped (the parser may quote the line). A document with a key twice in one object
 *   or nested deeper than 1000 levels is an error too, as Elasticsearch refuses it
 *   (see `jsonDocumentChecks.ts`). A byte order mark (U+FEFF) opening the line is ignored, as at
 *   the start of a file: it marks where a concatenated file begins. Integers beyond 2^53 are read
 *   exactly, as `bigint`s (see `exactJson.ts`). A search hit (`{"_index":…,"_id":…,"_source":{…}}`,
 *   see `searchHit.ts`) gives its `_source` as `doc` and its `_index` as `index`; a hit whose
 *   `_source` is not an object is an error.
 */
export function parseNdjsonLine(text: string): { doc: Record<string, unknown>; index?: string } | { error: string } | undefined {
  if (text.trim() === '') return undefined;
  // A byte order mark opening a line is the start of another file (files concatenated): not data.
  const json = text.charCodeAt(0) === 0xfeff ? text.slice(1) : text;
  let value: unknown;
  try {
    value = parseJsonExact(json);
  } catch (e) {
    return { error: `invalid JSON: ${escapeControlCharacters(withColumn((e as Error).message))}` };
  }
  if (value === null || typeof value !== 'object' || Array.isArray(value)) {
    const kind = value === null ? 'null' : Array.isArray(value) ? 'an array' : `a ${typeof value}`;
    return { error: `not a JSON object (found ${kind}); each line must hold one event document` };
  }
  // Documents Elasticsearch would refuse: duplicate keys in one object, nesting deeper than 1000.
  const problem = documentProblem(json, value);
  if (problem !== undefined) return { error: problem };
  const doc = value as Record<string, unknown>;
  return isSearchHit(doc) ? unwrapSearchHit(doc) : { doc };
}

/**
 * Splits NDJSON text held in memory (an open editor document, a test fixture) into events.
 *
 * @param text the whole file content; a leading U+FEFF (byte order mark) is ignored.
 * @param file the path recorded in each event's `source.file` and in problems.
 * @returns events in file order with 1-based line numbers, and one problem per skipped line.
 *   Line ends are `\n`, `\r\n` or a lone `\r` (as LSP and editors count lines). The text is already
 *   decoded, so there are no encoding checks and `warnings` is empty. Never throws.
 */
export function parseNdjsonText(text: string, file: string): NdjsonResult {
  const result: NdjsonResult = { events: [], problems: [], warnings: [] };
  const body = text.charCodeAt(0) === 0xfeff ? text.slice(1) : text;
  const lines = body.split(/\r\n|\r|\n/);
  for (let i = 0; i < lines.length; i++) {
    addLine(result, file, i + 1, lines[i]);
  }
  return result;
}

/**
 * What one raw NDJSON line gives: an event, a skipped line (`problem`, severity `error`), an event
 * kept with a `warning` (bytes that are not UTF-8), or nothing for a blank line.
 */
export interface DecodedLine {
  event?: EventRecord;
  problem?: NdjsonProblem;
  warning?: NdjsonProblem;
}

/**
 * Decodes and parses one raw line of an NDJSON file (the per-line step shared by every reader).
 *
 * @param bytes the line without its terminator (UTF-8; a byte order mark already removed).
 * @param file the path recorded in `source.file` and in problems.
 * @param line its 1-based number.
 * @returns see {@link DecodedLine}. Bytes that are not UTF-8 are replaced by U+FFFD and reported
 *   as a warning (`invalid UTF-8 (byte 0xE9) at column 4; …`); a skipped line is reported for its
 *   JSON error only. Never throws.
 */
export function decodeNdjsonLine(bytes: Uint8Array, file: string, line: number): DecodedLine {
  const buffer = Buffer.isBuffer(bytes) ? bytes : Buffer.from(bytes.buffer, bytes.byteOffset, bytes.length);
  const text = buffer.toString('utf8');
  const parsed = parseNdjsonLine(text);
  if (parsed === undefined) return {};
  if ('error' in parsed) return { problem: { file, line, message: parsed.error, severity: 'error' } };
  const out: DecodedLine = { event: eventOf(parsed, file, line) };
  // U+FFFD comes out of decoding for each ill-formed sequence (and may also be written as is).
  if (text.includes('\ufffd')) {
    const bad = firstInvalidUtf8(buffer);
    if (bad >= 0) {
      const { before, what } = describeInvalidUtf8(buffer, bad);
      const message = `invalid UTF-8 (${what}) at column ${before.length + 1}; the event is kept with U+FFFD in place of such bytes (save the file as UTF-8)`;
      out.warning = { file, line, message, severity: 'warning' };
    }
  }
  return out;
}

/**
 * Reads an NDJSON file (plain or gzip-compressed, see `openSampleContent`) line by line, streaming
 * (see `splitLines`), into an array of events. For replays prefer `samples/pipeline.ts`, which keeps
 * only the events a rule can use.
 *
 * @param path the file to read; kept as given in `source.file`.
 * @param onProblem called for each skipped line and each warning as soon as it is found (the same
 *   problems are also returned in `problems` and `warnings`).
 * @returns the events in file order with 1-based line numbers, the skipped lines, and the lines kept
 *   with a warning (bytes that are not UTF-8: `invalid UTF-8 (byte 0xE9) at column 4; …`).
 * @throws the file system error (`ENOENT`, `EACCES`, `EISDIR`, …) when the file cannot be read, or
 *   an {@link UnsupportedEncodingError} when its first bytes show a UTF-16 / UTF-32 or binary file
 *   (see `detectUnsupportedEncoding`); its message is a reason for `path: reason`.
 */
export async function readNdjsonFile(
  path: string,
  onProblem?: (problem: NdjsonProblem) => void,
): Promise<NdjsonResult> {
  const result: NdjsonResult = { events: [], problems: [], warnings: [] };
  let lastLine = 0;
  const truncated = (): void => {
    const warning: NdjsonProblem = { file: path, line: lastLine + 1, message: 'the gzip file is truncated here (it ends before its end of stream); the lines before were read, the rest is lost', severity: 'warning' };
    result.warnings.push(warning);
    onProblem?.(warning);
  };
  const oversized = (line: number, bytes: number): void => {
    lastLine = line;
    const warning = oversizedLineProblem(path, line, bytes);
    result.warnings.push(warning);
    onProblem?.(warning);
  };
  const trailingData = (bytes: number): void => {
    const warning: NdjsonProblem = { file: path, line: lastLine + 1, message: `${gzipTrailingDataMessage(bytes)}; the lines before were read`, severity: 'warning' };
    result.warnings.push(warning);
    onProblem?.(warning);
  };
  await splitLines(await openSampleContent(path, undefined, truncated, undefined, trailingData), (bytes, line) => {
    lastLine = line;
    const decoded = decodeNdjsonLine(bytes, path, line);
    if (decoded.event) result.events.push(decoded.event);
    if (decoded.warning) {
      result.warnings.push(decoded.warning);
      onProblem?.(decoded.warning);
    }
    if (decoded.problem) {
      result.problems.push(decoded.problem);
      onProblem?.(decoded.problem);
    }
  }, undefined, { onOversizedLine: oversized });
  return result;
}

/**
 * The warning for a line longer than the limit of `splitLines` (`lineReader.ts`): it is skipped
 * unread, as Elasticsearch would have refused a request that large.
 *
 * @param bytes the line's length in bytes; `limit` the limit it exceeds (bytes).
 * @returns a problem of severity `warning`, printed `path:line: warning: the line is N bytes long, …`.
 */
export function oversizedLineProblem(file: string, line: number, bytes: number, limit: number = MAX_LINE_BYTES): NdjsonProblem {
  const why = limit === MAX_LINE_BYTES ? " (Elasticsearch's default http.max_content_length, 100mb: it could not have been indexed)" : '';
  return { file, line, message: `the line is ${bytes} bytes long, more than the limit of ${limit} bytes${why}; it is skipped unread`, severity: 'warning' };
}

/** Turns V8's `… in JSON at position N` (0-based) into `… at column N+1` (1-based). */
function withColumn(message: string): string {
  return message.replace(/ in JSON at position (\d+)(?: \(line \d+ column \d+\))?/, (_, position: string) => ` at column ${Number(position) + 1}`);
}

/** Adds the line's event or problem; returns true when an event was added. */
function addLine(result: NdjsonResult, file: string, line: number, text: string): boolean {
  const parsed = parseNdjsonLine(text);
  if (parsed === undefined) return false;
  if ('error' in parsed) {
    result.problems.push({ file, line, message: parsed.error, severity: 'error' });
    return false;
  }
  result.events.push(eventOf(parsed, file, line));
  return true;
}

/** The event of a parsed line, with the `_index` of a search hit. */
function eventOf(parsed: { doc: Record<string, unknown>; index?: string }, file: string, line: number): EventRecord {
  return parsed.index !== undefined ? { doc: parsed.doc, source: { file, line }, index: parsed.index } : { doc: parsed.doc, source: { file, line } };
}
