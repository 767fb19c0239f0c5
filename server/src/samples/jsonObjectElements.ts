/**
 * The events of JSON objects (`json-objects` in `jsonDocuments.ts`: search and `_eql/search`
 * responses, pretty-printed event documents, one or a concatenated stream of them) as raw bytes,
 * streamed chunk by chunk, each handed over whole with the 1-based line where it starts, to the
 * same per-line step as an NDJSON line (the prefilter, then `decodeNdjsonLine`, in `pipeline.ts`).
 * The bytes are walked as in `jsonArrayElements.ts`, for the same reason (the streaming JSON
 * library costs several times `JSON.parse` and cannot skip an event unparsed).
 *
 * The events are those the library path reads: the elements of `hits.hits`, `hits.events` and
 * `hits.sequences[].events`; and a top-level value that is not a response (no `hits` object
 * holding a `hits`, `events` or `sequences` array) is an event itself. A top-level object is held
 * until it is known to be a response (its `hits.hits`, `hits.events` or `hits.sequences` array
 * opens), then let go: a response is never held whole. Only the keys on the way to those arrays
 * are read; everything else is skipped by its nesting depth and strings.
 *
 * What ends the reading early, as on the library path: invalid JSON outside the events, a cut
 * document, and more than the limit of bytes in one event or one document (the events before are
 * kept). An event that is not valid JSON is reported by the per-line step, and the reading goes on.
 */
import { describeByte as describe, isJsonSpace as isSpace, tooLargeDocumentMessage, withoutByteOrderMark } from './jsonBytes';
import { MAX_LINE_BYTES } from './lineReader';
import type { NdjsonProblem } from './ndjson';

/** An array element in a path (object keys are the other segments). */
const ELEMENT = '\u0000';

/** The paths of events in a response; a top-level non-response value is one too. */
const EVENT_PATHS = [
  ['hits', 'hits', ELEMENT],
  ['hits', 'events', ELEMENT],
  ['hits', 'sequences', ELEMENT, 'events', ELEMENT],
];

function samePath(path: readonly string[], target: readonly string[], length: number): boolean {
  for (let i = 0; i < length; i++) if (path[i] !== target[i]) return false;
  return true;
}
const isEventPath = (path: readonly string[]): boolean => EVENT_PATHS.some((t) => t.length === path.length && samePath(path, t, t.length));
const isOnTheWay = (path: readonly string[]): boolean => EVENT_PATHS.some((t) => t.length > path.length && samePath(path, t, path.length));
/** `hits.hits`, `hits.events`, `hits.sequences` as arrays: the document is a response. */
const isResponseArray = (path: readonly string[]): boolean => path.length === 2 && path[0] === 'hits' && (path[1] === 'hits' || path[1] === 'events' || path[1] === 'sequences');

/** What the walk expects next inside an object or array it reads (on the way to events). */
const enum Expect {
  KeyOrEnd,
  Key,
  Colon,
  Value,
  ValueOrEnd,
  CommaOrEnd,
}

interface Frame {
  array: boolean;
  path: string[];
  /** The key of the member being read (objects). */
  key: string;
  expect: Expect;
}

/**
 * Hands over the events of JSON objects.
 *
 * @param chunks the content (UTF-8, gzip already decompressed; a byte order mark is skipped).
 * @param file the path recorded in problems.
 * @param onElement called for each event with its bytes and the 1-based line where it starts (a
 *   scalar where an event belongs is handed over too: the caller reports it as not an object).
 * @param onProblem called for what ends the reading early (severity `error`; too large: `warning`).
 * @param onChunk called after each chunk (for progress and cancellation: it may throw to stop).
 * @param maxDocumentBytes the largest event, or document held, in bytes (default `MAX_LINE_BYTES`, 100 MiB).
 */
export async function splitJsonObjects(
  chunks: AsyncIterable<Buffer>,
  file: string,
  onElement: (bytes: Buffer, line: number) => void,
  onProblem: (problem: NdjsonProblem) => void,
  onChunk?: (chunk: Buffer) => void,
  maxDocumentBytes: number = MAX_LINE_BYTES,
): Promise<void> {
  let line = 1;
  const stack: Frame[] = [];
  // A value skipped by its depth (an event, or something off the way): its state.
  let skipping = false;
  let skipDepth = 0;
  let skipScalar = false;
  let emit = false;
  let inString = false;
  let escaped = false;
  // A key being read.
  let inKey = false;
  let keyPieces: Buffer[] = [];
  // What is held: an event being read, or a top-level object not yet known to be a response.
  let holding = false;
  let heldPieces: Buffer[] = [];
  let heldBytes = 0;
  let heldLine = 0;
  let topLine = 0; // where the top-level document being read starts
  let first = true;

  const fail = (message: string, at: number, severity: 'error' | 'warning' = 'error'): void => onProblem({ file, line: at, message, severity });
  /** Invalid JSON outside the events: the reading ends (the message says where the document started). */
  const invalid = (what: string): void => {
    const started = stack.length > 0 && topLine !== line ? ` (in the document starting at line ${topLine})` : '';
    fail(`invalid JSON${started}: ${what}; the rest of the file is not read`, line);
  };
  const tooLarge = (): void => {
    fail(tooLargeDocumentMessage(maxDocumentBytes), heldLine, 'warning');
  };

  for await (const c of chunks) {
    const buf = first ? withoutByteOrderMark(c) : c;
    first = false;
    const n = buf.length;
    let heldStart = 0; // where what is held starts in this chunk
    let keyStart = 0;
    /** Hands over what is held, ending before `end`; false when it is too large. */
    const release = (end: number): boolean => {
      const size = heldBytes + end - heldStart;
      if (size > maxDocumentBytes) return false;
      const bytes = heldPieces.length === 0 ? buf.subarray(heldStart, end) : Buffer.concat([...heldPieces, buf.subarray(heldStart, end)], size);
      holding = false;
      heldPieces = [];
      heldBytes = 0;
      onElement(bytes, heldLine);
      return true;
    };
    const hold = (at: number): void => {
      holding = true;
      heldStart = at;
      heldLine = line;
    };
    /** A value ended (skipped, or a container closed): the enclosing frame expects `,` or its end. */
    const valueEnded = (end: number): boolean => {
      if (stack.length > 0) {
        stack[stack.length - 1].expect = Expect.CommaOrEnd;
        return true;
      }
      // A top-level value: an event unless it was a response (then nothing is held).
      return !holding || release(end);
    };
    for (let i = 0; i < n; i++) {
      const b = buf[i];
      if (inString) {
        if (escaped) escaped = false;
        else if (b === 0x5c) escaped = true;
        else if (b === 0x22) {
          inString = false;
          if (inKey) {
            inKey = false;
            keyPieces.push(buf.subarray(keyStart, i + 1));
            const raw = keyPieces.length === 1 ? keyPieces[0] : Buffer.concat(keyPieces);
            keyPieces = [];
            const frame = stack[stack.length - 1];
            try {
              frame.key = raw.includes(0x5c) ? (JSON.parse(raw.toString('utf8')) as string) : raw.toString('utf8', 1, raw.length - 1);
            } catch {
              return invalid('a key that is not a valid string');
            }
            frame.expect = Expect.Colon;
          } else if (skipping && skipDepth === 0) {
            // A string value ends with its closing quote.
            skipping = false;
            if (emit) {
              if (!release(i + 1)) return tooLarge();
              if (!valueEnded(i + 1)) return tooLarge();
            } else if (!valueEnded(i + 1)) return tooLarge();
          }
        } else if (b === 0x0a) line++;
        continue;
      }
      if (skipping) {
        if (skipScalar) {
          if (b !== 0x2c && b !== 0x5d && b !== 0x7d && !isSpace(b)) continue;
          skipping = false;
          if (emit && !release(i)) return tooLarge();
          if (!valueEnded(i)) return tooLarge();
          i--; // the separator is read again
          continue;
        }
        if (b === 0x22) inString = true;
        else if (b === 0x7b || b === 0x5b) skipDepth++;
        else if (b === 0x7d || b === 0x5d) {
          if (--skipDepth === 0) {
            skipping = false;
            if (emit && !release(i + 1)) return tooLarge();
            if (!valueEnded(i + 1)) return tooLarge();
          }
        } else if (b === 0x0a) line++;
        continue;
      }
      if (b === 0x0a) {
        line++;
        continue;
      }
      if (isSpace(b)) continue;
      const frame = stack.length > 0 ? stack[stack.length - 1] : undefined;
      const expect = frame ? frame.expect : Expect.Value;
      if (expect === Expect.Colon) {
        if (b !== 0x3a) return invalid(`expected ':' after a key, found ${describe(b)}`);
        frame!.expect = Expect.Value;
        continue;
      }
      if (expect === Expect.KeyOrEnd || expect === Expect.Key) {
        if (b === 0x7d && expect === Expect.KeyOrEnd) {
          stack.pop();
          if (!valueEnded(i + 1)) return tooLarge();
          continue;
        }
        if (b !== 0x22) return invalid(`expected a key in quotes, found ${describe(b)}`);
        inString = true;
        inKey = true;
        keyStart = i;
        continue;
      }
      if (expect === Expect.CommaOrEnd) {
        if (b === 0x2c) frame!.expect = frame!.array ? Expect.Value : Expect.Key;
        else if (b === (frame!.array ? 0x5d : 0x7d)) {
          stack.pop();
          if (!valueEnded(i + 1)) return tooLarge();
        } else return invalid(`expected ',' or '${frame!.array ? ']' : '}'}', found ${describe(b)}`);
        continue;
      }
      // A value starts (Value, ValueOrEnd, or at the top level).
      if (b === 0x5d && expect === Expect.ValueOrEnd) {
        stack.pop();
        if (!valueEnded(i + 1)) return tooLarge();
        continue;
      }
      if (b === 0x2c || b === 0x5d || b === 0x7d || b === 0x3a) return invalid(`expected a value, found ${describe(b)}`);
      const path = frame ? [...frame.path, frame.array ? ELEMENT : frame.key] : [];
      const container = b === 0x7b || b === 0x5b;
      if (frame === undefined) topLine = line;
      if (frame === undefined && b === 0x7b) {
        // A top-level object: held until it is known to be a response, and read on the way to events.
        hold(i);
        stack.push({ array: false, path, key: '', expect: Expect.KeyOrEnd });
        continue;
      }
      if (frame !== undefined && container && isOnTheWay(path)) {
        const array = b === 0x5b;
        if (array && isResponseArray(path) && holding) {
          holding = false;
          heldPieces = [];
          heldBytes = 0;
        }
        stack.push({ array, path, key: '', expect: array ? Expect.ValueOrEnd : Expect.KeyOrEnd });
        continue;
      }
      // Skipped by its depth: an event (handed over), a top-level non-object (an event too), or off the way.
      emit = frame === undefined || isEventPath(path);
      if (emit) hold(i);
      skipping = true;
      skipDepth = container ? 1 : 0;
      inString = b === 0x22;
      skipScalar = !container && !inString;
    }
    if (holding) {
      heldPieces.push(buf.subarray(heldStart));
      heldBytes += n - heldStart;
      if (heldBytes > maxDocumentBytes) return tooLarge();
    }
    if (inKey) {
      keyPieces.push(buf.subarray(keyStart));
      keyStart = 0;
    }
    onChunk?.(c);
  }
  if (stack.length > 0 || skipping) fail(`invalid JSON${stack.length > 0 && topLine !== line ? ` (in the document starting at line ${topLine})` : ''}: the document ends before it is complete (truncated?)`, line);
}

