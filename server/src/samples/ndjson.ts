/**
 * Reading NDJSON (newline-delimited JSON, also called JSON Lines) sample logs into EventRecords.
 *
 * Format (https://github.com/ndjson/ndjson-spec, https://jsonlines.org): one JSON value per line,
 * lines end with `\n` or `\r\n`. Each line must hold a JSON object (an event document, as the
 * `_source` of an Elasticsearch hit); anything else is reported and skipped so one bad line never
 * stops a replay. Blank lines are ignored; a UTF-8 byte order mark at the start of the file is ignored.
 */
import { createReadStream } from 'node:fs';
import type { EventRecord } from '../engine/types';

/** A line that could not be turned into an event: where it is and why. `line` is 1-based. */
export interface NdjsonProblem {
  file: string;
  line: number;
  message: string;
}

/** The events of one NDJSON text and the lines that were skipped. */
export interface NdjsonResult {
  /** Events in file order; `source.file` is the path as given, `source.line` 1-based. */
  events: EventRecord[];
  problems: NdjsonProblem[];
}

/** Formats a problem the way compilers do, `path:line: message`, for terminals and problem matchers. */
export function formatNdjsonProblem(problem: NdjsonProblem): string {
  return `${problem.file}:${problem.line}: ${problem.message}`;
}

/**
 * Parses one line of an NDJSON file.
 *
 * @param text the line without its line terminator (a trailing `\r` is tolerated).
 * @returns `{ doc }` for a JSON object, `{ error }` with a readable message otherwise, or
 *   `undefined` for a blank line (only whitespace), which is not an event.
 */
export function parseNdjsonLine(text: string): { doc: Record<string, unknown> } | { error: string } | undefined {
  if (text.trim() === '') return undefined;
  let value: unknown;
  try {
    value = JSON.parse(text);
  } catch (e) {
    return { error: `invalid JSON: ${(e as Error).message}` };
  }
  if (value === null || typeof value !== 'object' || Array.isArray(value)) {
    const kind = value === null ? 'null' : Array.isArray(value) ? 'an array' : `a ${typeof value}`;
    return { error: `not a JSON object (found ${kind}); each line must hold one event document` };
  }
  return { doc: value as Record<string, unknown> };
}

/**
 * Splits NDJSON text held in memory (an open editor document, a test fixture) into events.
 *
 * @param text the whole file content; a leading U+FEFF (byte order mark) is ignored.
 * @param file the path recorded in each event's `source.file` and in problems.
 * @returns events in file order with 1-based line numbers, and one problem per skipped line.
 *   Line ends are `\n`, `\r\n` or a lone `\r` (as LSP and editors count lines). Never throws.
 */
export function parseNdjsonText(text: string, file: string): NdjsonResult {
  const result: NdjsonResult = { events: [], problems: [] };
  const body = text.charCodeAt(0) === 0xfeff ? text.slice(1) : text;
  const lines = body.split(/\r\n|\r|\n/);
  for (let i = 0; i < lines.length; i++) {
    addLine(result, file, i + 1, lines[i]);
  }
  return result;
}

/**
 * Reads an NDJSON file line by line (streaming: the file is never held whole in memory).
 *
 * @param path the file to read; kept as given in `source.file`.
 * @param onProblem called for each skipped line as soon as it is found (the same problems are also
 *   returned in `problems`).
 * @returns the events in file order with 1-based line numbers, and the skipped lines.
 * @throws the file system error (`ENOENT`, `EACCES`, `EISDIR`, …) when the file cannot be read.
 */
export async function readNdjsonFile(
  path: string,
  onProblem?: (problem: NdjsonProblem) => void,
): Promise<NdjsonResult> {
  const result: NdjsonResult = { events: [], problems: [] };
  let lineNumber = 0;
  const emit = (raw: string): void => {
    lineNumber++;
    const text = lineNumber === 1 && raw.charCodeAt(0) === 0xfeff ? raw.slice(1) : raw;
    const before = result.problems.length;
    addLine(result, path, lineNumber, text);
    if (onProblem && result.problems.length > before) onProblem(result.problems[before]);
  };
  // Iterating the stream itself (not node:readline) so that read errors reject this promise.
  // The utf8 decoder keeps multi-byte characters split across chunks intact.
  const stream = createReadStream(path, { encoding: 'utf8' });
  let pending = '';
  for await (const chunk of stream as AsyncIterable<string>) {
    pending += chunk;
    let from = 0;
    const lineBreak = /\r\n|\r|\n/g;
    for (let m = lineBreak.exec(pending); m !== null; m = lineBreak.exec(pending)) {
      // A \r at the very end of the chunk may be the first half of \r\n: wait for the next chunk.
      if (m[0] === '\r' && m.index === pending.length - 1) break;
      emit(pending.slice(from, m.index));
      from = m.index + m[0].length;
    }
    pending = pending.slice(from);
  }
  // The last line (no terminator), or a lone \r left at the end of the file.
  if (pending.endsWith('\r')) pending = pending.slice(0, -1);
  if (pending !== '') emit(pending);
  return result;
}

function addLine(result: NdjsonResult, file: string, line: number, text: string): void {
  const parsed = parseNdjsonLine(text);
  if (parsed === undefined) return;
  if ('error' in parsed) {
    result.problems.push({ file, line, message: parsed.error });
  } else {
    result.events.push({ doc: parsed.doc, source: { file, line } });
  }
}
