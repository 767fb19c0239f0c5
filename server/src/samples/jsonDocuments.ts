/**
 * Samples held in JSON documents rather than one event per line: a JSON array of event documents
 * (or of hits); one JSON object or a concatenated stream of them (pretty-printed, as `jq .` or
 * `json.dumps(doc, indent=2)` write them), each either an event document or an Elasticsearch
 * search response (`{"hits":{"hits":[{"_source":{…}}]}}`, with or without `_index`/`_id`, as
 * saved from Kibana Dev Tools, also with `filter_path=hits.hits._source`), or an `_eql/search`
 * response, whose events are under `hits.events` and `hits.sequences[].events`.
 *
 * The document is parsed as a stream (`@streamparser/json`: a maintained streaming JSON parser, so
 * a large export is never held whole and each event is handed over as soon as it is complete);
 * each event keeps the 1-based line where its object starts. The format is told from the content
 * ({@link detectSampleFormat}), never from the file name alone.
 */
import { Tokenizer, TokenizerError, TokenParser, TokenParserError, TokenType } from '@streamparser/json';
import type { EventRecord } from '../engine/types';
import { escapeControlCharacters } from './controlCharacters';
import { MAX_LINE_BYTES } from './lineReader';
import type { NdjsonProblem } from './ndjson';
import { exactNumber } from './exactJson';
import { HIT_WITHOUT_SOURCE, isSearchHit } from './searchHit';

/** How a sample file holds its events. */
export type SampleFormat = 'ndjson' | 'json-array' | 'json-objects';

const isSpace = (b: number): boolean => b === 0x20 || b === 0x09 || b === 0x0a || b === 0x0d;

/**
 * Tells the format from the first bytes of the content.
 *
 * - first character `[`: a JSON array of documents (or hits);
 * - first character `{`: JSON objects (search responses or pretty-printed documents, one or a
 *   concatenated stream) when the first line is a complete JSON object with `hits`, or is not
 *   complete JSON and the next line does not start another object (a pretty-printed document);
 *   NDJSON otherwise (a malformed first line of NDJSON is then reported as usual and the following
 *   lines still read);
 * - anything else: NDJSON (its lines are reported as they are read).
 *
 * @param head the first chunk of the content (a UTF-8 byte order mark is skipped).
 */
export function detectSampleFormat(head: Buffer): SampleFormat {
  let i = head[0] === 0xef && head[1] === 0xbb && head[2] === 0xbf ? 3 : 0;
  while (i < head.length && isSpace(head[i])) i++;
  if (head[i] === 0x5b) return 'json-array';
  if (head[i] !== 0x7b) return 'ndjson';
  const end = head.indexOf(0x0a, i);
  const firstLine = head.subarray(i, end < 0 ? head.length : end);
  let value: unknown;
  try {
    value = JSON.parse(firstLine.toString('utf8'));
  } catch {
    if (end < 0) return head.length >= 64 * 1024 ? 'json-objects' : 'ndjson';
    // The next non-blank line: another object (NDJSON) or the inside of one document.
    let j = end + 1;
    while (j < head.length && isSpace(head[j])) j++;
    return j >= head.length || head[j] === 0x7b ? 'ndjson' : 'json-objects';
  }
  const hits = value !== null && typeof value === 'object' ? (value as Record<string, unknown>).hits : undefined;
  return hits !== null && typeof hits === 'object' && !Array.isArray(hits) ? 'json-objects' : 'ndjson';
}

/** The JSON paths whose values are events, per format (`@streamparser/json` path syntax). */
const PATHS: Record<Exclude<SampleFormat, 'ndjson'>, string[]> = {
  'json-array': ['$.*'],
  // The hits of a response are handed over one by one (and dropped from it); the top-level object
  // itself comes last, and is an event unless it is a response.
  'json-objects': ['$.hits.hits.*', '$.hits.events.*', '$.hits.sequences.*.events.*', '$'],
};

/**
 * True when a top-level object is a search or `_eql/search` response: `hits` is an object holding
 * a `hits`, `events` or `sequences` array (emptied of the hits already handed over).
 */
function isResponse(value: unknown): boolean {
  if (value === null || typeof value !== 'object' || Array.isArray(value)) return false;
  const hits = (value as Record<string, unknown>).hits;
  if (hits === null || typeof hits !== 'object' || Array.isArray(hits)) return false;
  const h = hits as Record<string, unknown>;
  return Array.isArray(h.hits) || Array.isArray(h.events) || Array.isArray(h.sequences);
}

/**
 * The event of one element: a hit's `_source`, or the element itself when it is a plain document.
 * In a response (`inResponse`) every element with `_source` is a hit (`filter_path` may leave out
 * `_index` and `_id`); in a JSON array a hit has only keys of a hit (`searchHit.ts`, as a hit on an
 * NDJSON line: `pipeline.ts` reads array elements as such lines).
 * @returns the document, or an error message.
 */
function documentOf(value: unknown, inResponse = false): Record<string, unknown> | string {
  if (value === null || typeof value !== 'object' || Array.isArray(value)) {
    const kind = value === null ? 'null' : Array.isArray(value) ? 'an array' : `a ${typeof value}`;
    return `not a JSON object (found ${kind}); each element must be an event document or a hit`;
  }
  const o = value as Record<string, unknown>;
  if ('_source' in o && (inResponse || isSearchHit(o))) {
    const source = o._source;
    if (source === null || typeof source !== 'object' || Array.isArray(source)) return HIT_WITHOUT_SOURCE;
    return source as Record<string, unknown>;
  }
  return o;
}

/** The streaming tokenizer, reading integers beyond 2^53 exactly, as bigints (see `exactJson.ts`). */
class ExactTokenizer extends Tokenizer {
  protected override parseNumber(text: string): number {
    // The token value is only handed on to the parser, which keeps it as is.
    return exactNumber(text) as number;
  }
}

/** The `_index` of a hit (`{ index }`), when the element is a hit holding one; `{}` otherwise. */
function hitIndex(value: unknown, doc: Record<string, unknown>): { index?: string } {
  if (doc === value) return {};
  const index = (value as Record<string, unknown>)._index;
  return typeof index === 'string' ? { index } : {};
}

/**
 * Reads the events of a JSON array, or of one or more JSON objects (responses or event documents).
 *
 * @param chunks the content (UTF-8, gzip already decompressed).
 * @param format from {@link detectSampleFormat} (not `ndjson`).
 * @param file the path recorded in `source.file` and in problems.
 * @param onEvent called for each event, in document order, with the 1-based line where it starts
 *   and, for a hit, its `_index` (`EventRecord.index`).
 * @param onProblem called for each element that is not an event (and for invalid JSON, reported at
 *   the line of the error with the line where the broken document starts; the events of the
 *   documents before it are kept, the rest of the file is not read: JSON cannot be resynchronised).
 * @param onChunk called after each chunk (for progress and cancellation: it may throw to stop).
 * @param maxDocumentBytes the most bytes read between two events (default `MAX_LINE_BYTES`, 100 MiB,
 *   Elasticsearch's default `http.max_content_length`: a larger document could not have been
 *   indexed). Past it, the document being read is reported (a problem of severity `warning`, at the
 *   line where it starts) with the events before it kept and the rest of the file not read, so a
 *   huge document or string is never held whole.
 */
export async function readJsonDocuments(
  chunks: AsyncIterable<Buffer>,
  format: Exclude<SampleFormat, 'ndjson'>,
  file: string,
  onEvent: (event: EventRecord) => void,
  onProblem: (problem: NdjsonProblem) => void,
  onChunk?: (chunk: Buffer) => void,
  maxDocumentBytes: number = MAX_LINE_BYTES,
): Promise<void> {
  const tokenizer = new ExactTokenizer();
  // separator '': after one top-level value, another may follow (a concatenated JSON stream).
  const parser = new TokenParser({ paths: PATHS[format], keepStack: false, separator: format === 'json-objects' ? '' : undefined });
  // Line bookkeeping: newlines are counted up to each `{` that opens an element.
  let chunk: Buffer = Buffer.alloc(0);
  let chunkStart = 0; // offset of `chunk` in the stream (bytes)
  let counted = 0; // bytes counted so far
  let line = 1;
  const lineAt = (offset: number): number => {
    for (let i = Math.max(counted, chunkStart); i < offset; i++) if (chunk[i - chunkStart] === 0x0a) line++;
    counted = Math.max(counted, offset);
    return line;
  };
  // The line where the object or array at each depth opened.
  const openedAt: number[] = [];
  let depth = 0;
  let tokenOffset = 0; // where the last token started (bytes): the place of a parse error
  // Where the bytes read since the last event start (bytes), and their first token's line (0: none yet).
  let stretchStart = 0;
  let stretchLine = 0;
  tokenizer.onToken = (info) => {
    tokenOffset = info.offset;
    const separator = info.token === TokenType.COMMA || info.token === TokenType.COLON || info.token === TokenType.RIGHT_BRACE || info.token === TokenType.RIGHT_BRACKET;
    if (stretchLine === 0 && !separator) stretchLine = lineAt(info.offset);
    if (info.offset - stretchStart > maxDocumentBytes) throw new DocumentTooLarge();
    if (info.token === TokenType.LEFT_BRACE || info.token === TokenType.LEFT_BRACKET) {
      openedAt[depth] = lineAt(info.offset);
      depth++;
    } else if (info.token === TokenType.RIGHT_BRACE || info.token === TokenType.RIGHT_BRACKET) {
      depth--;
    } else if (depth >= 0) {
      // A scalar element starts where it is.
      openedAt[depth] = lineAt(info.offset);
    }
    parser.write(info);
  };
  parser.onValue = ({ value, stack }) => {
    stretchStart = tokenOffset + 1;
    stretchLine = 0;
    const at = openedAt[stack.length] ?? line;
    if (format === 'json-objects' && stack.length === 0 && isResponse(value)) return;
    const doc = documentOf(value, format === 'json-objects' && stack.length > 0);
    if (typeof doc === 'string') onProblem({ file, line: at, message: doc, severity: 'error' });
    else onEvent({ doc, source: { file, line: at }, ...hitIndex(value, doc) });
  };
  let first = true;
  try {
    for await (const c of chunks) {
      let bytes = c;
      if (first && bytes[0] === 0xef && bytes[1] === 0xbb && bytes[2] === 0xbf) bytes = bytes.subarray(3);
      first = false;
      // Counting happens within the current chunk: finish the previous one first.
      lineAt(chunkStart + chunk.length);
      chunkStart += chunk.length;
      chunk = bytes;
      tokenizer.write(bytes);
      onChunk?.(c);
      // A string or number token is held by the tokenizer until it ends: checked here, per chunk.
      if (chunkStart + chunk.length - stretchStart > maxDocumentBytes) throw new DocumentTooLarge();
    }
    tokenizer.end();
    if (depth !== 0) {
      onProblem({ file, line: lineAt(chunkStart + chunk.length), message: 'invalid JSON: the document ends before it is complete (truncated?)', severity: 'error' });
    }
  } catch (e) {
    if (e instanceof DocumentTooLarge) {
      const why = maxDocumentBytes === MAX_LINE_BYTES ? " (Elasticsearch's default http.max_content_length, 100mb: it could not have been indexed)" : '';
      const message = `a document larger than ${maxDocumentBytes} bytes starts here${why}; it and the rest of the file are not read`;
      onProblem({ file, line: stretchLine || lineAt(stretchStart), message, severity: 'warning' });
      return;
    }
    if (!(e instanceof TokenizerError || e instanceof TokenParserError)) throw e;
    const at = lineAt(e instanceof TokenParserError ? tokenOffset : chunkStart + chunk.length);
    const started = depth > 0 && openedAt[0] !== undefined && openedAt[0] !== at ? ` (in the document starting at line ${openedAt[0]})` : '';
    onProblem({ file, line: at, message: `invalid JSON${started}: ${escapeControlCharacters(e.message)}; the rest of the file is not read`, severity: 'error' });
  }
}

/** Thrown inside the reader when more than the limit is read without an event. */
class DocumentTooLarge extends Error {}
