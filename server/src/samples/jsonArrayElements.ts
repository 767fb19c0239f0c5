/**
 * The elements of a JSON array of event documents (or of hits), as raw bytes, streamed chunk by
 * chunk: each element is handed over whole, with the 1-based line where it starts, to the same
 * per-line step as an NDJSON line (the prefilter, then `decodeNdjsonLine`, in `pipeline.ts`).
 *
 * Why not the streaming JSON library (`jsonDocuments.ts`) here: it decodes every string of the
 * file in JavaScript and builds every value, several times the cost of `JSON.parse` (measured:
 * its tokenizer alone about 3.5x, with the value parser about 5x, on the benchmark's events), and
 * it cannot skip an element unparsed. Telling where an element ends needs far less: the nesting
 * depth, and where strings start and end. That is all this walk tracks; each element is then
 * parsed by `JSON.parse` (or skipped by the prefilter), which checks it in full.
 *
 * Problems are reported as the library path reports them: a truncated array, and anything between
 * elements that is not `,` or `]`, end the reading (the elements before are kept); an element
 * larger than the limit too (as Elasticsearch would have refused it).
 */
import { describeByte as describe, isJsonSpace as isSpace, tooLargeDocumentMessage, withoutByteOrderMark } from './jsonBytes';
import { MAX_LINE_BYTES } from './lineReader';
import type { NdjsonProblem } from './ndjson';

/** Where the walk stands between bytes. */
const enum Phase {
  /** Before the array's `[`. */
  Before,
  /** After `[`: an element or `]`. */
  First,
  /** After `,`: an element. */
  Value,
  /** Inside an element. */
  Element,
  /** After an element: `,` or `]`. */
  After,
  /** After the array's `]`: only whitespace. */
  Done,
}

/**
 * Hands over the elements of a JSON array.
 *
 * @param chunks the content (UTF-8, gzip already decompressed; a byte order mark is skipped).
 * @param file the path recorded in problems.
 * @param onElement called for each element with its bytes (from its first to its last byte) and
 *   the 1-based line where it starts. A scalar element (`42`) is handed over too (the caller
 *   reports it as not an object).
 * @param onProblem called for what ends the reading early (severity `error`; a too-large element:
 *   `warning`), at the line where it was found (the element's first line for a too-large one).
 * @param onChunk called after each chunk (for progress and cancellation: it may throw to stop).
 * @param maxElementBytes the largest element read (bytes; default `MAX_LINE_BYTES`, 100 MiB).
 */
export async function splitJsonArray(
  chunks: AsyncIterable<Buffer>,
  file: string,
  onElement: (bytes: Buffer, line: number) => void,
  onProblem: (problem: NdjsonProblem) => void,
  onChunk?: (chunk: Buffer) => void,
  maxElementBytes: number = MAX_LINE_BYTES,
): Promise<void> {
  let phase = Phase.Before;
  let line = 1;
  let depth = 0;
  let inString = false;
  let escaped = false;
  let scalar = false;
  // The element being read: its pieces from earlier chunks, their size, and where it started.
  let pieces: Buffer[] = [];
  let piecesBytes = 0;
  let elementLine = 0;
  let first = true;
  const fail = (message: string, at: number, severity: 'error' | 'warning' = 'error'): void => {
    onProblem({ file, line: at, message, severity });
  };
  const tooLarge = (): void => {
    fail(tooLargeDocumentMessage(maxElementBytes), elementLine, 'warning');
  };
  for await (const c of chunks) {
    const buf = first ? withoutByteOrderMark(c) : c;
    first = false;
    let start = 0; // where the current element starts in this chunk
    const n = buf.length;
    /** Hands over the element ending before `end` (an offset in this chunk); false when it is too large. */
    const finish = (end: number): boolean => {
      const size = piecesBytes + end - start;
      if (size > maxElementBytes) return false;
      const bytes = pieces.length === 0 ? buf.subarray(start, end) : Buffer.concat([...pieces, buf.subarray(start, end)], size);
      pieces = [];
      piecesBytes = 0;
      phase = Phase.After;
      onElement(bytes, elementLine);
      return true;
    };
    for (let i = 0; i < n; i++) {
      const b = buf[i];
      if (inString) {
        if (escaped) escaped = false;
        else if (b === 0x5c) escaped = true;
        else if (b === 0x22) {
          inString = false;
          // A string element ends with its closing quote.
          if (depth === 0 && !finish(i + 1)) return tooLarge();
        } else if (b === 0x0a) line++;
        continue;
      }
      if (phase === Phase.Element) {
        if (scalar) {
          if (b !== 0x2c && b !== 0x5d && !isSpace(b)) continue;
          // The separator after a scalar element is read again in the After phase.
          if (!finish(i)) return tooLarge();
          i--;
          continue;
        }
        if (b === 0x22) inString = true;
        else if (b === 0x7b || b === 0x5b) depth++;
        else if (b === 0x7d || b === 0x5d) {
          if (--depth === 0 && !finish(i + 1)) return tooLarge();
        } else if (b === 0x0a) line++;
        continue;
      }
      if (b === 0x0a) {
        line++;
        continue;
      }
      if (isSpace(b)) continue;
      switch (phase as Phase) {
        case Phase.Before:
          if (b !== 0x5b) return fail(`invalid JSON: expected '[' opening the array, found ${describe(b)}; the file is not read`, line);
          phase = Phase.First;
          break;
        case Phase.First:
        case Phase.Value:
          if (b === 0x5d && phase === Phase.First) {
            phase = Phase.Done;
            break;
          }
          if (b === 0x2c || b === 0x5d) return fail(`invalid JSON: expected an array element, found ${describe(b)}; the rest of the file is not read`, line);
          phase = Phase.Element;
          start = i;
          elementLine = line;
          depth = b === 0x7b || b === 0x5b ? 1 : 0;
          inString = b === 0x22;
          scalar = !inString && depth === 0;
          break;
        case Phase.After:
          if (b === 0x2c) phase = Phase.Value;
          else if (b === 0x5d) phase = Phase.Done;
          else return fail(`invalid JSON: expected ',' or ']' after an array element, found ${describe(b)}; the rest of the file is not read`, line);
          break;
        case Phase.Done:
          return fail(`invalid JSON: unexpected ${describe(b)} after the end of the array; the rest of the file is not read`, line);
      }
    }
    if (phase === Phase.Element) {
      pieces.push(buf.subarray(start));
      piecesBytes += n - start;
      if (piecesBytes > maxElementBytes) return tooLarge();
    }
    onChunk?.(c);
  }
  // A scalar element may end with the file (an array cut short after it).
  if ((phase as Phase) !== Phase.Done) fail('invalid JSON: the document ends before it is complete (truncated?)', line);
}

