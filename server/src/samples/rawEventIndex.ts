/**
 * Where the event of a raw NDJSON line was stored, read without parsing the whole line: for the
 * lines the prefilter skips unparsed (`engine/prefilter.ts`), so that the rule's index patterns
 * count them as they count the parsed ones (`indexPatterns.ts`).
 *
 * Only the line's structure is walked (string contents are jumped over with a byte search), and
 * only the values that tell the index are parsed: a hit's `_index` (`searchHit.ts`) and the
 * `data_stream` members (an object, or dotted keys), of the line's object or, for a hit without an
 * `_index`, of its `_source`. Those go through the same `eventIndexOf` as a parsed event, so the
 * result is the one a parse would give, for every well-formed line. A line that holds none of the
 * keys' names is decided without any walk.
 */
import { eventIndexOf, type EventIndex } from './indexPatterns';
import { isSearchHit } from './searchHit';

const QUOTE = 0x22;
const BACKSLASH = 0x5c;
const INDEX_KEY = Buffer.from('"_index"');
const DATA_STREAM = Buffer.from('data_stream');

/**
 * The index of the event on a raw NDJSON line, as `eventIndexOf` gives it for the parsed event.
 *
 * @param line the line's bytes (UTF-8, without its terminator); it should hold no `\u` escape (the
 *   prefilter parses such lines), as a key spelled with one is not recognised here.
 * @returns the index (see {@link EventIndex}); `undefined` when the event carries none; `null` when
 *   the line is not a JSON object, or is a hit without a `_source` object (a parse would report it
 *   and give no event). A malformed line is not always told apart from a well-formed one: only what
 *   the walk passes over is checked.
 */
export function rawEventIndex(line: Buffer): EventIndex | undefined | null {
  if (!line.includes(DATA_STREAM) && !line.includes(INDEX_KEY)) {
    // No key can tell an index; still, a hit's `_source` must be an object (else no event at all).
    if (!line.includes('"_source"')) return undefined;
  }
  const top = members(line, 0, line.length);
  if (top === undefined) return null;
  const keys: Record<string, unknown> = Object.create(null);
  for (const m of top) keys[m.key] = true;
  if (isSearchHit(keys)) {
    const source = top.find((m) => m.key === '_source')!;
    if (line[source.from] !== 0x7b) return null;
    const indexMember = top.find((m) => m.key === '_index');
    const index = indexMember === undefined ? undefined : parseValue(line, indexMember);
    if (typeof index === 'string' && index !== '') return eventIndexOf({ doc: {}, index, source: NO_SOURCE });
    const inner = members(line, source.from, source.to);
    if (inner === undefined) return null;
    return eventIndexOf({ doc: dataStreamMembers(line, inner), source: NO_SOURCE });
  }
  return eventIndexOf({ doc: dataStreamMembers(line, top), source: NO_SOURCE });
}

const NO_SOURCE = { file: '', line: 0 };

/** One member of an object: its key (decoded) and where its value lies (`from` inclusive, `to` exclusive, bytes). */
interface Member {
  key: string;
  from: number;
  to: number;
}

/** A document of the members that may hold `data_stream.type`/`dataset`/`namespace`, their values parsed. */
function dataStreamMembers(line: Buffer, all: Member[]): Record<string, unknown> {
  const doc: Record<string, unknown> = {};
  for (const m of all) if (m.key === 'data_stream' || m.key.startsWith('data_stream.')) doc[m.key] = parseValue(line, m);
  return doc;
}

function parseValue(line: Buffer, m: Member): unknown {
  try {
    return JSON.parse(line.toString('utf8', m.from, m.to));
  } catch {
    return undefined;
  }
}

/**
 * The members of the JSON object in `line[start, end)` (surrounding whitespace allowed), in order.
 * @returns undefined when the bytes are not an object as far as the walk sees.
 */
function members(line: Buffer, start: number, end: number): Member[] | undefined {
  const out: Member[] = [];
  let i = skipSpace(line, start, end);
  if (line[i] !== 0x7b) return undefined;
  i = skipSpace(line, i + 1, end);
  if (line[i] === 0x7d) return skipSpace(line, i + 1, end) === end ? out : undefined;
  for (;;) {
    if (line[i] !== QUOTE) return undefined;
    const keyEnd = stringEnd(line, i, end);
    if (keyEnd < 0) return undefined;
    const raw = line.toString('utf8', i + 1, keyEnd - 1);
    let key = raw;
    if (raw.includes('\\')) {
      try {
        key = JSON.parse(line.toString('utf8', i, keyEnd)) as string;
      } catch {
        return undefined;
      }
    }
    i = skipSpace(line, keyEnd, end);
    if (line[i] !== 0x3a) return undefined;
    const from = skipSpace(line, i + 1, end);
    const to = valueEnd(line, from, end);
    if (to < 0) return undefined;
    out.push({ key, from, to });
    i = skipSpace(line, to, end);
    if (line[i] === 0x2c) {
      i = skipSpace(line, i + 1, end);
    } else if (line[i] === 0x7d) {
      return skipSpace(line, i + 1, end) === end ? out : undefined;
    } else {
      return undefined;
    }
  }
}

/** The offset just past the string opening at `at` (a `"`), or -1 when it does not end before `end`. */
function stringEnd(line: Buffer, at: number, end: number): number {
  let i = at + 1;
  for (;;) {
    const q = line.indexOf(QUOTE, i);
    if (q < 0 || q >= end) return -1;
    // Escaped when preceded by an odd number of backslashes.
    let b = q - 1;
    while (b > at && line[b] === BACKSLASH) b--;
    if ((q - 1 - b) % 2 === 0) return q + 1;
    i = q + 1;
  }
}

/** The offset just past the value starting at `at`, or -1 when it is cut short or unbalanced. */
function valueEnd(line: Buffer, at: number, end: number): number {
  const first = line[at];
  if (first === QUOTE) return stringEnd(line, at, end);
  if (first === 0x7b || first === 0x5b) {
    let depth = 0;
    for (let i = at; i < end; i++) {
      const c = line[i];
      if (c === QUOTE) {
        i = stringEnd(line, i, end) - 1;
        if (i < 0) return -1;
      } else if (c === 0x7b || c === 0x5b) {
        depth++;
      } else if (c === 0x7d || c === 0x5d) {
        if (--depth === 0) return i + 1;
      }
    }
    return -1;
  }
  // A number, true, false or null: up to the next separator.
  let i = at;
  while (i < end && line[i] !== 0x2c && line[i] !== 0x7d && line[i] !== 0x5d && !isSpace(line[i])) i++;
  return i > at ? i : -1;
}

function skipSpace(line: Buffer, i: number, end: number): number {
  while (i < end && isSpace(line[i])) i++;
  return i;
}

function isSpace(b: number): boolean {
  return b === 0x20 || b === 0x09 || b === 0x0a || b === 0x0d;
}
